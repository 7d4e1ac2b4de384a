#include "media/jitter_buffer.h"

#include <cstring>

namespace rtcstack::media {

VideoJitterBuffer::VideoJitterBuffer(JitterBufferConfig config)
    : config_(config), slots_(config.capacity), bytes_(config.capacity * config.max_packet) {}

std::int64_t VideoJitterBuffer::unwrap(std::uint16_t sequence) const {
  const auto delta = static_cast<std::int16_t>(static_cast<std::uint16_t>(sequence - static_cast<std::uint16_t>(highest_)));
  return highest_ + delta;
}

base::ByteView VideoJitterBuffer::bytes_of(const Slot& s) const {
  return {bytes_.data() + static_cast<std::size_t>(&s - slots_.data()) * config_.max_packet, s.size};
}

void VideoJitterBuffer::insert(base::Instant now, const RtpPacket& packet) {
  const base::ByteView bytes = packet.bytes();
  std::int64_t sequence = packet.sequence_number();
  if (!next_) {
    next_ = sequence;
    highest_ = sequence;
    first_arrival_ = now;
  } else {
    sequence = unwrap(packet.sequence_number());
    // Before the first release the stream may still start earlier than its first arrival.
    if (!started_ && sequence < *next_ && highest_ - sequence < static_cast<std::int64_t>(slots_.size())) next_ = sequence;
  }
  // Behind the release point, too far ahead to hold, or too large.
  if (sequence < *next_ || sequence >= *next_ + static_cast<std::int64_t>(slots_.size()) || bytes.size() > config_.max_packet) {
    ++dropped_;
    return;
  }
  // Inside the window every number has a slot of its own, so a used slot is a duplicate.
  Slot& s = slot(sequence);
  if (s.used) {
    ++dropped_;
    return;
  }
  std::memcpy(bytes_.data() + static_cast<std::size_t>(&s - slots_.data()) * config_.max_packet, bytes.data(), bytes.size());
  s = Slot{true, sequence, now, bytes.size()};
  ++held_;
  if (sequence > highest_) highest_ = sequence;
}

std::optional<std::int64_t> VideoJitterBuffer::oldest_held() const {
  if (!next_ || held_ == 0) return std::nullopt;
  for (std::int64_t s = *next_; s <= highest_; ++s) {
    const Slot& candidate = slots_[static_cast<std::size_t>(s) % slots_.size()];
    if (candidate.used && candidate.sequence == s) return s;
  }
  return std::nullopt;
}

std::optional<base::Instant> VideoJitterBuffer::next_release() const {
  const auto oldest = oldest_held();
  if (!oldest || *oldest == *next_) return std::nullopt;
  return slots_[static_cast<std::size_t>(*oldest) % slots_.size()].arrived + config_.max_wait;
}

}  // namespace rtcstack::media
