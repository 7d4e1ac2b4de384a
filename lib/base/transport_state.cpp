#include "base/transport_state.h"

namespace rtcstack::base {

std::string_view to_string(TransportState state) {
  switch (state) {
    case TransportState::kNew: return "new";
    case TransportState::kConnecting: return "connecting";
    case TransportState::kConnected: return "connected";
    case TransportState::kClosed: return "closed";
    case TransportState::kFailed: return "failed";
  }
  return "?";
}

}  // namespace rtcstack::base
