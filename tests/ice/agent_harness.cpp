#include "agent_harness.h"

#include <algorithm>

namespace rtcstack::testing {

AgentEndpoint::AgentEndpoint(SimNetwork& network, std::string name, ice::AgentConfig config,
                             std::uint64_t seed)
    : network_(network), name_(std::move(name)), random_(seed), agent_(config, random_) {
  for (const base::SocketAddress& address : config.host_addresses) network_.attach(address.ip(), *this);
  for (const base::SocketAddress& address : config.tcp_listen_addresses) network_.attach(address.ip(), *this);
  for (const base::IpAddress& ip : config.tcp_active_addresses) network_.attach(ip, *this);
  listening_ = config.tcp_listen_addresses;
}

std::optional<AgentEndpoint::TcpPath> AgentEndpoint::tcp_path(const base::SocketAddress& local,
                                                              const base::SocketAddress& remote) const {
  for (const base::SocketAddress& listening : listening_) {
    if (listening == local) return TcpPath{local, remote};
  }
  for (const ActiveConnection& connection : active_) {
    if (connection.port == local && connection.peer == remote) return TcpPath{connection.candidate, connection.peer};
  }
  return std::nullopt;
}

void AgentEndpoint::send(const ice::Transmit& transmit) {
  if (udp_blocked && transmit.protocol == base::TransportProtocol::kUdp) return;
  if (transmit.protocol == base::TransportProtocol::kUdp || transmit.local.port() != ice::kActiveTcpPort) {
    network_.send(transmit.local, transmit.remote, transmit.bytes);
    return;
  }
  auto connection = std::find_if(active_.begin(), active_.end(), [&](const ActiveConnection& c) {
    return c.candidate == transmit.local && c.peer == transmit.remote;
  });
  if (connection == active_.end()) {
    active_.push_back({transmit.local, transmit.remote, base::SocketAddress(transmit.local.ip(), next_port_++)});
    connection = active_.end() - 1;
  }
  network_.send(connection->port, transmit.remote, transmit.bytes);
}

void AgentEndpoint::on_datagram(base::Instant now, const base::SocketAddress& local,
                                const base::SocketAddress& remote, base::ByteView datagram) {
  ice::ReceiveResult result{ice::Received::kDropped, {}};
  if (const auto tcp = tcp_path(local, remote)) {
    result = agent_.handle_receive(now, tcp->local, tcp->remote, ice::Inbound(datagram, base::TransportProtocol::kTcp));
  } else {
    result = agent_.handle_receive(now, local, remote, datagram);
  }
  switch (result.what) {
    case ice::Received::kApplicationData: ++application_data; break;
    case ice::Received::kDropped: ++dropped; break;
    case ice::Received::kStun: break;
  }
  drain();
}

void AgentEndpoint::on_timeout(base::Instant now) {
  agent_.handle_timeout(now);
  drain();
}

void AgentEndpoint::drain() {
  while (true) {
    ice::Output output = agent_.poll_output();
    if (auto* timeout = std::get_if<ice::Timeout>(&output)) {
      next_timeout_ = timeout->at;
      return;
    }
    if (auto* transmit = std::get_if<ice::Transmit>(&output)) {
      send(*transmit);
      continue;
    }
    const ice::Event& event = std::get<ice::Event>(output);
    if (auto* candidate = std::get_if<ice::LocalCandidateEvent>(&event)) {
      announced.push_back(candidate->candidate);
      events.push_back("candidate:" + candidate->candidate.to_string());
    } else if (auto* gathering = std::get_if<ice::GatheringStateEvent>(&event)) {
      events.push_back("gathering:" + std::string(ice::to_string(gathering->state)));
    } else if (auto* connection = std::get_if<ice::ConnectionStateEvent>(&event)) {
      events.push_back("connection:" + std::string(ice::to_string(connection->state)));
      state_times.emplace_back(network_.now(), connection->state);
    } else if (auto* role = std::get_if<ice::RoleChangeEvent>(&event)) {
      events.push_back("role:" + std::string(ice::to_string(role->role)));
    } else if (auto* selected = std::get_if<ice::SelectedPairEvent>(&event)) {
      events.push_back("selected:" + selected->local.address.to_string() + "->" + selected->remote.address.to_string());
    } else if (auto* turn = std::get_if<ice::TurnErrorEvent>(&event)) {
      events.push_back("turn-error:" + turn->error.reason);
    }
  }
}

bool AgentEndpoint::send_data() {
  static constexpr std::uint8_t kRtpLike[] = {0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1};
  if (!agent_.send(kRtpLike).ok()) return false;
  drain();
  return true;
}

std::vector<std::string> AgentEndpoint::connection_states() const {
  std::vector<std::string> states;
  for (const std::string& event : events) {
    if (event.starts_with("connection:")) states.push_back(event.substr(11));
  }
  return states;
}

bool AgentEndpoint::connected() const {
  const auto state = agent_.connection_state();
  return state == ice::ConnectionState::kConnected || state == ice::ConnectionState::kCompleted;
}

ice::AgentConfig agent_config(ice::Role role, std::vector<base::SocketAddress> addresses) {
  ice::AgentConfig config;
  config.role = role;
  config.host_addresses = std::move(addresses);
  return config;
}

void signal_all(AgentEndpoint& from, AgentEndpoint& to, base::Instant now, bool end_of_candidates) {
  (void)to.agent().set_remote_credentials(from.agent().local_credentials(), now);
  for (const ice::Candidate& candidate : from.announced) (void)to.agent().add_remote_candidate(candidate, now);
  if (end_of_candidates) to.agent().set_remote_end_of_candidates(now);
  to.drain();
}

bool gather_and_connect(SimNetwork& network, AgentEndpoint& a, AgentEndpoint& b, base::Duration limit) {
  a.agent().start_gathering(network.now());
  b.agent().start_gathering(network.now());
  a.drain();
  b.drain();
  signal_all(a, b, network.now());
  signal_all(b, a, network.now());
  return network.run_until([&] { return a.connected() && b.connected(); }, network.now() + limit);
}

}  // namespace rtcstack::testing
