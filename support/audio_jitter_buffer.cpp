#include "audio_jitter_buffer.h"

#include <cstring>

namespace rtcstack::support {

AudioJitterBuffer::AudioJitterBuffer(AudioJitterBufferConfig config)
    : config_(config), slots_(config.capacity), bytes_(config.capacity * config.max_packet) {}

AudioJitterBuffer::Slot* AudioJitterBuffer::find(std::int64_t timestamp) {
  Slot& found = slot(timestamp);
  return found.used && found.timestamp == timestamp ? &found : nullptr;
}

void AudioJitterBuffer::insert(base::Instant now, const RtpPacket& packet) {
  const base::ByteView payload = packet.payload();
  if (!first_arrival_) {
    first_arrival_ = now;
    next_ = (std::int64_t{1} << 40) + packet.timestamp();
  }
  const std::int64_t timestamp = unwrap(packet.timestamp());
  if (timestamp < next_) {
    if (playing_) {
      ++late_;
      return;
    }
    next_ = timestamp;  // an earlier first packet, before playout began
  }
  if ((timestamp - next_) / config_.frame_samples >= static_cast<std::int64_t>(slots_.size()) ||
      payload.size() > config_.max_packet || find(timestamp) != nullptr) {
    ++late_;  // too far ahead to hold, too big, or a duplicate
    return;
  }
  Slot& target = slot(timestamp);
  if (!payload.empty()) {
    std::memcpy(bytes_.data() + static_cast<std::size_t>(&target - slots_.data()) * config_.max_packet, payload.data(),
                payload.size());
  }
  target = Slot{true, timestamp, payload.size()};
}

AudioPlayout AudioJitterBuffer::pull(base::Instant now) {
  AudioPlayout out;
  if (!first_arrival_ || (!playing_ && now - *first_arrival_ < config_.target_delay)) return out;
  playing_ = true;
  const std::int64_t timestamp = next_;
  out.timestamp = static_cast<std::uint32_t>(timestamp);
  out.samples = config_.frame_samples;
  const auto view_of = [&](const Slot& slot) {
    return base::ByteView(bytes_.data() + static_cast<std::size_t>(&slot - slots_.data()) * config_.max_packet, slot.size);
  };
  if (Slot* due = find(timestamp)) {
    out.kind = AudioPlayout::Kind::kPacket;
    out.payload = view_of(*due);
    due->used = false;  // its bytes stay readable until the next insert()
    ++played_;
  } else {
    out.kind = AudioPlayout::Kind::kMissing;
    if (const Slot* next = find(timestamp + config_.frame_samples)) out.next_payload = view_of(*next);
    ++missing_;
  }
  next_ = timestamp + config_.frame_samples;
  return out;
}

}  // namespace rtcstack::support
