// PeerConnections as hosts of the simulated network, with a signaling channel the test
// drives (offer/answer and trickled candidates) and every event recorded.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pc/peer_connection.h"
#include "sim_network.h"
#include "wall_clock.h"

namespace rtcstack::testing {

class PcEndpoint : public SimEndpoint {
 public:
  /// The host is `ip`, port 40000; `configuration`'s host addresses, when it has any,
  /// are the endpoint's sockets instead (their IPs reach this endpoint too).
  PcEndpoint(SimNetwork& network, const char* ip, std::uint64_t seed, pc::Configuration configuration = {});

  pc::PeerConnection& pc() { return *pc_; }
  const base::SocketAddress& address() const { return address_; }
  base::Instant now() const { return network_.now(); }
  void set_peer(PcEndpoint* peer) { peer_ = peer; }
  /// Trickle candidates to the peer as they come (default); off for non-trickle tests.
  bool trickle = true;

  void on_datagram(base::Instant now, const base::SocketAddress& local, const base::SocketAddress& remote,
                   base::ByteView datagram) override;
  base::Instant next_timeout() const override { return next_timeout_; }
  void on_timeout(base::Instant now) override;
  void drain();

  std::function<void(const pc::Event&)> on_event;
  std::vector<std::string> signaling, connection, ice_connection, gathering;
  std::map<pc::ChannelHandle, std::vector<base::Buffer>> messages;
  std::map<pc::ChannelHandle, pc::DataChannelInit> incoming;
  std::map<pc::ChannelHandle, std::vector<pc::DataChannelState>> channel_states;
  std::string failure_reason;

  bool connected() const { return pc_->connection_state() == pc::PeerConnectionState::kConnected; }
  bool is(pc::ChannelHandle channel, pc::DataChannelState state) const;

 private:
  SimNetwork& network_;
  base::SocketAddress address_;
  base::SeededRandom random_;
  std::unique_ptr<pc::PeerConnection> pc_;
  PcEndpoint* peer_ = nullptr;
  base::Instant next_timeout_ = base::Instant::max();
};

/// A data channel's init with just a label.
inline pc::DataChannelInit labelled(std::string label) {
  pc::DataChannelInit init;
  init.label = std::move(label);
  return init;
}

/// Offer from `offerer`, answer from `answerer`, applied on both sides; `rewrite_offer`
/// changes the offer's SDP on its way to the answerer (a peer that offered less), and
/// `rewrite_answer` the answer's on its way back.
void negotiate(PcEndpoint& offerer, PcEndpoint& answerer,
               const std::function<std::string(const std::string&)>& rewrite_offer = {},
               const std::function<std::string(const std::string&)>& rewrite_answer = {});

/// Two connections, a (192.0.2.1) and b (192.0.2.2), on one network and simulated clock.
struct PcPair {
  explicit PcPair(std::uint64_t seed, pc::Configuration a_configuration = {}, pc::Configuration b_configuration = {});
  SimNetwork network;
  ScopedWallClock clock;
  PcEndpoint a, b;
  /// Offer from `offerer`, answer from the other, applied on both sides.
  void negotiate(PcEndpoint& offerer);
  bool run(const std::function<bool()>& done, base::Duration limit = base::Duration::seconds(30));
};

}  // namespace rtcstack::testing
