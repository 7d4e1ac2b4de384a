// Lets tests in simulated time move the wall clock that libraries read behind our back:
// OpenSSL keeps the DTLS retransmission timer on gettimeofday(), and usrsctp measures
// RTTs and decides which chunks are old enough to retransmit with it. This test-only
// definition of gettimeofday (wall_clock.cpp, linked into test programs, never into the
// library) answers with the simulated time while a ScopedWallClock is alive, and with the
// real time otherwise.
#pragma once

#include <functional>

#include "base/time.h"

namespace rtcstack::testing {

class ScopedWallClock {
 public:
  /// While this object lives, gettimeofday() reports `now()` (offset to a plausible
  /// date). Scopes nest: the previous clock comes back when this one ends.
  explicit ScopedWallClock(std::function<base::Instant()> now);
  ~ScopedWallClock();
  ScopedWallClock(const ScopedWallClock&) = delete;
  ScopedWallClock& operator=(const ScopedWallClock&) = delete;

 private:
  std::function<base::Instant()> previous_;
};

}  // namespace rtcstack::testing
