// The packets sent under transport-wide sequence numbers, kept until the receiver's
// feedback reports them: a ring of fixed size, so recording a packet never allocates
// once the first one has been sent. Feedback names packets by the 16 bits on the wire;
// the history maps them back to the packet sent most recently with those bits, and
// refuses what it never sent, what it has already forgotten, and what was reported
// before - a peer's feedback is input from the network like any other.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "cc/packet_result.h"

namespace rtcstack::cc {

/// What became of the packet reports of feedback messages.
struct FeedbackCounters {
  std::uint64_t messages = 0;     ///< feedback messages read
  std::uint64_t reports = 0;      ///< packet reports taken (received or lost)
  std::uint64_t unknown = 0;      ///< reports of packets never sent, or already forgotten
  std::uint64_t duplicates = 0;   ///< reports of packets reported before
  std::uint64_t implausible = 0;  ///< arrival times that cannot be true (far from the others)
};

class SendHistory {
 public:
  /// `capacity` packets are remembered (rounded up to a power of two): at 1000 packets a
  /// second - 10 Mbit/s of video - 4096 is four seconds, far past any feedback interval.
  explicit SendHistory(std::size_t capacity = 4096);

  /// The sequence number the next recorded packet gets; its low 16 bits go on the wire.
  std::int64_t next_sequence() const { return next_; }
  /// Records a packet leaving now under next_sequence(), which then advances.
  SentPacket record(base::Instant sent, std::size_t size, int probe_cluster = kNoProbe);

  /// The report of the packet a feedback message names by `wire_sequence`: the packet,
  /// and `arrival` (empty: lost). Empty, and counted, for a packet never sent, forgotten
  /// or already reported; a packet first reported lost may still be reported received.
  std::optional<PacketResult> report(std::uint16_t wire_sequence, std::optional<base::Instant> arrival,
                                     FeedbackCounters& counters);

  /// Bytes sent and not yet reported, over the packets still remembered.
  std::size_t bytes_in_flight() const { return in_flight_; }

 private:
  enum class State : std::uint8_t { kEmpty, kInFlight, kReportedLost, kReportedReceived };
  struct Entry {
    std::int64_t sequence = -1;
    base::Instant sent;
    std::uint32_t size = 0;
    std::int32_t probe_cluster = kNoProbe;
    State state = State::kEmpty;
  };
  std::vector<Entry> entries_;  // allocated with the first packet
  std::size_t mask_;
  std::int64_t next_ = 0;
  std::size_t in_flight_ = 0;
};

}  // namespace rtcstack::cc
