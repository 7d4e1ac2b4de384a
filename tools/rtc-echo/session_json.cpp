#include "session_json.h"

#include <nlohmann/json.hpp>

namespace rtcstack::echo {

std::string to_json(const pc::SessionDescriptionInit& description) {
  return nlohmann::json{{"type", std::string(pc::to_string(description.type))}, {"sdp", description.sdp}}.dump();
}

namespace {

// RTCSessionDescriptionInit is a flat object: refusing deep nesting before the parse
// keeps a hostile body from costing the parser stack and memory per level.
constexpr int kMaxDepth = 4;

bool nested_too_deep(const std::string& text) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

}  // namespace

base::Result<pc::SessionDescriptionInit> from_json(const std::string& text) {
  if (nested_too_deep(text)) {
    return base::Error{base::ErrorCode::kMalformed, "the body nests deeper than " + std::to_string(kMaxDepth) + " levels"};
  }
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return base::Error{base::ErrorCode::kMalformed, "the body is not a JSON object"};
  const auto type = json.find("type");
  const auto sdp = json.find("sdp");
  pc::SessionDescriptionInit description;
  if (type == json.end() || !type->is_string() || !pc::parse_sdp_type(type->get<std::string>(), description.type)) {
    return base::Error{base::ErrorCode::kMalformed, "\"type\" must be offer, answer, pranswer or rollback"};
  }
  if (sdp == json.end() || !sdp->is_string()) return base::Error{base::ErrorCode::kMalformed, "\"sdp\" must be a string"};
  description.sdp = sdp->get<std::string>();
  return description;
}

std::pair<std::string, std::string> split_offer_url(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) return {url, "/offer"};
  const std::string rest = url.substr(path);
  return {url.substr(0, path), rest == "/" ? "/offer" : rest};
}

}  // namespace rtcstack::echo
