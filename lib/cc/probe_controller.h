// When to probe, and how hard. A probe is a short burst at a rate above the estimate (a
// cluster of at least 5 packets over 15 ms, padded if media is short); what arrives tells
// the estimator at once what the rate controller would take many seconds of growth to
// find. Probes go out:
// - at the start, at 3 and 6 times the start rate, and again at twice the result while
//   each result reaches 70 % of what was probed (exponential probing);
// - every 5 s while the estimate has held without over-use, at 1.5 times the estimate for
//   50 ms: the link may have grown (a capacity step), or the sender is application-limited
//   and its rate says nothing about the link. Such a probe counts, and leads to another
//   1.5 times higher, only when the link carried 95 % of it (on a shared link, a burst may
//   just have found the others idle);
// - after a drop of more than a third, while application-limited within 5 s of it, at
//   85 % of the rate before the drop: a short dip of the application's own must not cost
//   a slow climb back.
#pragma once

#include <cstdint>
#include <optional>

#include "base/ring_queue.h"
#include "base/time.h"
#include "cc/aimd_rate_control.h"

namespace rtcstack::cc {

/// A burst for the pacer to send at `bitrate_bps`: at least `min_packets` packets and
/// `min_bytes` bytes (15 ms worth, 50 ms for periodic probes), each tagged with `id`.
struct ProbeCluster {
  int id = 0;
  std::uint64_t bitrate_bps = 0;
  std::size_t min_packets = 5;
  std::size_t min_bytes = 0;
};

class ProbeController {
 public:
  explicit ProbeController(RateLimits limits) : limits_(limits) {}

  /// The transport can carry media: the initial probes.
  void start(base::Instant now, std::uint64_t estimate_bps);
  /// A new estimate (after feedback, a probe result or a cut).
  void on_estimate(base::Instant now, std::uint64_t estimate_bps, bool overusing);
  /// Periodic decisions; call at next_timeout().
  void handle_timeout(base::Instant now, std::uint64_t estimate_bps, bool application_limited);
  base::Instant next_timeout() const;

  std::optional<ProbeCluster> poll_probe();

  /// Whether a probe result may set the estimate: always for the initial probes; for a
  /// periodic probe and those it led to, only when the link carried nearly all of it
  /// (on a shared link a burst that found the others idle for a moment proves nothing,
  /// and acting on it takes a share from them).
  bool usable(std::uint64_t result_bps) const;

 private:
  void probe(base::Instant now, std::uint64_t bitrate_bps, base::Duration span);

  RateLimits limits_;
  bool started_ = false;
  base::RingQueue<ProbeCluster> pending_;
  int next_id_ = 1;
  // Exponential probing: the result that would justify probing further, and until when.
  std::optional<std::uint64_t> probe_further_above_;
  base::Instant waiting_until_ = base::Instant::max();
  base::Instant last_probe_;
  base::Duration span_ = base::Duration::zero();  // of the probe that started the current chain
  std::uint64_t last_rate_ = 0;                   // of the latest probe
  base::Instant stable_since_;
  std::uint64_t last_estimate_ = 0;
  // A recent large drop: when, and the rate before it.
  std::optional<base::Instant> drop_at_;
  std::uint64_t before_drop_bps_ = 0;
  base::Instant next_periodic_ = base::Instant::max();
  base::Instant drop_check_ = base::Instant::max();
};

}  // namespace rtcstack::cc
