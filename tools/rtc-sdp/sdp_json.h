// The typed SDP model as JSON, for `rtc-sdp json`: every line type and attribute rtcstack
// knows appears with its fields; the rest appears as raw text.
#pragma once

#include <nlohmann/json.hpp>

#include "sdp/session_description.h"

namespace rtcstack::tools {

nlohmann::ordered_json to_json(const sdp::SessionDescription& session);

}  // namespace rtcstack::tools
