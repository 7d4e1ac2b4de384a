#include "pc/h264_parameters.h"

#include <array>
#include <charconv>

#include "pc/rtp_parameters.h"

namespace rtcstack::pc {
namespace {

// A profile: its profile_idc and the profile-iop bits that must hold (mask, value).
struct ProfilePattern {
  std::uint8_t profile_idc;
  std::uint8_t mask, value;
  H264Profile profile;
};

// Constraint flags (constraint_set0..5 are iop bits 7..2): set1 on Baseline, or set0 and
// set1 on Extended, or set1 on Main make Constrained Baseline; set4 and set5 on High make
// Constrained High. The last two bits are reserved zero; set3 with level 11 means 1b.
constexpr std::array<ProfilePattern, 9> kProfiles = {{
    {0x42, 0x4F, 0x40, H264Profile::kConstrainedBaseline},
    {0x4D, 0x8F, 0x80, H264Profile::kConstrainedBaseline},
    {0x58, 0xCF, 0xC0, H264Profile::kConstrainedBaseline},
    {0x42, 0x4F, 0x00, H264Profile::kBaseline},
    {0x58, 0xCF, 0x80, H264Profile::kBaseline},
    {0x4D, 0xAF, 0x00, H264Profile::kMain},
    {0x64, 0xFF, 0x00, H264Profile::kHigh},
    {0x64, 0xFF, 0x0C, H264Profile::kConstrainedHigh},
    {0xF4, 0xFF, 0x00, H264Profile::kPredictiveHigh444},
}};

constexpr std::uint8_t kConstraintSet3 = 0x10;

// What browsers write for each profile: profile_idc and profile-iop.
std::pair<std::uint8_t, std::uint8_t> written(H264Profile profile) {
  switch (profile) {
    case H264Profile::kConstrainedBaseline: return {0x42, 0xE0};
    case H264Profile::kBaseline: return {0x42, 0x00};
    case H264Profile::kMain: return {0x4D, 0x00};
    case H264Profile::kConstrainedHigh: return {0x64, 0x0C};
    case H264Profile::kHigh: return {0x64, 0x00};
    case H264Profile::kPredictiveHigh444: return {0xF4, 0x00};
  }
  return {0x42, 0x00};
}

bool uses_set3_for_1b(H264Profile profile) {
  return profile == H264Profile::kConstrainedBaseline || profile == H264Profile::kBaseline ||
         profile == H264Profile::kMain;
}

}  // namespace

std::string_view to_string(H264Profile profile) {
  switch (profile) {
    case H264Profile::kConstrainedBaseline: return "constrained baseline";
    case H264Profile::kBaseline: return "baseline";
    case H264Profile::kMain: return "main";
    case H264Profile::kConstrainedHigh: return "constrained high";
    case H264Profile::kHigh: return "high";
    case H264Profile::kPredictiveHigh444: return "predictive high 4:4:4";
  }
  return "?";
}

std::optional<H264ProfileLevel> parse_h264_profile_level_id(std::string_view text) {
  if (text.size() != 6) return std::nullopt;
  std::array<std::uint8_t, 3> bytes{};
  for (std::size_t i = 0; i < 3; ++i) {
    unsigned value = 0;
    const char* first = text.data() + 2 * i;
    const auto [end, error] = std::from_chars(first, first + 2, value, 16);
    if (error != std::errc() || end != first + 2) return std::nullopt;
    bytes[i] = static_cast<std::uint8_t>(value);
  }
  const auto [profile_idc, iop, level_idc] = bytes;
  for (const ProfilePattern& pattern : kProfiles) {
    if (pattern.profile_idc != profile_idc || (iop & pattern.mask) != pattern.value) continue;
    std::uint8_t level = level_idc;
    if (level_idc == 11 && (iop & kConstraintSet3) && uses_set3_for_1b(pattern.profile)) level = kH264Level1b;
    if (level != kH264Level1b && (level < 10 || level > 62)) return std::nullopt;
    return H264ProfileLevel{pattern.profile, level};
  }
  return std::nullopt;
}

std::string h264_profile_level_id(const H264ProfileLevel& profile_level) {
  auto [profile_idc, iop] = written(profile_level.profile);
  std::uint8_t level = profile_level.level;
  if (level == kH264Level1b && uses_set3_for_1b(profile_level.profile)) {
    iop |= kConstraintSet3;
    level = 11;
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t byte : {profile_idc, iop, level}) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0x0F]);
  }
  return out;
}

bool h264_level_below(std::uint8_t a, std::uint8_t b) {
  // 1b (9) sits between level 1 (10) and 1.1 (11): compare in tenths, 1b as 10.5.
  const auto order = [](std::uint8_t level) { return level == kH264Level1b ? 21 : level * 2; };
  return order(a) < order(b);
}

std::optional<H264Parameters> read_h264_parameters(std::string_view fmtp) {
  H264Parameters parameters;
  if (const auto value = fmtp_parameter(fmtp, "profile-level-id")) {
    const auto profile_level = parse_h264_profile_level_id(*value);
    if (!profile_level) return std::nullopt;
    parameters.profile_level = *profile_level;
  }
  if (const auto value = fmtp_parameter(fmtp, "packetization-mode")) {
    if (*value != "0" && *value != "1") return std::nullopt;  // 2, interleaved, is not WebRTC's
    parameters.packetization_mode = (*value)[0] - '0';
  }
  parameters.level_asymmetry_allowed = fmtp_parameter(fmtp, "level-asymmetry-allowed") == "1";
  return parameters;
}

std::string h264_fmtp(const H264Parameters& parameters) {
  std::string out;
  if (parameters.level_asymmetry_allowed) out += "level-asymmetry-allowed=1;";
  out += "packetization-mode=" + std::to_string(parameters.packetization_mode);
  out += ";profile-level-id=" + h264_profile_level_id(parameters.profile_level);
  return out;
}

bool same_h264_format(const H264Parameters& a, const H264Parameters& b) {
  return a.profile_level.profile == b.profile_level.profile && a.packetization_mode == b.packetization_mode;
}

H264Parameters h264_answer(const H264Parameters& offered, const H264Parameters& ours) {
  H264Parameters answer = ours;
  const bool asymmetric = offered.level_asymmetry_allowed && ours.level_asymmetry_allowed;
  if (!asymmetric && h264_level_below(offered.profile_level.level, ours.profile_level.level)) {
    answer.profile_level.level = offered.profile_level.level;
  }
  return answer;
}

}  // namespace rtcstack::pc
