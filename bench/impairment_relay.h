// A loopback UDP relay that stands between two peers and impairs what it carries: a
// fixed one-way delay, jitter (which keeps each direction in order), random loss, all
// from one seed. Each peer is told the other is at one of the relay's ports (its ICE
// candidates are rewritten to point there); the relay forwards from the other port, so
// each side sees the other's alias as the source. It learns each peer's real address from
// the first datagram that peer sends (until then the other's datagrams to it are dropped,
// and ICE retransmits them). Runs on its own thread while the object lives; holds at most
// kMaxInFlight datagrams (a router queue: beyond it, drops). With a rate, each direction
// is a bottleneck (tests/support/drop_tail_queue.h): datagrams leave at that rate, after
// waiting behind a drop-tail queue, and only then take the delay.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "base/socket_address.h"

namespace rtcstack::bench {

struct Impairment {
  double rtt_ms = 0;     ///< round trip the relay adds (half each way)
  double jitter_ms = 0;  ///< extra one-way delay drawn uniformly from [0, jitter]
  double loss = 0;       ///< probability that a datagram is dropped
  std::uint64_t seed = 1;
  /// Each direction's capacity in bits per second (0: unlimited) and its drop-tail queue
  /// (in bytes, or in milliseconds of waiting; 0: that limit is off).
  std::uint64_t rate_bps = 0;
  std::size_t queue_bytes = 0;
  double queue_ms = 0;
  /// Peer b's address when known in advance (a server on a fixed port, which sends
  /// nothing before it hears from its peer); otherwise learned from b's first datagram.
  std::optional<base::SocketAddress> b = std::nullopt;
};

/// What one direction of a rate-limited relay carried, for congestion-control figures.
struct DirectionFigures {
  std::vector<std::uint64_t> bytes_per_second;  ///< left the bottleneck, by second since the start
  struct Wait {
    float at_s;       ///< when it came, in seconds since the start
    float queued_ms;  ///< how long it waited behind the others
  };
  std::vector<Wait> waits;  ///< of each taken datagram
  std::uint64_t queue_dropped = 0;
};

class ImpairmentRelay {
 public:
  static constexpr std::size_t kMaxInFlight = 65536;

  explicit ImpairmentRelay(const Impairment& impairment);
  ~ImpairmentRelay();
  ImpairmentRelay(const ImpairmentRelay&) = delete;
  ImpairmentRelay& operator=(const ImpairmentRelay&) = delete;

  /// The address peer b should use for a (and the one a's datagrams appear to come from
  /// at b), and the other way round.
  base::SocketAddress alias_of_a() const { return alias_[0]; }
  base::SocketAddress alias_of_b() const { return alias_[1]; }

  std::uint64_t forwarded() const { return forwarded_; }
  std::uint64_t dropped() const { return dropped_; }
  /// Of dropped(): those the rate limit's full queue dropped.
  std::uint64_t queue_dropped() const { return queue_dropped_; }

  /// Stops relaying (the destructor does too); figures() may be read after.
  void stop();
  /// Direction 0 carries b's datagrams to a, 1 a's to b; recorded with a rate only.
  const DirectionFigures& figures(int direction) const { return figures_[direction]; }

  /// Changes the loss rate from now on (1: the path goes dark both ways).
  void set_loss(double loss) { loss_ = loss; }
  /// A NAT rebinding on b's side: from the next datagram on, b's traffic reaches a from a
  /// new port of the relay, and what a still sends to the old one is lost. Returns once
  /// the relay has switched; alias_of_b() then gives the new address.
  void rebind_b();

 private:
  void run();

  Impairment impairment_;
  int sockets_[2] = {-1, -1};  // [0] answers as a (b sends here), [1] as b
  base::SocketAddress alias_[2];
  std::atomic<double> loss_;
  std::atomic<bool> rebind_requested_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> forwarded_{0}, dropped_{0}, queue_dropped_{0};
  DirectionFigures figures_[2];  // the relay thread's until stop()
  std::thread thread_;
};

}  // namespace rtcstack::bench
