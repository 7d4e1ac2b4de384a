// Reassembles video frames from RTP packets handed over in sequence-number order, as a
// jitter buffer releases them, for any codec through its depacketizer (video_payload.h),
// and keeps track of the reference chain: after a loss nothing is decodable until the
// next key frame, which needs_key_frame() asks for.
//
// A frame is the packets of one timestamp up to the one with the marker bit. Where the
// format marks a frame's first packet (VP8), a gap just before it costs nothing; where it
// does not (H.264), a packet begins a frame only when it follows the previous frame's
// marker with no gap, since a lost packet before it may have been the frame's start.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "base/bytes.h"
#include "media/rtp_packet.h"
#include "media/video_payload.h"

namespace rtcstack::media {

struct AssembledFrame {
  base::ByteView bytes;  ///< the encoded frame; valid until the next push()
  std::uint32_t timestamp = 0;
  bool key_frame = false;
  /// A key frame, or a delta frame whose every predecessor since the last key frame
  /// arrived whole. Only decodable frames should reach the decoder.
  bool decodable = false;
  std::uint16_t width = 0, height = 0;  ///< key frames of formats that tell (VP8)
};

class FrameAssembler {
 public:
  explicit FrameAssembler(VideoCodec codec) : FrameAssembler(make_depacketizer(codec)) {}
  explicit FrameAssembler(std::unique_ptr<VideoDepacketizer> depacketizer) : depacketizer_(std::move(depacketizer)) {}

  /// Takes the next packet of the stream. Returns the frame this packet completes (its
  /// marker bit set and every packet since the frame's first present), if any.
  std::optional<AssembledFrame> push(const RtpPacket& packet);
  /// True from the start and after a loss, until a key frame completes: send a PLI.
  bool needs_key_frame() const { return !chain_intact_; }

  std::uint64_t frames_completed() const { return completed_; }
  std::uint64_t frames_dropped() const { return dropped_; }  ///< incomplete, discarded
  std::uint64_t packets_malformed() const { return malformed_; }

 private:
  void drop_current();
  void begin(std::uint32_t timestamp, bool broken);

  std::unique_ptr<VideoDepacketizer> depacketizer_;
  base::Buffer frame_;  // reused: no allocation per frame once grown
  bool in_frame_ = false;
  bool frame_broken_ = false;
  bool chain_intact_ = false;
  bool after_gap_ = false;    // packets were missing just before this one
  bool after_marker_ = true;  // the packet before this one ended a frame (or none came yet)
  std::uint32_t timestamp_ = 0;
  std::optional<std::uint16_t> next_sequence_;
  std::uint64_t completed_ = 0, dropped_ = 0, malformed_ = 0;
};

}  // namespace rtcstack::media
