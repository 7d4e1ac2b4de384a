#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "base/log.h"
#include "base/time.h"

using rtcstack::base::LogLevel;

namespace {

struct Captured {
  LogLevel level;
  std::string tag;
  std::string message;
};

// Installs a capturing sink and a level for one test, restoring the silent test defaults.
class CaptureLog {
 public:
  explicit CaptureLog(LogLevel level) {
    rtcstack::base::set_log_level(level);
    rtcstack::base::set_log_sink([this](LogLevel l, std::string_view tag, std::string_view text) {
      lines.push_back({l, std::string(tag), std::string(text)});
    });
  }
  ~CaptureLog() {
    rtcstack::base::set_log_sink(nullptr);
    rtcstack::base::set_log_level(LogLevel::kOff);
  }
  std::vector<Captured> lines;
};

int g_evaluations = 0;
int counted() { return ++g_evaluations; }

}  // namespace

TEST_CASE("messages at or above the level reach the sink, formatted", "[base][log]") {
  CaptureLog log(LogLevel::kInfo);
  RTC_LOG(kInfo, "ice") << "pair " << 3 << " rtt " << rtcstack::base::Duration::milliseconds(25)
                        << ' ' << true << " x=" << std::uint8_t{200} << " y=" << -7LL << " z=" << 0.5;
  RTC_LOG(kDebug, "ice") << "dropped";
  RTC_LOG(kError, "dtls") << "handshake failed";
  REQUIRE(log.lines.size() == 2);
  CHECK(log.lines[0].level == LogLevel::kInfo);
  CHECK(log.lines[0].tag == "ice");
  CHECK(log.lines[0].message == "pair 3 rtt 25ms true x=200 y=-7 z=0.5");
  CHECK(log.lines[1].tag == "dtls");
  CHECK(log.lines[1].message == "handshake failed");
}

TEST_CASE("a disabled message is not even formatted", "[base][log]") {
  CaptureLog log(LogLevel::kWarning);
  g_evaluations = 0;
  RTC_LOG(kDebug, "test") << counted();
  CHECK(g_evaluations == 0);
  RTC_LOG(kWarning, "test") << counted();
  CHECK(g_evaluations == 1);
  CHECK(log.lines.size() == 1);
}

TEST_CASE("level Off silences everything, including errors", "[base][log]") {
  CaptureLog log(LogLevel::kOff);
  RTC_LOG(kError, "test") << "nobody hears this";
  rtcstack::base::log_message(LogLevel::kError, "test", "nor this");
  CHECK(log.lines.empty());
}

TEST_CASE("level names round-trip", "[base][log]") {
  using rtcstack::base::log_level_from_string;
  for (LogLevel level : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning,
                         LogLevel::kError, LogLevel::kOff}) {
    CHECK(log_level_from_string(rtcstack::base::to_string(level), LogLevel::kOff) == level);
  }
  CHECK(log_level_from_string("verbose", LogLevel::kInfo) == LogLevel::kInfo);
}
