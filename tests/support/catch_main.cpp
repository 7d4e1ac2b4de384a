// The one main() every Catch2 test program links. It keeps library logging silent unless
// RTCSTACK_LOG names a level (RTCSTACK_LOG=debug build/gcc/tests/test_base), and prints a
// machine-readable summary line that scripts/test-all.sh adds up across programs.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>

#include "base/log.h"

namespace {

class SummaryListener : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;

  void testRunEnded(const Catch::TestRunStats& stats) override {
    const Catch::Counts& cases = stats.totals.testCases;
    std::printf("rtcstack-summary: passed=%llu failed=%llu\n",
                static_cast<unsigned long long>(cases.passed),
                static_cast<unsigned long long>(cases.failed + cases.failedButOk));
    std::fflush(stdout);
  }
};

}  // namespace

CATCH_REGISTER_LISTENER(SummaryListener)

int main(int argc, char* argv[]) {
  using rtcstack::base::LogLevel;
  const char* level = std::getenv("RTCSTACK_LOG");
  rtcstack::base::set_log_level(level != nullptr
                                    ? rtcstack::base::log_level_from_string(level, LogLevel::kDebug)
                                    : LogLevel::kOff);
  return Catch::Session().run(argc, argv);
}
