#include "base/time.h"

#include <cinttypes>
#include <cstdio>

namespace rtcstack::base {

std::string Duration::to_string() const {
  struct Unit {
    std::int64_t ns;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {{1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}};
  const std::int64_t magnitude = ns_ < 0 ? -ns_ : ns_;
  char text[48];
  for (const Unit& unit : kUnits) {
    if (magnitude >= unit.ns) {
      if (ns_ % unit.ns == 0) {
        std::snprintf(text, sizeof text, "%" PRId64 "%s", ns_ / unit.ns, unit.suffix);
      } else {
        std::snprintf(text, sizeof text, "%.9g%s",
                      static_cast<double>(ns_) / static_cast<double>(unit.ns), unit.suffix);
      }
      return text;
    }
  }
  std::snprintf(text, sizeof text, "%" PRId64 "ns", ns_);
  return text;
}

std::string Instant::to_string() const {
  return "T+" + Duration::nanoseconds(ns_).to_string();
}

}  // namespace rtcstack::base
