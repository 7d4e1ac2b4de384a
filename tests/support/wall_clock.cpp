#include "wall_clock.h"

#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

namespace rtcstack::testing {

namespace {

std::function<base::Instant()> g_now;  // tests are single-threaded
constexpr std::int64_t kEpochSeconds = 1'800'000'000;  // simulated time starts in 2027

}  // namespace

ScopedWallClock::ScopedWallClock(std::function<base::Instant()> now) : previous_(std::move(g_now)) {
  g_now = std::move(now);
}
ScopedWallClock::~ScopedWallClock() { g_now = std::move(previous_); }

}  // namespace rtcstack::testing

// Interposes libc's gettimeofday for the test program (libssl and libusrsctp call it
// through the PLT).
extern "C" int gettimeofday(struct timeval* __restrict tv, void* __restrict) noexcept {
  if (rtcstack::testing::g_now) {
    const std::int64_t ns = rtcstack::testing::g_now().nanoseconds_since_origin();
    tv->tv_sec = static_cast<time_t>(rtcstack::testing::kEpochSeconds + ns / 1'000'000'000);
    tv->tv_usec = static_cast<suseconds_t>((ns % 1'000'000'000) / 1000);
    return 0;
  }
  timespec real{};
  syscall(SYS_clock_gettime, CLOCK_REALTIME, &real);
  tv->tv_sec = real.tv_sec;
  tv->tv_usec = static_cast<suseconds_t>(real.tv_nsec / 1000);
  return 0;
}
