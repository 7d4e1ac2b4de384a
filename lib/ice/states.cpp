#include "ice/states.h"

namespace rtcstack::ice {

std::string_view to_string(Role role) {
  return role == Role::kControlling ? "controlling" : "controlled";
}

std::string_view to_string(GatheringState state) {
  switch (state) {
    case GatheringState::kNew: return "new";
    case GatheringState::kGathering: return "gathering";
    case GatheringState::kComplete: return "complete";
  }
  return "new";
}

std::string_view to_string(ConnectionState state) {
  switch (state) {
    case ConnectionState::kNew: return "new";
    case ConnectionState::kChecking: return "checking";
    case ConnectionState::kConnected: return "connected";
    case ConnectionState::kCompleted: return "completed";
    case ConnectionState::kFailed: return "failed";
    case ConnectionState::kDisconnected: return "disconnected";
    case ConnectionState::kClosed: return "closed";
  }
  return "new";
}

}  // namespace rtcstack::ice
