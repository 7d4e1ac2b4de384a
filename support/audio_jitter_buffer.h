// Plays out one audio stream at a steady pace: packets go in as they arrive (reordered,
// late, lost), and every frame interval the player asks for what to decode next: the
// packet due, or word that it is missing, with the packet after it when that one is
// here (Opus can rebuild a lost frame from the next packet's FEC data) so the decoder can
// recover or conceal. Playout starts `target_delay` after the first packet. Slots are
// allocated once.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/time.h"
#include "media/rtp_packet.h"

namespace rtcstack::support {

using media::RtpPacket;

struct AudioJitterBufferConfig {
  std::size_t capacity = 64;      ///< packets (64 x 20 ms = 1.28 s)
  std::size_t max_packet = 1500;  ///< bytes of payload per packet
  base::Duration target_delay = base::Duration::milliseconds(60);
  std::uint32_t frame_samples = 960;  ///< RTP timestamp units per frame (20 ms at 48 kHz)
};

struct AudioPlayout {
  enum class Kind : std::uint8_t {
    kWaiting,  ///< nothing to play yet (before the first packet and the target delay)
    kPacket,   ///< decode `payload`
    kMissing,  ///< conceal `samples`; `next_payload` may hold FEC for them
  };
  Kind kind = Kind::kWaiting;
  std::uint32_t timestamp = 0;
  std::uint32_t samples = 0;
  base::ByteView payload;
  std::optional<base::ByteView> next_payload;
};

class AudioJitterBuffer {
 public:
  explicit AudioJitterBuffer(AudioJitterBufferConfig config = {});

  /// Takes a packet; one for a frame already played, or already here, is dropped.
  void insert(base::Instant now, const RtpPacket& packet);
  /// The next frame to play. Call once per frame interval; views stay valid until the
  /// next insert().
  AudioPlayout pull(base::Instant now);

  std::uint64_t played() const { return played_; }
  std::uint64_t missing() const { return missing_; }
  std::uint64_t late() const { return late_; }

 private:
  struct Slot {
    bool used = false;
    std::int64_t timestamp = 0;  // unwrapped
    std::size_t size = 0;
  };
  // Timestamps unwrapped around the next one to play, so slots stay in order across the
  // 32-bit wrap.
  std::int64_t unwrap(std::uint32_t timestamp) const { return next_ + static_cast<std::int32_t>(timestamp - static_cast<std::uint32_t>(next_)); }
  Slot& slot(std::int64_t timestamp) { return slots_[static_cast<std::size_t>(timestamp / config_.frame_samples) % slots_.size()]; }
  Slot* find(std::int64_t timestamp);

  AudioJitterBufferConfig config_;
  std::vector<Slot> slots_;
  std::vector<std::uint8_t> bytes_;
  std::optional<base::Instant> first_arrival_;
  std::int64_t next_ = 0;  // the frame pull() plays next, unwrapped (kept positive)
  bool playing_ = false;
  std::uint64_t played_ = 0, missing_ = 0, late_ = 0;
};

}  // namespace rtcstack::support
