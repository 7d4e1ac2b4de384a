// Logging with levels and a user-settable sink.
//
//   RTC_LOG(kInfo, "ice") << "pair " << id << " succeeded";
//
// The message is only formatted when its level is enabled, so disabled logging costs one
// atomic load. The default sink writes one line per message to stderr; programs that
// embed rtcstack route messages into their own logging with set_log_sink(). Tests start
// silent (see tests/support/catch_main.cpp).
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace rtcstack::base {

enum class LogLevel : std::uint8_t { kTrace, kDebug, kInfo, kWarning, kError, kOff };

/// "trace", "debug", "info", "warning", "error", "off".
std::string_view to_string(LogLevel level);
/// Parses the names above; anything else gives `fallback`.
LogLevel log_level_from_string(std::string_view name, LogLevel fallback);

/// Receives each enabled message: its level, the module tag ("ice", "dtls") and the text.
using LogSink = std::function<void(LogLevel, std::string_view tag, std::string_view message)>;

/// Messages below `level` are dropped before formatting. Default: kWarning. Thread-safe.
void set_log_level(LogLevel level);
LogLevel log_level();
inline bool log_enabled(LogLevel level) {
  return level != LogLevel::kOff && level >= log_level();
}

/// Replaces the sink; an empty function restores the stderr sink. Thread-safe: a message
/// being written concurrently goes to either the old or the new sink. The sink may be
/// called from any thread that logs (in the Runtime, the IO thread).
void set_log_sink(LogSink sink);

/// Sends one message to the sink if `level` is enabled.
void log_message(LogLevel level, std::string_view tag, std::string_view message);

/// Accumulates one message and hands it to the sink when it goes out of scope.
class LogLine {
 public:
  LogLine(LogLevel level, std::string_view tag) : level_(level), tag_(tag) {}
  ~LogLine() { log_message(level_, tag_, text_); }
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  LogLine& operator<<(std::string_view text) { text_ += text; return *this; }
  LogLine& operator<<(const char* text) { text_ += text; return *this; }
  LogLine& operator<<(char c) { text_ += c; return *this; }
  LogLine& operator<<(bool value) { text_ += value ? "true" : "false"; return *this; }
  LogLine& operator<<(double value);
  template <std::signed_integral T>
  LogLine& operator<<(T value) { return append_signed(value); }
  template <std::unsigned_integral T>
  LogLine& operator<<(T value) { return append_unsigned(value); }
  /// Anything with a to_string() member (Duration, Instant, Error, SocketAddress, ...).
  template <class T>
    requires requires(const T& t) { { t.to_string() } -> std::convertible_to<std::string>; }
  LogLine& operator<<(const T& value) { text_ += value.to_string(); return *this; }

 private:
  LogLine& append_signed(std::int64_t value);
  LogLine& append_unsigned(std::uint64_t value);

  LogLevel level_;
  std::string_view tag_;
  std::string text_;
};

}  // namespace rtcstack::base

/// RTC_LOG(kDebug, "stun") << ...; the stream expression is not evaluated when disabled.
#define RTC_LOG(level, tag)                                                     \
  if (!::rtcstack::base::log_enabled(::rtcstack::base::LogLevel::level)) {     \
  } else                                                                        \
    ::rtcstack::base::LogLine(::rtcstack::base::LogLevel::level, tag)
