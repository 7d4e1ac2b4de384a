// Holds the RTP packets of one video stream until they can go on in sequence order: it
// absorbs reordering and waits for retransmissions (NackTracker asks for them), and
// releases packets one after another to the frame assembler. A gap is skipped only when
// the packet after it has waited `max_wait` (the repair failed) or the buffer is full;
// the assembler then sees the gap and asks for a key frame. Slots are allocated once.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/time.h"
#include "media/rtp_packet.h"

namespace rtcstack::media {

struct JitterBufferConfig {
  std::size_t capacity = 512;      ///< packets held at most (a power of two is not required)
  std::size_t max_packet = 1500;   ///< bytes per packet
  base::Duration max_wait = base::Duration::milliseconds(300);  ///< before a gap is skipped
  /// Held before the first release, so that a stream whose first packets arrive out of
  /// order starts at its lowest sequence number.
  base::Duration start_delay = base::Duration::milliseconds(20);
};

class VideoJitterBuffer {
 public:
  explicit VideoJitterBuffer(JitterBufferConfig config = {});

  /// Takes a packet (an original, or one restored from RTX). Duplicates, packets behind
  /// the release point and packets too large are dropped (counted).
  void insert(base::Instant now, const RtpPacket& packet);

  /// Calls `release(RtpPacket)` for every packet that can go on now, in order.
  template <typename Release>
  void release(base::Instant now, Release&& release);

  /// When release() could next skip a gap, if a packet waits behind one.
  std::optional<base::Instant> next_release() const;

  std::size_t held() const { return held_; }
  std::uint64_t dropped() const { return dropped_; }
  std::uint64_t gaps_skipped() const { return gaps_skipped_; }

 private:
  struct Slot {
    bool used = false;
    std::int64_t sequence = 0;  // unwrapped
    base::Instant arrived;
    std::size_t size = 0;
  };
  std::int64_t unwrap(std::uint16_t sequence) const;
  Slot& slot(std::int64_t sequence) { return slots_[static_cast<std::size_t>(sequence) % slots_.size()]; }
  base::ByteView bytes_of(const Slot& s) const;
  std::optional<std::int64_t> oldest_held() const;

  JitterBufferConfig config_;
  std::vector<Slot> slots_;
  std::vector<std::uint8_t> bytes_;
  std::optional<std::int64_t> next_;     // the next sequence number to release
  std::optional<base::Instant> first_arrival_;  // until the first release
  bool started_ = false;
  std::int64_t highest_ = 0;
  std::size_t held_ = 0;
  std::uint64_t dropped_ = 0, gaps_skipped_ = 0;
};

template <typename Release>
void VideoJitterBuffer::release(base::Instant now, Release&& release) {
  if (!started_) {
    if (!first_arrival_ || now - *first_arrival_ < config_.start_delay) return;
    started_ = true;
  }
  while (held_ > 0 && next_) {
    Slot& s = slot(*next_);
    if (s.used && s.sequence == *next_) {
      s.used = false;
      --held_;
      ++*next_;
      if (auto packet = RtpPacket::parse(bytes_of(s))) release(*packet);
      continue;
    }
    // A gap: wait for the repair unless the packet after it waited too long or space ran out.
    const auto oldest = oldest_held();
    if (!oldest) break;
    const Slot& waiting = slot(*oldest);
    if (now - waiting.arrived < config_.max_wait && held_ < slots_.size() * 3 / 4) break;
    ++gaps_skipped_;
    next_ = *oldest;
  }
}

}  // namespace rtcstack::media
