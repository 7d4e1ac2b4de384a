#include <catch2/catch.hpp>

#include "base/time.h"

using rtcstack::base::Duration;
using rtcstack::base::Instant;

TEST_CASE("Duration converts between units and truncates toward zero", "[base][time]") {
  CHECK(Duration::seconds(2).as_milliseconds() == 2000);
  CHECK(Duration::milliseconds(1500).as_seconds() == Approx(1.5));
  CHECK(Duration::microseconds(1999).as_milliseconds() == 1);
  CHECK(Duration::nanoseconds(-1999).as_microseconds() == -1);
  CHECK(Duration::milliseconds(3).as_nanoseconds() == 3'000'000);
  static_assert(Duration::seconds(1) == Duration::milliseconds(1000));
}

TEST_CASE("Duration arithmetic and ordering", "[base][time]") {
  Duration d = Duration::milliseconds(100);
  d += Duration::milliseconds(50);
  CHECK(d == Duration::milliseconds(150));
  CHECK(d * 2 == Duration::milliseconds(300));
  CHECK(d / 3 == Duration::milliseconds(50));
  CHECK(-d < Duration::zero());
  CHECK(Duration::zero() < Duration::nanoseconds(1));
  CHECK(Duration::max() > Duration::seconds(100LL * 365 * 24 * 3600));
}

TEST_CASE("Instant moves by Durations and differences are Durations", "[base][time]") {
  const Instant start = Instant::from_nanoseconds(1'000);
  const Instant later = start + Duration::milliseconds(20);
  CHECK(later - start == Duration::milliseconds(20));
  CHECK(later - Duration::milliseconds(20) == start);
  CHECK(start < later);
  CHECK(later < Instant::max());
  Instant moving = start;
  moving += Duration::seconds(1);
  CHECK(moving.nanoseconds_since_origin() == 1'000'001'000);
}

TEST_CASE("time values print with a fitting unit", "[base][time]") {
  CHECK(Duration::milliseconds(250).to_string() == "250ms");
  CHECK(Duration::milliseconds(1500).to_string() == "1.5s");
  CHECK(Duration::microseconds(40).to_string() == "40us");
  CHECK(Duration::nanoseconds(-3).to_string() == "-3ns");
  CHECK(Duration::zero().to_string() == "0ns");
  CHECK((Instant{} + Duration::seconds(2)).to_string() == "T+2s");
}
