// Reassembles VP8 frames (RFC 7741 §4.5) from RTP packets handed over in sequence-number
// order, as a jitter buffer releases them, and keeps track of the reference chain: after a
// loss nothing is decodable until the next key frame, which needs_key_frame() asks for.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "media/rtp_packet.h"

namespace rtcstack::media {

struct AssembledVp8Frame {
  base::ByteView bytes;  ///< the encoded frame; valid until the next push()
  std::uint32_t timestamp = 0;
  std::optional<std::uint16_t> picture_id;
  bool key_frame = false;
  /// A key frame, or a delta frame whose every predecessor since the last key frame
  /// arrived whole. Only decodable frames should reach the decoder.
  bool decodable = false;
  std::uint16_t width = 0, height = 0;  ///< key frames only
};

class Vp8FrameAssembler {
 public:
  /// Takes the next packet of the stream. Returns the frame this packet completes (its
  /// marker bit set and every packet since the frame's first present), if any.
  std::optional<AssembledVp8Frame> push(const RtpPacket& packet);
  /// True from the start and after a loss, until a key frame completes: send a PLI.
  bool needs_key_frame() const { return !chain_intact_; }

  std::uint64_t frames_completed() const { return completed_; }
  std::uint64_t frames_dropped() const { return dropped_; }  ///< incomplete, discarded
  std::uint64_t packets_malformed() const { return malformed_; }

 private:
  void drop_current();

  base::Buffer frame_;  // reused: no allocation per frame once grown
  bool in_frame_ = false;
  bool frame_broken_ = false;
  bool chain_intact_ = false;
  std::uint32_t timestamp_ = 0;
  std::optional<std::uint16_t> picture_id_;
  std::optional<std::uint16_t> next_sequence_;
  std::uint64_t completed_ = 0, dropped_ = 0, malformed_ = 0;
};

}  // namespace rtcstack::media
