// Lets tests in simulated time move OpenSSL's clock. OpenSSL keeps the DTLS
// retransmission timer on gettimeofday(); this test-only definition of gettimeofday
// (in openssl_clock.cpp, linked into test programs, never into the library) answers with
// the simulated time while a ScopedOpensslClock is alive, and with the real time
// otherwise.
#pragma once

#include <functional>

#include "base/time.h"

namespace rtcstack::testing {

class ScopedOpensslClock {
 public:
  /// While this object lives, gettimeofday() reports `now()` (offset to a plausible date).
  explicit ScopedOpensslClock(std::function<base::Instant()> now);
  ~ScopedOpensslClock();
  ScopedOpensslClock(const ScopedOpensslClock&) = delete;
  ScopedOpensslClock& operator=(const ScopedOpensslClock&) = delete;
};

}  // namespace rtcstack::testing
