// A loopback TCP relay that stands between two ICE-TCP peers and impairs their streams as a
// lossy path would: a fixed one-way delay and jitter, and segment loss. The kernel here has
// no netem, and a TCP stream never loses bytes: what loss does to it, as the application
// sees it, is a stall - the lost segment comes one retransmission timeout late, and every
// byte behind it waits (head-of-line blocking). The relay models exactly that, from one
// seed: each segment it forwards is lost with probability `loss` and then delivered after
// rto_ms more, and no byte overtakes another.
//
// Each peer is told the other's passive candidate is at one of the relay's listening ports
// (its candidate rewritten); a connection accepted there is joined to a connection the relay
// opens to that peer's real passive candidate (set_target_a/b). Runs on its own thread while
// the object lives; connections are bounded (kMaxConnections) and so is what it holds.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>

#include "base/socket_address.h"

namespace rtcstack::bench {

struct TcpImpairment {
  double rtt_ms = 0;      ///< round trip the relay adds (half each way)
  double jitter_ms = 0;   ///< extra one-way delay drawn uniformly from [0, jitter], order kept
  double loss = 0;        ///< probability that a segment is lost (and comes rto_ms late)
  double rto_ms = 250;    ///< the retransmission timeout a lost segment costs (Linux: >= 200 ms + RTT)
  std::size_t segment = 1448;  ///< bytes per segment (a loopback path with an Ethernet MSS)
  std::uint64_t seed = 1;
};

class TcpImpairmentRelay {
 public:
  static constexpr std::size_t kMaxConnections = 32;
  /// Bytes one direction of a connection holds at most; beyond, the relay stops reading
  /// it (the sender's window fills, as a slow path's would).
  static constexpr std::size_t kMaxHeld = 4 << 20;

  explicit TcpImpairmentRelay(const TcpImpairment& impairment);
  ~TcpImpairmentRelay();
  TcpImpairmentRelay(const TcpImpairmentRelay&) = delete;
  TcpImpairmentRelay& operator=(const TcpImpairmentRelay&) = delete;

  /// Where b should connect to reach a's passive candidate, and the other way round.
  base::SocketAddress alias_of_a() const { return alias_[0]; }
  base::SocketAddress alias_of_b() const { return alias_[1]; }
  /// The real passive candidates the aliases lead to (connections to an alias whose
  /// target is not known yet are closed: the peer's check retransmits).
  void set_target_a(const base::SocketAddress& address);
  void set_target_b(const base::SocketAddress& address);

  std::uint64_t forwarded_bytes() const { return forwarded_; }
  /// Segments lost and delivered late (each a stall of the stream behind it).
  std::uint64_t stalls() const { return stalls_; }
  std::uint64_t connections() const { return connections_; }

 private:
  void run();

  TcpImpairment impairment_;
  int listeners_[2] = {-1, -1};  // [0] stands for a (b connects here), [1] for b
  base::SocketAddress alias_[2];
  std::mutex targets_mutex_;
  base::SocketAddress targets_[2];
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> forwarded_{0}, stalls_{0}, connections_{0};
  std::thread thread_;
};

}  // namespace rtcstack::bench
