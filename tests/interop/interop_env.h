// What the interop tests share: the server address their wrapper script started, and the
// wall clock (test code may read it; the library never does).
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>

#include "base/socket_address.h"
#include "base/time.h"

namespace rtcstack::testing {

/// RTCSTACK_TURN_SERVER (or, for IPv6, RTCSTACK_TURN_SERVER6), set by
/// tests/interop/with_coturn.sh.
inline base::SocketAddress turn_server_address(bool ipv6 = false) {
  const char* name = ipv6 ? "RTCSTACK_TURN_SERVER6" : "RTCSTACK_TURN_SERVER";
  const char* text = std::getenv(name);
  if (text == nullptr) FAIL(name << " is not set: run through tests/interop/with_coturn.sh");
  return *base::SocketAddress::parse(text);
}

/// The monotonic clock as an Instant.
inline base::Instant wall_now() {
  return base::Instant::from_nanoseconds(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                             std::chrono::steady_clock::now().time_since_epoch())
                                             .count());
}

}  // namespace rtcstack::testing
