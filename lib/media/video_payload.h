// What every video RTP payload format does, so that one sender and one frame assembler
// serve every codec: a packetizer cuts an encoded frame into payloads, a depacketizer
// reads them back into the codec's bytes. Each codec's format (vp8_payload.h,
// h264_payload.h) implements both; make_packetizer() and make_depacketizer() pick one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "media/video_codec.h"

namespace rtcstack::media {

/// Cuts one stream's encoded frames into RTP payloads. It keeps what lasts from frame to
/// frame (VP8's picture id) and writes into the caller's buffer: no allocation.
class VideoPacketizer {
 public:
  virtual ~VideoPacketizer() = default;
  /// Starts the next frame; `frame` must outlive the calls to next() that follow.
  /// kInvalidArgument for an empty frame, or one this format cannot carry in payloads of
  /// `max_payload` bytes.
  virtual base::Result<void> start(base::ByteView frame, bool key_frame, std::size_t max_payload) = 0;
  /// Writes the next payload into `out` (at least max_payload bytes) and returns it, or
  /// nothing when the frame is done.
  virtual std::optional<base::ByteView> next(base::MutableByteView out) = 0;
  /// The payload next() returned last ends the frame: its packet takes the RTP marker.
  virtual bool last_was_final() const = 0;
};

/// Where a payload stands in its frame, as far as the payload tells.
enum class FrameStart : std::uint8_t {
  kStarts,     ///< it begins a frame (VP8: S set, partition 0)
  kContinues,  ///< it is not a frame's first (VP8: S clear; H.264: a later FU-A fragment)
  kUnknown,    ///< the format does not say: it begins a frame when it follows the last one's marker
};

/// What a complete frame is.
struct FrameInfo {
  bool key_frame = false;
  std::uint16_t width = 0, height = 0;  ///< when the format's key frames tell (VP8)
};

/// Reads one stream's payloads back into the codec's bitstream, as FrameAssembler drives
/// it: frame_start() on each payload, append() for those of the frame in progress, and
/// finish() at its last.
class VideoDepacketizer {
 public:
  virtual ~VideoDepacketizer() = default;
  /// kMalformed or kTruncated for a payload the format refuses.
  virtual base::Result<FrameStart> frame_start(base::ByteView payload) = 0;
  /// A new frame begins (the frame buffer was emptied).
  virtual void begin_frame() = 0;
  /// Appends the codec bytes `payload` carries to `frame`. kMalformed when it does not
  /// fit where it stands (an H.264 fragment with no start).
  virtual base::Result<void> append(base::ByteView payload, base::Buffer& frame) = 0;
  /// The frame's last payload came: what the frame is, with `frame` made whole for a
  /// decoder (H.264 puts the stream's parameter sets in front of an IDR picture sent
  /// without them). kMalformed when the bytes are not a frame.
  virtual base::Result<FrameInfo> finish(base::Buffer& frame) = 0;
};

/// Per-codec choices of the payload format that negotiation makes.
struct PayloadOptions {
  /// H.264 packetization-mode (RFC 6184 §5.6): 1 (non-interleaved: single NAL units,
  /// STAP-A, FU-A) or 0 (single NAL units only).
  int h264_packetization_mode = 1;
};

std::unique_ptr<VideoPacketizer> make_packetizer(VideoCodec codec, const PayloadOptions& options = {});
std::unique_ptr<VideoDepacketizer> make_depacketizer(VideoCodec codec);

}  // namespace rtcstack::media
