#include "session_json.h"

#include <nlohmann/json.hpp>

namespace rtcstack::echo {

std::string to_json(const pc::SessionDescription& description) {
  return nlohmann::json{{"type", std::string(pc::to_string(description.type))}, {"sdp", description.sdp}}.dump();
}

base::Result<pc::SessionDescription> from_json(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return base::Error{base::ErrorCode::kMalformed, "the body is not a JSON object"};
  const auto type = json.find("type");
  const auto sdp = json.find("sdp");
  pc::SessionDescription description;
  if (type == json.end() || !type->is_string() || !pc::parse_sdp_type(type->get<std::string>(), description.type)) {
    return base::Error{base::ErrorCode::kMalformed, "\"type\" must be offer, answer, pranswer or rollback"};
  }
  if (sdp == json.end() || !sdp->is_string()) return base::Error{base::ErrorCode::kMalformed, "\"sdp\" must be a string"};
  description.sdp = sdp->get<std::string>();
  return description;
}

}  // namespace rtcstack::echo
