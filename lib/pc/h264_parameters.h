// H.264's SDP parameters (RFC 6184 §8.1) and how WebRTC endpoints negotiate them:
// profile-level-id names a profile and a level; two H.264 codecs are the same format when
// their profiles and packetization modes agree; the answer's level is the lower of the
// two, or the answerer's own when both allow level asymmetry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rtcstack::pc {

/// The profiles WebRTC endpoints name, each told by profile_idc and the constraint flags
/// of profile-iop (H.264 Annex A.2).
enum class H264Profile : std::uint8_t {
  kConstrainedBaseline,
  kBaseline,
  kMain,
  kConstrainedHigh,
  kHigh,
  kPredictiveHigh444,
};
std::string_view to_string(H264Profile profile);

/// level_idc (Table A-1: 10 is level 1, 31 is level 3.1), with level 1b written as 9.
inline constexpr std::uint8_t kH264Level1b = 9;

struct H264ProfileLevel {
  H264Profile profile = H264Profile::kBaseline;
  std::uint8_t level = 10;
  friend bool operator==(const H264ProfileLevel&, const H264ProfileLevel&) = default;
};

/// Six hex digits: profile_idc, profile-iop, level_idc. Nothing for text that is not, or
/// names no profile above.
std::optional<H264ProfileLevel> parse_h264_profile_level_id(std::string_view text);
/// The six hex digits browsers write for it ("42e01f" for Constrained Baseline 3.1).
std::string h264_profile_level_id(const H264ProfileLevel& profile_level);
/// Level order, with 1b between 1 and 1.1.
bool h264_level_below(std::uint8_t a, std::uint8_t b);

/// An H.264 codec's fmtp, with RFC 6184's defaults for what it leaves out (profile-level-id
/// 42000a, packetization-mode 0).
struct H264Parameters {
  H264ProfileLevel profile_level{H264Profile::kBaseline, 10};
  int packetization_mode = 0;
  bool level_asymmetry_allowed = false;
};

/// Nothing when a parameter rtcstack acts on is malformed or names what it does not know
/// (an unknown profile, packetization-mode 2).
std::optional<H264Parameters> read_h264_parameters(std::string_view fmtp);
/// The fmtp written for `parameters`, in browsers' order.
std::string h264_fmtp(const H264Parameters& parameters);
/// The same format: the same profile and packetization mode (levels may differ).
bool same_h264_format(const H264Parameters& a, const H264Parameters& b);
/// Our answer's parameters for an offered codec of our format `ours`: its profile and mode,
/// and the level of RFC 6184 §8.2.2 (the lower of the two; ours when both allow asymmetry).
H264Parameters h264_answer(const H264Parameters& offered, const H264Parameters& ours);

}  // namespace rtcstack::pc
