#include "base/log.h"

#include <atomic>
#include <charconv>
#include <cstdio>
#include <memory>

namespace rtcstack::base {

namespace {

std::atomic<LogLevel> g_level{LogLevel::kWarning};
// A shared_ptr swapped atomically lets set_log_sink() race with logging threads safely
// without a mutex (lib/ outside lib/net must not own one; see DESIGN.md §1).
std::atomic<std::shared_ptr<const LogSink>> g_sink;

void write_to_stderr(LogLevel level, std::string_view tag, std::string_view message) {
  const std::string_view name = to_string(level);
  std::fprintf(stderr, "[%.*s] %.*s: %.*s\n", static_cast<int>(name.size()), name.data(),
               static_cast<int>(tag.size()), tag.data(), static_cast<int>(message.size()),
               message.data());
}

}  // namespace

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "off";
}

LogLevel log_level_from_string(std::string_view name, LogLevel fallback) {
  for (LogLevel level : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo,
                         LogLevel::kWarning, LogLevel::kError, LogLevel::kOff}) {
    if (name == to_string(level)) return level;
  }
  return fallback;
}

void set_log_level(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }

LogLevel log_level() { return g_level.load(std::memory_order_relaxed); }

void set_log_sink(LogSink sink) {
  g_sink.store(sink ? std::make_shared<const LogSink>(std::move(sink)) : nullptr);
}

void log_message(LogLevel level, std::string_view tag, std::string_view message) {
  if (!log_enabled(level)) return;
  const std::shared_ptr<const LogSink> sink = g_sink.load();
  if (sink) {
    (*sink)(level, tag, message);
  } else {
    write_to_stderr(level, tag, message);
  }
}

LogLine& LogLine::operator<<(double value) {
  char text[32];
  const int n = std::snprintf(text, sizeof text, "%g", value);
  text_.append(text, static_cast<std::size_t>(n));
  return *this;
}

LogLine& LogLine::append_signed(std::int64_t value) {
  char text[24];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  text_.append(text, end);
  return *this;
}

LogLine& LogLine::append_unsigned(std::uint64_t value) {
  char text[24];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  text_.append(text, end);
  return *this;
}

}  // namespace rtcstack::base
