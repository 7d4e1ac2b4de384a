#include "pc/rtp_encoding.h"

#include <algorithm>
#include <cmath>

#include "media/rtp_stream.h"

namespace rtcstack::pc {
namespace {

base::Error invalid(std::string message) { return base::Error{base::ErrorCode::kInvalidArgument, std::move(message)}; }

// The checks of one encoding's values, shared by addTransceiver and setParameters.
base::Result<void> check_values(const RtpEncodingParameters& encoding) {
  if (encoding.scale_resolution_down_by && !(*encoding.scale_resolution_down_by >= 1.0)) {
    return invalid("sendEncodings: scaleResolutionDownBy must be at least 1");
  }
  if (encoding.max_bitrate_bps && *encoding.max_bitrate_bps == 0) return invalid("sendEncodings: maxBitrate must be above 0");
  return {};
}

}  // namespace

bool valid_rid(std::string_view rid) {
  return !rid.empty() && rid.size() <= 16 && std::all_of(rid.begin(), rid.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

base::Result<std::vector<RtpEncodingParameters>> check_send_encodings(MediaKind kind,
                                                                      std::vector<RtpEncodingParameters> encodings) {
  if (encodings.empty()) encodings.emplace_back();
  const std::size_t named = static_cast<std::size_t>(
      std::count_if(encodings.begin(), encodings.end(), [](const RtpEncodingParameters& e) { return !e.rid.empty(); }));
  if (named != 0 && named != encodings.size()) return invalid("sendEncodings: some encodings have a rid and some not");
  if (encodings.size() > 1 && named == 0) return invalid("sendEncodings: several encodings need a rid each");
  for (std::size_t i = 0; i < encodings.size(); ++i) {
    const RtpEncodingParameters& encoding = encodings[i];
    if (!encoding.rid.empty() && !valid_rid(encoding.rid)) {
      return invalid("sendEncodings: rid \"" + encoding.rid + "\" is not 1-16 letters, digits, '-' or '_' (RFC 8851)");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (encodings[j].rid == encoding.rid && !encoding.rid.empty()) return invalid("sendEncodings: rid \"" + encoding.rid + "\" twice");
    }
    if (auto checked = check_values(encoding); !checked) return checked.error();
  }
  // W3C: what the user agent cannot send is dropped, not refused.
  encodings.resize(std::min(encodings.size(), kind == MediaKind::kAudio ? std::size_t{1} : media::kMaxSimulcastLayers));
  if (kind == MediaKind::kAudio) {
    for (RtpEncodingParameters& encoding : encodings) encoding.scale_resolution_down_by.reset();
    return encodings;
  }
  const bool any_scale = std::any_of(encodings.begin(), encodings.end(),
                                     [](const RtpEncodingParameters& e) { return e.scale_resolution_down_by.has_value(); });
  for (std::size_t i = 0; i < encodings.size(); ++i) {
    if (!any_scale) {
      encodings[i].scale_resolution_down_by = std::ldexp(1.0, static_cast<int>(encodings.size() - 1 - i));
    } else if (!encodings[i].scale_resolution_down_by) {
      encodings[i].scale_resolution_down_by = 1.0;
    }
  }
  return encodings;
}

base::Result<void> check_encodings_change(const std::vector<RtpEncodingParameters>& current,
                                          const std::vector<RtpEncodingParameters>& changed) {
  if (changed.size() != current.size()) {
    return invalid("setParameters: " + std::to_string(changed.size()) + " encodings where the sender has " +
                   std::to_string(current.size()));
  }
  for (std::size_t i = 0; i < changed.size(); ++i) {
    if (changed[i].rid != current[i].rid) return invalid("setParameters: encoding " + std::to_string(i) + "'s rid changed");
    if (auto checked = check_values(changed[i]); !checked) return checked.error();
  }
  return {};
}

}  // namespace rtcstack::pc
