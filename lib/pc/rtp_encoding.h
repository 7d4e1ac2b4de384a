// What a sender sends (W3C RTCRtpEncodingParameters, RTCRtpTransceiverInit.sendEncodings):
// one encoding, or up to three simulcast encodings named by rids (RFC 8851, RFC 8853).
// A video transceiver given several encodings offers them with a=rid and a=simulcast; the
// answer says which the peer takes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "pc/rtp_parameters.h"

namespace rtcstack::pc {

/// RTCRtpEncodingParameters, the members rtcstack acts on. The application encodes each
/// encoding itself (one encoder per layer) and hands its packets to send_rtp() with the rid;
/// these members are what it follows, and what the stack enforces (`active`).
struct RtpEncodingParameters {
  /// RFC 8851 rid: 1 to 16 of letters, digits, '-' and '_'. Required when there are
  /// several encodings, unique among them.
  std::string rid;
  /// An inactive encoding sends nothing: send_rtp() refuses its packets.
  bool active = true;
  /// What the encoding's encoder should stay under (bits per second of payload).
  std::optional<std::uint64_t> max_bitrate_bps;
  /// Video: the encoding's picture is the source's divided by this (>= 1). Unset ones of
  /// simulcast video become 4, 2, 1 (W3C: 2 to the power of the encodings after it).
  std::optional<double> scale_resolution_down_by;
  friend bool operator==(const RtpEncodingParameters&, const RtpEncodingParameters&) = default;
};

/// RTCRtpTransceiverInit.
struct RtpTransceiverInit {
  RtpTransceiverDirection direction = RtpTransceiverDirection::kSendRecv;
  /// Empty: one encoding without a rid.
  std::vector<RtpEncodingParameters> send_encodings;
};

/// Whether `rid` is a rid rtcstack sends and accepts: RFC 8851 §10's rid-syntax, at most
/// 16 bytes (what a one-byte header extension carries, RFC 8285 §4.2).
bool valid_rid(std::string_view rid);

/// W3C addTransceiver's checks of sendEncodings, with its defaults filled in:
/// kInvalidArgument for a rid that is not valid_rid(), rids on some encodings but not all,
/// a rid twice, a scale under 1 or a maximum bitrate of 0. Past the most a kind can send
/// (one for audio, kMaxSimulcastLayers for video) the list is cut, as W3C says; audio
/// loses its scales. Empty: one default encoding.
base::Result<std::vector<RtpEncodingParameters>> check_send_encodings(MediaKind kind,
                                                                      std::vector<RtpEncodingParameters> encodings);

/// W3C setParameters' check: `changed` may change what `current` has but not their number
/// or rids (kInvalidArgument), and passes check_send_encodings' value checks.
base::Result<void> check_encodings_change(const std::vector<RtpEncodingParameters>& current,
                                          const std::vector<RtpEncodingParameters>& changed);

}  // namespace rtcstack::pc
