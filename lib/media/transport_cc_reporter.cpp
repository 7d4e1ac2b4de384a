#include "media/transport_cc_reporter.h"

#include <algorithm>

namespace rtcstack::media {
namespace {

constexpr base::Duration kLongest = base::Duration::milliseconds(100);
constexpr base::Duration kShortest = base::Duration::milliseconds(50);
constexpr std::size_t kEnough = 10;
// Packets per message: about 600 bytes of chunks and deltas, well within one compound.
constexpr std::size_t kFull = 400;

}  // namespace

void TransportCcReporter::on_packet(base::Instant now, std::uint16_t sequence) {
  if (last_sequence_ && sequence == *last_sequence_) return;  // a duplicate: reported once
  if (full_) return;  // the message due has no room; the sender counts it lost and moves on
  if (builder_.empty()) first_arrival_ = now;
  if (!builder_.add(sequence, now)) {
    // Older than what the message holds, or too far from it: it opens the next message.
    carried_.emplace(sequence, now);
    full_ = true;
    return;
  }
  if (last_sequence_ && static_cast<std::uint16_t>(sequence - *last_sequence_) > 1 &&
      static_cast<std::uint16_t>(sequence - *last_sequence_) < 0x8000) {
    gap_ = true;
  }
  last_sequence_ = sequence;
  full_ = ++count_ >= kFull;
}

base::Instant TransportCcReporter::next_time() const {
  if (builder_.empty()) return base::Instant::max();
  if (full_) return first_arrival_;  // at once
  base::Instant due = first_arrival_ + kLongest;
  if (count_ >= kEnough || gap_) due = std::min(due, std::max(first_arrival_, last_sent_.value_or(first_arrival_) + kShortest));
  return due;
}

void TransportCcReporter::write(RtcpWriter& writer, std::uint32_t sender_ssrc, std::uint32_t media_ssrc, base::Instant now) {
  if (builder_.empty()) return;
  builder_.write(writer, sender_ssrc, media_ssrc, feedback_count_++);
  ++messages_;
  builder_.reset();
  count_ = 0;
  gap_ = full_ = false;
  last_sent_ = now;
  if (carried_) {
    const auto [sequence, arrival] = *carried_;
    carried_.reset();
    first_arrival_ = arrival;
    (void)builder_.add(sequence, arrival);
    last_sequence_ = sequence;
    count_ = 1;
  }
}

}  // namespace rtcstack::media
