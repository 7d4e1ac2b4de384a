// The media vocabulary of the W3C API: a track's kind, a negotiated codec
// (RTCRtpCodecParameters) and a transceiver's direction (RTCRtpTransceiverDirection).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/opus_codec.h"
#include "media/video_codec.h"
#include "media/video_payload.h"
#include "sdp/direction.h"

namespace rtcstack::pc {

/// Identifies an RTCRtpTransceiver.
using TransceiverHandle = std::uint32_t;

/// RTCRtpTransceiverDirection ("stopped" is told by transceiver_stopped()).
using RtpTransceiverDirection = sdp::Direction;

/// A track's kind (MediaStreamTrack.kind), which is its section's media type.
enum class MediaKind : std::uint8_t { kAudio, kVideo };
std::string_view to_string(MediaKind kind);

/// RTCRtpCodecParameters: one codec of a section, with what goes with it.
struct CodecParameters {
  std::uint8_t payload_type = 0;
  std::string name;  ///< as in a=rtpmap: "opus", "VP8"
  std::uint32_t clock_rate = 0;
  std::uint16_t channels = 1;
  std::string fmtp;                   ///< a=fmtp parameters, verbatim
  std::vector<std::string> feedback;  ///< a=rtcp-fb values: "nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"
  std::optional<std::uint8_t> rtx_payload_type;  ///< RFC 4588 rtx with apt= this codec
  friend bool operator==(const CodecParameters&, const CodecParameters&) = default;
};

/// The same codec as negotiation matches them: name (in any case), clock rate, channels,
/// for H.264 the same profile and packetization-mode (h264_parameters.h), for VP9 the same
/// profile-id (RFC 9628 §6), for AV1 the same profile (0 when either is absent). Payload
/// types, feedback and RTX do not count.
bool same_codec(const CodecParameters& a, const CodecParameters& b);

/// The value of `key` in an a=fmtp parameter list ("k1=v1;k2=v2", spaces around either
/// allowed), if it is there.
std::optional<std::string_view> fmtp_parameter(std::string_view fmtp, std::string_view key);

/// The lib/media video codec a negotiated codec is, for media::VideoSender and
/// VideoReceiver; nothing for audio codecs and those lib/media does not have.
std::optional<media::VideoCodec> video_codec(const CodecParameters& codec);
/// The payload format's negotiated options (H.264's packetization-mode).
media::PayloadOptions payload_options(const CodecParameters& codec);
/// An Opus encoder configured as the peer's fmtp asks (RFC 7587 §6.1): stereo=1 two
/// channels, useinbandfec=1 in-band FEC, usedtx=1 DTX, maxaveragebitrate a lower bitrate
/// than the 32 kbit/s default. For "red", the Opus codec it carries (pass that one).
media::OpusEncoderConfig opus_encoder_config(const CodecParameters& codec);
/// The payload type a RED codec's fmtp names for its blocks ("111/111"), if it does.
std::optional<std::uint8_t> red_block_payload_type(const CodecParameters& red);

}  // namespace rtcstack::pc
