// What PeerConnection::poll_output() gives: a datagram to send, an event, or - once
// nothing else is queued - the time to call handle_timeout() next, with the layer that
// asked for it.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "base/time.h"
#include "base/transmit.h"
#include "pc/events.h"

namespace rtcstack::pc {

using base::Transmit;
/// Which layer wants the connection woken up (for traces): the earliest of them.
enum class TimerReason : std::uint8_t { kNone, kIce, kDtls, kSctp, kRtcp, kSetupDeadline };
std::string_view to_string(TimerReason reason);
struct Timeout {
  base::Instant at;
  TimerReason reason = TimerReason::kNone;
};
using Output = std::variant<Transmit, Event, Timeout>;

}  // namespace rtcstack::pc
