// The receive side of repair (RFC 4585 §6.2.1 generic NACK): which sequence numbers of a
// stream are missing and when to ask for each again. A number is asked for at once when
// a gap shows it missing, then again every round-trip time until it arrives, its retries
// run out or it grows too old; then the tracker gives up on it (the frame it belonged to
// is lost and a key frame will be needed). Storage is reserved once.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/time.h"

namespace rtcstack::media {

struct NackConfig {
  int max_retries = 10;
  base::Duration max_age = base::Duration::milliseconds(1000);
  std::size_t max_missing = 1000;  ///< a gap wider than this is given up whole (ask for a key frame)
};

class NackTracker {
 public:
  explicit NackTracker(NackConfig config = {});

  /// A packet of the stream arrived: an original, or a retransmission restored from RTX.
  void on_packet(base::Instant now, std::uint16_t sequence);
  /// Writes the numbers to put in a NACK now into `out` (ascending) and returns how many;
  /// counts each as one more try. Gives up on those past their retries or age first.
  std::size_t poll(base::Instant now, base::Duration rtt, std::span<std::uint16_t> out);
  /// When poll() will next have something to ask for, if anything is missing.
  std::optional<base::Instant> next_poll(base::Duration rtt) const;

  std::size_t missing() const { return missing_.size(); }
  std::uint64_t recovered() const { return recovered_; }
  std::uint64_t given_up() const { return given_up_; }

 private:
  struct Missing {
    std::int64_t sequence;  // unwrapped
    base::Instant detected;
    std::optional<base::Instant> last_asked;
    int tries = 0;
  };
  std::int64_t unwrap(std::uint16_t sequence) const;

  NackConfig config_;
  std::vector<Missing> missing_;  // ascending by sequence
  std::optional<std::int64_t> highest_;
  std::uint64_t recovered_ = 0, given_up_ = 0;
};

}  // namespace rtcstack::media
