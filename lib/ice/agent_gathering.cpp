// Candidate gathering (host, server-reflexive, relayed through TURN) and the datagram
// path through relays.
#include "ice/agent.h"

#include <algorithm>
#include <string>

#include "base/log.h"
#include "ice/check_messages.h"
#include "stun/demux.h"
#include "stun/message_builder.h"

namespace rtcstack::ice {

using base::Instant;
using base::SocketAddress;

void Agent::start_gathering(Instant now) {
  now_ = now;
  if (gathering_state_ != GatheringState::kNew || closed_) return;
  gathering_state_ = GatheringState::kGathering;
  emit(GatheringStateEvent{gathering_state_});
  for (std::size_t i = 0; i < config_.host_addresses.size(); ++i) {
    const SocketAddress& address = config_.host_addresses[i];
    // RFC 8421: prefer IPv6; every address gets its own local preference.
    add_host_candidate(address, base::TransportProtocol::kUdp, TcpType::kPassive,
                       static_cast<std::uint16_t>((address.ip().is_v6() ? 65535 : 32767) - i));
  }
  // ICE-TCP (RFC 6544 §5.1): a passive candidate per listening socket, an active one per
  // address the caller connects from. Host UDP candidates come first: the STUN and TURN
  // requests below go from them.
  const std::size_t udp_hosts = local_candidates_.size();
  for (std::size_t i = 0; i < config_.tcp_listen_addresses.size(); ++i) {
    const SocketAddress& address = config_.tcp_listen_addresses[i];
    const auto other = static_cast<std::uint16_t>((address.ip().is_v6() ? 0x1fff : 0x0fff) - i);
    add_host_candidate(address, base::TransportProtocol::kTcp, TcpType::kPassive,
                       tcp_local_preference(TcpType::kPassive, other));
  }
  for (std::size_t i = 0; i < config_.tcp_active_addresses.size(); ++i) {
    const base::IpAddress& ip = config_.tcp_active_addresses[i];
    const auto other = static_cast<std::uint16_t>((ip.is_v6() ? 0x1fff : 0x0fff) - i);
    add_host_candidate(SocketAddress(ip, kActiveTcpPort), base::TransportProtocol::kTcp, TcpType::kActive,
                       tcp_local_preference(TcpType::kActive, other));
  }
  // A lite agent has host candidates only (RFC 8445 §5.1.1); relay-only asks no STUN server.
  const bool lite = config_.mode == Mode::kLite;
  const std::size_t hosts = lite || config_.policy == AgentConfig::TransportPolicy::kRelay ? 0 : udp_hosts;
  for (std::size_t host = 0; host < hosts; ++host) {
    for (const SocketAddress& server : config_.stun_servers) {
      if (server.family() != local_candidates_[host].address.family()) continue;
      std::uint8_t buffer[64];
      stun::MessageBuilder builder(buffer, {stun::StunMethod::kBinding, stun::StunClass::kRequest},
                                   stun::TransactionId::random(random_));
      builder.add_fingerprint();
      auto transaction = stun::ClientTransaction::start(*builder.finish(), config_.gathering_transaction, now);
      server_queries_.push_back({host, server, std::move(transaction).value()});
      while (auto datagram = server_queries_.back().transaction.poll_transmit()) {
        transmit({local_candidates_[host].base, server}, *datagram);
      }
    }
  }
  // A TURN server over UDP: an allocation from each host socket of its family. Over TCP or
  // TLS: one, over the connection the caller opened to it.
  const auto allocate = [&](const SocketAddress& local, const TurnServer& server) {
    // After a restart the allocation is kept: it may carry the old pair's data.
    const bool exists = std::any_of(relays_.begin(), relays_.end(), [&](const Relay& r) {
      return r.client.local() == local && r.client.server().address == server.address;
    });
    if (exists) return;
    relays_.push_back({TurnClient(local, server, random_, config_.check_transaction), std::nullopt});
    relays_.back().client.start(now);
  };
  for (const TurnServer& server : config_.turn_servers) {
    if (lite) break;
    if (server.transport != TurnTransport::kUdp) {
      const SocketAddress local = server.connection.value_or(SocketAddress{});
      const std::size_t before = relays_.size();
      allocate(local, server);
      if (relays_.size() == before) continue;  // kept from before a restart
      const auto lost = std::find_if(lost_connections_.begin(), lost_connections_.end(), [&](const LostConnection& l) {
        return l.local == local && l.server == server.address;
      });
      if (!server.connection) relays_.back().client.connection_lost("no connection to the server was opened");
      if (lost != lost_connections_.end()) relays_.back().client.connection_lost(lost->reason);
      continue;
    }
    for (std::size_t host = 0; host < udp_hosts; ++host) {
      const SocketAddress& base = local_candidates_[host].base;
      if (local_candidates_[host].type == CandidateType::kHost && server.address.family() == base.family()) {
        allocate(base, server);
      }
    }
  }
  poll_relays(now);
  finish_gathering_if_done();
  if (can_check()) next_check_at_ = std::min(next_check_at_, now);
  update_connection_state();
}

void Agent::add_host_candidate(const SocketAddress& address, base::TransportProtocol protocol, TcpType tcp_type,
                               std::uint16_t local_preference) {
  const bool duplicate = std::any_of(local_candidates_.begin(), local_candidates_.end(),
                                     [&](const Candidate& c) { return c.based_at(address, protocol); });
  if (duplicate || (address.ip().is_loopback() && !config_.allow_loopback)) return;
  Candidate candidate;
  candidate.type = CandidateType::kHost;
  candidate.address = address;
  candidate.base = address;
  candidate.protocol = protocol;
  candidate.tcp_type = tcp_type;
  candidate.priority = candidate_priority(CandidateType::kHost, local_preference, 1, protocol);
  candidate.foundation = candidate_foundation(CandidateType::kHost, address.ip(), std::nullopt, protocol);
  hide_address(candidate);
  local_candidates_.push_back(candidate);
  if (!pairs_with(candidate)) return;  // relay-only: the host stays private
  emit(LocalCandidateEvent{candidate});
  for (std::size_t r = 0; r < remote_candidates_.size(); ++r) add_pair(local_candidates_.size() - 1, r);
}

void Agent::hide_address(Candidate& candidate) const {
  if (config_.host_names.empty()) return;
  const auto name_of = [&](const base::IpAddress& ip) -> const std::string* {
    for (const auto& [address, name] : config_.host_names) {
      if (address == ip) return &name;
    }
    return nullptr;
  };
  if (candidate.type == CandidateType::kHost) {
    if (const std::string* name = name_of(candidate.address.ip())) candidate.hostname = *name;
  } else if (candidate.related_address) {
    // Whether or not the related address is one of ours, a peer learns nothing from it.
    const bool v4 = candidate.related_address->ip().is_v4();
    candidate.related_address = SocketAddress(v4 ? base::IpAddress::v4(0, 0, 0, 0) : *base::IpAddress::parse("::"), 0);
  }
}

bool Agent::pairs_with(const Candidate& local) const {
  if (local.type == CandidateType::kRelayed) return true;
  return local.type == CandidateType::kHost && config_.policy == AgentConfig::TransportPolicy::kAll;
}

void Agent::flush_relay(Relay& relay) {
  while (auto datagram = relay.client.poll_transmit()) {
    outputs_.emplace_back(Transmit{relay.client.local(), relay.client.server().address, std::move(*datagram)});
  }
}

void Agent::poll_relays(Instant now) {
  for (Relay& relay : relays_) {
    flush_relay(relay);
    release_held(relay);
    if (relay.client.state() == TurnState::kFailed && !relay.failure_reported && relay.client.error()) {
      relay.failure_reported = true;
      emit(TurnErrorEvent{relay.client.server().address, turn_url(relay.client.server()), relay.client.local(),
                          *relay.client.error()});
    }
    if (relay.candidate || relay.client.state() != TurnState::kAllocated || gathering_state_ == GatheringState::kNew) {
      continue;
    }
    announce_relayed(now, relay);
  }
  finish_gathering_if_done();
}

void Agent::announce_relayed(Instant now, Relay& relay) {
  const TurnServer& turn = relay.client.server();
  const SocketAddress server = turn.address;
  std::uint16_t local_preference = 0;
  if (relay.client.stream()) {
    // Relayed candidates over TCP, then TLS, rank below those over UDP (as in libwebrtc):
    // a stream adds head-of-line blocking to every packet the relay carries.
    local_preference = turn.transport == TurnTransport::kTcp ? 0x7fff : 0x3fff;
  } else {
    const auto host = std::find_if(local_candidates_.begin(), local_candidates_.end(), [&](const Candidate& c) {
      return c.type == CandidateType::kHost && c.based_at(relay.client.local(), base::TransportProtocol::kUdp);
    });
    if (host == local_candidates_.end()) return;
    local_preference = static_cast<std::uint16_t>((host->priority >> 8) & 0xffff);
  }
  const SocketAddress host_base = relay.client.local();
  const std::string url = turn_url(turn);
  // Over UDP, the allocation's mapped address is a server-reflexive candidate for free
  // (over a stream it is a TCP mapping, of no use to UDP checks).
  const auto mapped = relay.client.mapped_address();
  if (mapped && !relay.client.stream() && *mapped != host_base && config_.policy == AgentConfig::TransportPolicy::kAll &&
      std::none_of(local_candidates_.begin(), local_candidates_.end(), [&](const Candidate& c) { return c.address == *mapped; })) {
    Candidate srflx;
    srflx.type = CandidateType::kServerReflexive;
    srflx.address = *mapped;
    srflx.base = host_base;
    srflx.priority = candidate_priority(CandidateType::kServerReflexive, local_preference, 1);
    srflx.foundation = candidate_foundation(CandidateType::kServerReflexive, host_base.ip(), server);
    srflx.related_address = host_base;
    srflx.url = url;
    hide_address(srflx);
    local_candidates_.push_back(srflx);
    emit(LocalCandidateEvent{std::move(srflx)});
  }
  Candidate relayed;
  relayed.type = CandidateType::kRelayed;
  relayed.address = *relay.client.relayed_address();
  relayed.base = relayed.address;  // a relayed candidate is its own base (RFC 8445 §5.1.1.2)
  relayed.priority = candidate_priority(CandidateType::kRelayed, local_preference, 1);
  relayed.foundation = candidate_foundation(CandidateType::kRelayed, host_base.ip(), server);
  relayed.related_address = mapped;
  relayed.url = url;
  relayed.relay_protocol = turn.transport;
  hide_address(relayed);
  local_candidates_.push_back(relayed);
  relay.candidate = local_candidates_.size() - 1;
  emit(LocalCandidateEvent{relayed});
  for (std::size_t r = 0; r < remote_candidates_.size(); ++r) add_pair(*relay.candidate, r);
  if (can_check()) next_check_at_ = std::min(next_check_at_, now);
}

void Agent::handle_connection_lost(Instant now, const SocketAddress& local, const SocketAddress& server,
                                   std::string reason) {
  now_ = now;
  const bool allocating = std::any_of(relays_.begin(), relays_.end(), [&](const Relay& relay) {
    return relay.client.stream() && relay.client.local() == local && relay.client.server().address == server;
  });
  const bool configured = std::any_of(config_.turn_servers.begin(), config_.turn_servers.end(), [&](const TurnServer& s) {
    return s.connection == local && s.address == server;
  });
  if (!allocating) {
    // Before gathering: reported when the allocation would have started.
    if (configured && lost_connections_.size() < config_.turn_servers.size()) {
      lost_connections_.push_back({local, server, std::move(reason)});
    }
    return;
  }
  for (Relay& relay : relays_) {
    if (!relay.client.stream() || relay.client.local() != local || relay.client.server().address != server) continue;
    relay.client.connection_lost(std::move(reason));
    if (relay.candidate) {
      for (CandidatePair& pair : pairs_) {
        if (pair.local != *relay.candidate) continue;
        pair.state = PairState::kFailed;
        pair.nominated = false;
        pair.transaction.reset();
      }
    }
    break;
  }
  poll_relays(now);
  update_selection();
}

ReceiveResult Agent::handle_from_turn(Instant now, std::size_t relay_index, const Inbound& datagram) {
  auto data = relays_[relay_index].client.handle_receive(now, datagram);
  poll_relays(now);
  if (!data) return {Received::kStun, {}};
  const auto relayed = relays_[relay_index].client.relayed_address();
  // What the peer sent to our relayed address, as if it had arrived there directly.
  return handle_receive(now, *relayed, data->peer, data->data);
}

std::optional<Agent::Path> Agent::data_path(std::size_t bytes) {
  if (selected_) {
    CandidatePair& pair = pairs_[*selected_];
    ++pair.counters.packets_sent;
    pair.counters.bytes_sent += bytes;
    return path_of(pair);
  }
  if (previous_pair_) return Path{previous_pair_->local.base, previous_pair_->remote.address, previous_pair_->local.protocol};
  return std::nullopt;
}

namespace {
base::Error no_pair() { return {base::ErrorCode::kWrongState, "ICE: no selected pair (or consent expired)"}; }
}  // namespace

base::Result<void> Agent::send(base::ByteView data) {
  const auto path = data_path(data.size());
  if (!path) return no_pair();
  transmit(*path, data);
  return {};
}

base::Result<void> Agent::send(base::Buffer&& data) {
  const auto path = data_path(data.size());
  if (!path) {
    pool_->give(std::move(data));
    return no_pair();
  }
  transmit(*path, std::move(data));
  return {};
}

void Agent::finish_gathering_if_done() {
  const bool relays_pending = std::any_of(relays_.begin(), relays_.end(), [](const Relay& r) {
    return r.client.state() == TurnState::kNew || r.client.state() == TurnState::kAllocating;
  });
  if (gathering_state_ != GatheringState::kGathering || !server_queries_.empty() || relays_pending) return;
  gathering_state_ = GatheringState::kComplete;
  emit(GatheringStateEvent{gathering_state_});
}

bool Agent::handle_gathering_response(const SocketAddress& remote, const stun::StunMessage& response,
                                      Instant now) {
  const auto query = std::find_if(server_queries_.begin(), server_queries_.end(), [&](const ServerQuery& q) {
    return q.transaction.id() == response.transaction_id();
  });
  if (query == server_queries_.end() || remote != query->server) return false;
  if (!query->transaction.handle_response(now, response)) return false;
  const std::size_t host = query->host;
  const SocketAddress server = query->server;
  server_queries_.erase(query);
  const auto mapped = response.xor_mapped_address();
  const bool is_new = mapped && std::none_of(local_candidates_.begin(), local_candidates_.end(),
                                             [&](const Candidate& c) { return c.address == *mapped; });
  if (response.cls() == stun::StunClass::kSuccessResponse && is_new) {
    const Candidate& base = local_candidates_[host];
    Candidate candidate;
    candidate.type = CandidateType::kServerReflexive;
    candidate.address = *mapped;
    candidate.base = base.base;
    candidate.priority = candidate_priority(CandidateType::kServerReflexive,
                                            static_cast<std::uint16_t>((base.priority >> 8) & 0xffff), 1);
    candidate.foundation = candidate_foundation(CandidateType::kServerReflexive, base.base.ip(), server);
    candidate.related_address = base.base;
    candidate.url = "stun:" + server.to_string();
    hide_address(candidate);
    local_candidates_.push_back(candidate);
    emit(LocalCandidateEvent{std::move(candidate)});
  }
  finish_gathering_if_done();
  update_connection_state();
  return true;
}

void Agent::send_through(Relay& relay, const SocketAddress& peer, base::ByteView bytes) {
  base::Buffer wrapped = pool_->take(bytes.size() + 64);  // room for the Send indication's header
  const auto framed = relay.client.wrap(peer, bytes, wrapped.mutable_view());
  if (!framed) {
    pool_->give(std::move(wrapped));
    return;
  }
  wrapped.resize(framed->size());
  outputs_.emplace_back(Transmit{relay.client.local(), relay.client.server().address, std::move(wrapped)});
}

void Agent::release_held(Relay& relay) {
  if (relay.held.empty()) return;
  const bool failed = relay.client.state() != TurnState::kAllocated;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < relay.held.size(); ++i) {
    Relay::Held& held = relay.held[i];
    if (failed || relay.client.has_permission(held.peer)) {
      if (!failed) send_through(relay, held.peer, held.bytes);
      pool_->give(std::move(held.bytes));
    } else if (kept++ != i) {
      relay.held[kept - 1] = std::move(held);
    }
  }
  relay.held.resize(kept);
}

