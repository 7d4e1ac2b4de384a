// Two sctp::Association instances as hosts of the simulated network: SCTP packets ride
// bare datagrams (the DTLS layer is the identity here), time is simulated - for usrsctp's
// gettimeofday() too.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sctp/association.h"
#include "sim_network.h"
#include "wall_clock.h"

namespace rtcstack::testing {

class SctpPeer : public SimEndpoint {
 public:
  SctpPeer(SimNetwork& network, base::SocketAddress self, base::SocketAddress remote, sctp::Config config);

  sctp::Association& association() { return *association_; }
  /// The other peer: usrsctp's shared timers can hand it work while this one runs.
  void set_other(SctpPeer* other) { other_ = other; }

  void on_datagram(base::Instant now, const base::SocketAddress& local, const base::SocketAddress& remote,
                   base::ByteView datagram) override;
  base::Instant next_timeout() const override { return next_timeout_; }
  void on_timeout(base::Instant now) override;

  /// Drains this peer's outputs, then the other's.
  void drain();

  /// Called for every event as it is drained (after it is recorded below).
  std::function<void(const sctp::Event&)> on_event;

  std::vector<sctp::State> states;
  std::map<std::uint16_t, std::vector<sctp::ChannelState>> channel_states;
  std::map<std::uint16_t, sctp::ChannelInit> incoming;
  std::map<std::uint16_t, std::vector<base::Buffer>> messages;
  std::map<std::uint16_t, int> low_events;
  std::size_t largest_packet = 0;
  std::size_t bad_checksums = 0;
  std::size_t failed_check = 0;  // packets this peer sent that sctp::check_packet() refuses
  std::set<std::pair<std::uint16_t, std::uint16_t>> wire_ports;  // (source, destination) of what it sent

  bool connected() const { return association_->state() == sctp::State::kConnected; }
  bool is(std::uint16_t id, sctp::ChannelState state) const;

 private:
  void drain_self();

  SimNetwork& network_;
  base::SocketAddress self_, remote_;
  std::unique_ptr<sctp::Association> association_;
  SctpPeer* other_ = nullptr;
  base::Instant next_timeout_ = base::Instant::max();
};

/// Two peers on 192.0.2.1 (DTLS client: even ids) and 192.0.2.2 (odd ids), started.
struct SctpPair {
  explicit SctpPair(std::uint64_t seed, sctp::Config a_config = {}, sctp::Config b_config = {});
  SimNetwork network;
  ScopedWallClock clock;  // usrsctp times retransmissions with gettimeofday()
  SctpPeer a, b;
  /// Runs until `done` or `limit` of simulated time passes; returns whether done.
  bool run(const std::function<bool()>& done, base::Duration limit = base::Duration::seconds(30));
};

}  // namespace rtcstack::testing
