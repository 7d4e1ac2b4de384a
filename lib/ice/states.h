// ICE roles, modes and the W3C state names (DESIGN.md §3): RTCIceGatheringState and
// RTCIceConnectionState, exactly as the W3C spec spells them.
#pragma once

#include <cstdint>
#include <string_view>

namespace rtcstack::ice {

enum class Role : std::uint8_t { kControlling, kControlled };
/// Full agents gather and check; lite agents (RFC 8445 §2.5) only answer checks on their
/// host candidates, for servers with a public address.
enum class Mode : std::uint8_t { kFull, kLite };

enum class GatheringState : std::uint8_t { kNew, kGathering, kComplete };
enum class ConnectionState : std::uint8_t {
  kNew, kChecking, kConnected, kCompleted, kFailed, kDisconnected, kClosed
};

/// "controlling", "controlled".
std::string_view to_string(Role role);
/// "new", "gathering", "complete".
std::string_view to_string(GatheringState state);
/// "new", "checking", "connected", "completed", "failed", "disconnected", "closed".
std::string_view to_string(ConnectionState state);

}  // namespace rtcstack::ice