bool Agent::permit(const SocketAddress& relayed, const SocketAddress& peer) {
  for (Relay& relay : relays_) {
    if (relay.client.relayed_address() != relayed) continue;
    if (relay.client.state() != TurnState::kAllocated) return false;  // its allocation is gone
    // The peer's checks to our relayed address pass only once the server has a
    // permission for it: asked for as the pair is formed, not at our first check, so
    // that the peer's first checks are not dropped (and retransmitted 500 ms later).
    if (!relay.client.has_channel(peer)) (void)relay.client.add_peer(now_, peer);
    flush_relay(relay);
    return true;
  }
  return false;
}

void Agent::transmit(const Path& path, base::Buffer&& bytes) {
  const bool relayed = path.protocol == base::TransportProtocol::kUdp &&
                       std::any_of(relays_.begin(), relays_.end(),
                                   [&](const Relay& relay) { return relay.client.relayed_address() == path.local; });
  if (!relayed) {
    outputs_.emplace_back(Transmit{path.local, path.remote, std::move(bytes), path.protocol});
    return;
  }
  transmit(path, base::ByteView(bytes));
  pool_->give(std::move(bytes));
}

void Agent::transmit(const Path& path, base::ByteView bytes) {
  const SocketAddress& remote = path.remote;
  for (Relay& relay : relays_) {
    if (path.protocol != base::TransportProtocol::kUdp || relay.client.relayed_address() != path.local) continue;
    // From a relayed candidate: through the TURN server, binding a channel on first use.
    if (!relay.client.has_channel(remote)) (void)relay.client.add_peer(now_, remote);
    // The ChannelBind goes first. Only the outbox is touched here: callers may hold
    // references into the candidate and pair lists, which poll_relays() can grow.
    flush_relay(relay);
    if (!relay.client.has_permission(remote)) {
      // Until the server confirms the permission it drops what we send the peer: a first
      // check sent now would be lost, and retransmitted only 500 ms later. Held instead,
      // it leaves as the confirmation arrives (one round trip to the server).
      if (relay.held.size() < kMaxHeld) relay.held.push_back({remote, pool_->copy(bytes)});
      return;
    }
    send_through(relay, remote, bytes);
    return;
  }
  outputs_.emplace_back(Transmit{path.local, remote, pool_->copy(bytes), path.protocol});
}

}  // namespace rtcstack::ice
