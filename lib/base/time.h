// Time as values. The sans-IO cores never read a clock: the caller passes `now` in, so
// the same code runs on the wall clock, on simulated time in tests, and in a fuzzer.
// Duration and Instant count nanoseconds in 64 bits (about 292 years either way).
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace rtcstack::base {

/// A signed span of time with nanosecond resolution.
class Duration {
 public:
  constexpr Duration() = default;

  static constexpr Duration nanoseconds(std::int64_t n) { return Duration(n); }
  static constexpr Duration microseconds(std::int64_t n) { return Duration(n * 1'000); }
  static constexpr Duration milliseconds(std::int64_t n) { return Duration(n * 1'000'000); }
  static constexpr Duration seconds(std::int64_t n) { return Duration(n * 1'000'000'000); }
  static constexpr Duration zero() { return Duration(0); }
  /// Longer than any real timeout; used as "never".
  static constexpr Duration max() { return Duration(INT64_MAX); }

  constexpr std::int64_t as_nanoseconds() const { return ns_; }
  /// Truncated toward zero.
  constexpr std::int64_t as_microseconds() const { return ns_ / 1'000; }
  constexpr std::int64_t as_milliseconds() const { return ns_ / 1'000'000; }
  constexpr double as_seconds() const { return static_cast<double>(ns_) / 1e9; }

  constexpr Duration operator+(Duration other) const { return Duration(ns_ + other.ns_); }
  constexpr Duration operator-(Duration other) const { return Duration(ns_ - other.ns_); }
  constexpr Duration operator-() const { return Duration(-ns_); }
  constexpr Duration operator*(std::int64_t factor) const { return Duration(ns_ * factor); }
  constexpr Duration operator/(std::int64_t divisor) const { return Duration(ns_ / divisor); }
  constexpr Duration& operator+=(Duration other) { ns_ += other.ns_; return *this; }
  constexpr Duration& operator-=(Duration other) { ns_ -= other.ns_; return *this; }

  constexpr auto operator<=>(const Duration&) const = default;

  /// Human-readable with a fitting unit: "250ms", "1.5s", "40us", "-3ns".
  std::string to_string() const;

 private:
  constexpr explicit Duration(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

/// A point in monotonic time: nanoseconds since an origin chosen by the clock that made
/// it. Instants from different clocks must not be compared.
class Instant {
 public:
  constexpr Instant() = default;

  static constexpr Instant from_nanoseconds(std::int64_t ns) { return Instant(ns); }
  /// Later than any real instant; a timeout at max() never fires.
  static constexpr Instant max() { return Instant(INT64_MAX); }

  constexpr std::int64_t nanoseconds_since_origin() const { return ns_; }

  constexpr Instant operator+(Duration d) const { return Instant(ns_ + d.as_nanoseconds()); }
  constexpr Instant operator-(Duration d) const { return Instant(ns_ - d.as_nanoseconds()); }
  constexpr Duration operator-(Instant other) const {
    return Duration::nanoseconds(ns_ - other.ns_);
  }
  constexpr Instant& operator+=(Duration d) { ns_ += d.as_nanoseconds(); return *this; }

  constexpr auto operator<=>(const Instant&) const = default;

  /// Time since the origin, e.g. "T+1.5s".
  std::string to_string() const;

 private:
  constexpr explicit Instant(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

}  // namespace rtcstack::base
