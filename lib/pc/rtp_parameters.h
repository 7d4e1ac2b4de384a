// The media vocabulary of the W3C API: a track's kind, a negotiated codec
// (RTCRtpCodecParameters) and a transceiver's direction (RTCRtpTransceiverDirection).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

}  // namespace rtcstack::pc
