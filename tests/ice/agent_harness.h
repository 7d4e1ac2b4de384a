// Runs ice::Agent instances as endpoints of the simulated network, with a signaling
// channel between them that the test controls (what is trickled, and when).
//
// ICE-TCP (RFC 6544) rides on the same network: a connection from an active candidate
// (port 9) is a port of its own on the connecting side, opened by its first frame, and
// each frame is one datagram between that port and the passive candidate's listening
// address. A sim TCP connection is thus reliable only on a link without loss: tests give
// TCP paths clean links, as the kernel's retransmissions would.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "ice/agent.h"
#include "sim_network.h"

namespace rtcstack::testing {

class AgentEndpoint : public SimEndpoint {
 public:
  AgentEndpoint(SimNetwork& network, std::string name, ice::AgentConfig config, std::uint64_t seed);

  ice::Agent& agent() { return agent_; }
  const ice::Agent& agent() const { return agent_; }
  const std::string& name() const { return name_; }

  // SimEndpoint
  void on_datagram(base::Instant now, const base::SocketAddress& local,
                   const base::SocketAddress& remote, base::ByteView datagram) override;
  base::Instant next_timeout() const override { return next_timeout_; }
  void on_timeout(base::Instant now) override;

  /// Drains the agent's outputs: datagrams go to the network, events are recorded.
  void drain();
  /// Sends one application datagram (not STUN) on the selected pair; false if none.
  bool send_data();

  /// Local candidates the agent has announced so far (trickle).
  std::vector<ice::Candidate> announced;
  /// Every event, as "gathering:complete", "connection:checking", "selected:...", "role:...",
  /// "turn-error:<reason>".
  std::vector<std::string> events;
  /// Application datagrams handed up, and those dropped.
  int application_data = 0;
  int dropped = 0;

  /// A firewall that lets only TCP out: UDP Transmits are dropped.
  bool udp_blocked = false;

  /// When each connection state was entered.
  std::vector<std::pair<base::Instant, ice::ConnectionState>> state_times;

  std::vector<std::string> connection_states() const;
  bool connected() const;

 private:
  SimNetwork& network_;
  std::string name_;
  base::SeededRandom random_;
  ice::Agent agent_;
  base::Instant next_timeout_ = base::Instant::max();
  std::vector<base::SocketAddress> listening_;  // passive TCP candidates' sockets
  // Connections from active candidates: (candidate at port 9, passive peer) <-> our port.
  struct ActiveConnection {
    base::SocketAddress candidate, peer, port;
  };
  std::vector<ActiveConnection> active_;
  std::uint16_t next_port_ = 61000;
  // Where a frame arrived, as the agent names it; nullopt for UDP.
  struct TcpPath {
    base::SocketAddress local, remote;
  };
  std::optional<TcpPath> tcp_path(const base::SocketAddress& local, const base::SocketAddress& remote) const;
  void send(const ice::Transmit& transmit);
};

/// A config with `role` and these host addresses, everything else default.
ice::AgentConfig agent_config(ice::Role role, std::vector<base::SocketAddress> addresses);

/// Gives `to` the credentials and every candidate `from` has announced, then end-of-candidates.
void signal_all(AgentEndpoint& from, AgentEndpoint& to, base::Instant now, bool end_of_candidates = true);

/// Gathers on both, signals everything both ways, and runs until both connect or `limit`
/// passes; whether both connected.
bool gather_and_connect(SimNetwork& network, AgentEndpoint& a, AgentEndpoint& b,
                        base::Duration limit = base::Duration::seconds(30));

}  // namespace rtcstack::testing
