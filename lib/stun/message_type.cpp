#include "stun/message_type.h"

namespace rtcstack::stun {

std::string_view to_string(StunMethod method) {
  switch (method) {
    case StunMethod::kBinding: return "Binding";
    case StunMethod::kAllocate: return "Allocate";
    case StunMethod::kRefresh: return "Refresh";
    case StunMethod::kSend: return "Send";
    case StunMethod::kData: return "Data";
    case StunMethod::kCreatePermission: return "CreatePermission";
    case StunMethod::kChannelBind: return "ChannelBind";
  }
  return "unknown method";
}

std::string_view to_string(StunClass cls) {
  switch (cls) {
    case StunClass::kRequest: return "request";
    case StunClass::kIndication: return "indication";
    case StunClass::kSuccessResponse: return "success response";
    case StunClass::kErrorResponse: return "error response";
  }
  return "unknown class";
}

}  // namespace rtcstack::stun
