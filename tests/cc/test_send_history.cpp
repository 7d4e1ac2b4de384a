// The send history: 16-bit wire sequence numbers back to the packets sent, and what a
// peer's feedback may not do to it (name packets never sent, report one twice).
#include <catch2/catch.hpp>

#include "cc/send_history.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;

namespace {
Instant at_ms(std::int64_t ms) { return Instant{} + Duration::milliseconds(ms); }
}  // namespace

TEST_CASE("reports name the packets sent, across the 16-bit wrap", "[cc][history]") {
  cc::SendHistory history(64);
  cc::FeedbackCounters counters;
  // 70000 packets: the wire sequence wraps once; only the last 64 are remembered.
  for (int i = 0; i < 70000; ++i) history.record(at_ms(i), 1000 + i % 7);
  REQUIRE(history.next_sequence() == 70000);
  const auto wire = [](std::int64_t sequence) { return static_cast<std::uint16_t>(sequence); };
  const auto received = history.report(wire(69990), at_ms(69995), counters);
  REQUIRE(received);
  CHECK(received->packet.sequence == 69990);
  CHECK(received->packet.sent == at_ms(69990));
  CHECK(received->packet.size == 1000 + 69990 % 7);
  CHECK(received->arrival == at_ms(69995));
  const auto lost = history.report(wire(69999), std::nullopt, counters);
  REQUIRE(lost);
  CHECK_FALSE(lost->received());
  CHECK(counters.reports == 2);
  CHECK(counters.unknown == 0);
}

TEST_CASE("feedback for packets never sent, forgotten or reported twice is refused and counted", "[cc][history]") {
  cc::SendHistory history(64);
  cc::FeedbackCounters counters;
  CHECK_FALSE(history.report(0, at_ms(1), counters));  // nothing sent yet
  for (int i = 0; i < 100; ++i) history.record(at_ms(i), 500);
  CHECK_FALSE(history.report(100, at_ms(1), counters));    // the next one: not sent
  CHECK_FALSE(history.report(5000, at_ms(1), counters));   // far ahead: never sent
  CHECK_FALSE(history.report(10, at_ms(11), counters));    // sent, but forgotten (64 kept)
  CHECK(counters.unknown == 4);
  REQUIRE(history.report(99, std::nullopt, counters));     // lost...
  CHECK_FALSE(history.report(99, std::nullopt, counters)); // ...twice: a duplicate
  REQUIRE(history.report(99, at_ms(120), counters));       // ...then late after all: taken
  CHECK_FALSE(history.report(99, at_ms(120), counters));   // received twice: a duplicate
  CHECK(counters.duplicates == 2);
  CHECK(counters.reports == 2);
}

TEST_CASE("bytes in flight are what was sent and not yet reported", "[cc][history]") {
  cc::SendHistory history(16);
  cc::FeedbackCounters counters;
  for (int i = 0; i < 10; ++i) history.record(at_ms(i), 100);
  CHECK(history.bytes_in_flight() == 1000);
  (void)history.report(3, at_ms(10), counters);
  (void)history.report(4, std::nullopt, counters);
  CHECK(history.bytes_in_flight() == 800);
  // Packets forgotten before a report leave the count too.
  for (int i = 0; i < 16; ++i) history.record(at_ms(20 + i), 10);
  CHECK(history.bytes_in_flight() == 160);
}
