#include "base/error.h"

#include <cstdio>
#include <cstdlib>

#include "base/result.h"

namespace rtcstack::base {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kMalformed: return "malformed";
    case ErrorCode::kTruncated: return "truncated";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kAuthentication: return "authentication";
    case ErrorCode::kWrongState: return "wrong_state";
    case ErrorCode::kResourceExhausted: return "resource_exhausted";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kClosed: return "closed";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string text(base::to_string(code));
  text += ": ";
  text += message;
  return text;
}

void result_contract_violation(const char* what, const Error* error) {
  // Not routed through the log sink: the process is about to abort and the message must
  // reach a human even when logging is silenced (as it is in tests).
  if (error != nullptr) {
    std::fprintf(stderr, "rtcstack: %s: %s\n", what, error->to_string().c_str());
  } else {
    std::fprintf(stderr, "rtcstack: %s\n", what);
  }
  std::abort();
}

}  // namespace rtcstack::base
