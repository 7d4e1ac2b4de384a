#include "cc/send_history.h"

#include <bit>

namespace rtcstack::cc {

SendHistory::SendHistory(std::size_t capacity) : mask_(std::bit_ceil(capacity < 16 ? std::size_t{16} : capacity) - 1) {}

SentPacket SendHistory::record(base::Instant sent, std::size_t size, int probe_cluster) {
  if (entries_.empty()) entries_.resize(mask_ + 1);
  Entry& entry = entries_[static_cast<std::size_t>(next_) & mask_];
  if (entry.state == State::kInFlight) in_flight_ -= entry.size;  // forgotten unreported
  entry = {next_, sent, static_cast<std::uint32_t>(size), probe_cluster, State::kInFlight};
  in_flight_ += size;
  ++next_;
  return {entry.sequence, sent, size, probe_cluster};
}

std::optional<PacketResult> SendHistory::report(std::uint16_t wire_sequence, std::optional<base::Instant> arrival,
                                                FeedbackCounters& counters) {
  // The newest packet with these low bits: at most 2^16 - 1 behind the next one.
  const auto behind = static_cast<std::uint16_t>(static_cast<std::uint16_t>(next_) - wire_sequence);
  const std::int64_t sequence = next_ - (behind == 0 ? 0x10000 : behind);
  if (entries_.empty() || sequence < 0 || next_ - sequence > static_cast<std::int64_t>(mask_ + 1)) {
    ++counters.unknown;
    return std::nullopt;
  }
  Entry& entry = entries_[static_cast<std::size_t>(sequence) & mask_];
  if (entry.sequence != sequence) {
    ++counters.unknown;
    return std::nullopt;
  }
  if (entry.state == State::kReportedReceived || (entry.state == State::kReportedLost && !arrival)) {
    ++counters.duplicates;
    return std::nullopt;
  }
  if (entry.state == State::kInFlight) in_flight_ -= entry.size;
  entry.state = arrival ? State::kReportedReceived : State::kReportedLost;
  ++counters.reports;
  return PacketResult{{entry.sequence, entry.sent, entry.size, entry.probe_cluster}, arrival};
}

}  // namespace rtcstack::cc
