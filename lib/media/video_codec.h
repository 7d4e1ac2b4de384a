// The video codecs rtcstack encodes and decodes, behind one interface so that senders,
// receivers and the tools pick a codec by its SDP name: VP8 and VP9 (libvpx), H.264
// (OpenH264), AV1 (libaom to encode, dav1d to decode).
// Pictures are I420 in the caller's memory; encoded frames are views into the codec's
// own output, valid until its next call.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::media {

enum class VideoCodec : std::uint8_t { kVp8, kH264, kVp9, kAv1 };

/// The codec's name as a=rtpmap writes it ("VP8", "H264", "VP9", "AV1").
std::string_view to_string(VideoCodec codec);
/// The codec an a=rtpmap name means (case-insensitive, RFC 4855 §3), if rtcstack has it.
std::optional<VideoCodec> video_codec_from_name(std::string_view name);

/// An I420 picture in someone else's memory: a full-size Y plane and half-size U, V.
struct I420View {
  int width = 0;
  int height = 0;
  const std::uint8_t* y = nullptr;
  const std::uint8_t* u = nullptr;
  const std::uint8_t* v = nullptr;
  int stride_y = 0, stride_u = 0, stride_v = 0;
};

struct VideoEncoderConfig {
  int width = 640;
  int height = 480;
  int bitrate_kbps = 1000;
  int fps = 30;
  int key_frame_interval = 3000;  ///< frames; WebRTC relies on PLI rather than periodic key frames
  int cpu_used = -6;              ///< libvpx's VP8 speed: -16 fastest .. 16; negative is realtime-adaptive
  /// H.264: 0 for one slice a picture; otherwise slices of at most this many bytes, so that
  /// each NAL unit fits one RTP payload (packetization-mode 0).
  int max_nal_size = 0;
};

/// One encoded frame: a view into the encoder's output, valid until the next encode().
/// H.264 frames are an Annex B byte stream (start codes before each NAL unit), AV1 frames
/// temporal units of OBUs with size fields.
struct EncodedFrame {
  base::ByteView bytes;
  bool key_frame = false;
};

/// A realtime encoder: one pass, no lag (a frame out for every frame in, unless its rate
/// control drops one), CBR toward a target, key frames on request.
class VideoEncoder {
 public:
  virtual ~VideoEncoder() = default;
  /// Encodes the next picture (the configured size) taken at `timestamp_90k`. Empty when
  /// the rate control dropped the frame.
  virtual base::Result<std::optional<EncodedFrame>> encode(const I420View& picture, std::uint32_t timestamp_90k,
                                                           bool force_key_frame = false) = 0;
  /// From the next frame on.
  virtual base::Result<void> set_bitrate(int bitrate_kbps) = 0;
};

class VideoDecoder {
 public:
  virtual ~VideoDecoder() = default;
  /// Decodes one whole frame; the picture is the decoder's, valid until the next decode().
  /// kMalformed when the decoder rejects the frame (corrupt, or its reference is missing).
  virtual base::Result<I420View> decode(base::ByteView frame) = 0;
};

/// kInvalidArgument for sizes that are not even and positive, or a rate that is not
/// positive; kInternal when the codec library refuses.
base::Result<std::unique_ptr<VideoEncoder>> create_video_encoder(VideoCodec codec, const VideoEncoderConfig& config);
base::Result<std::unique_ptr<VideoDecoder>> create_video_decoder(VideoCodec codec);

namespace detail {
/// The size checks every encoder makes.
base::Result<void> check_encoder_config(const VideoEncoderConfig& config);
}  // namespace detail

}  // namespace rtcstack::media
