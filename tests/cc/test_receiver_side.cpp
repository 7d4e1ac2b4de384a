// The receiver's half of congestion control: queuing delay from one-way delays
// (queue_delay.h), and the REMB estimator that runs on abs-send-time (remote_estimator.h).
#include <catch2/catch.hpp>

#include "cc/queue_delay.h"
#include "cc/remote_estimator.h"
#include "drop_tail_queue.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;

namespace {
Instant at_ms(std::int64_t ms) { return Instant{} + Duration::milliseconds(ms); }
// abs-send-time of an instant: 6.18 fixed-point seconds, 24 bits.
std::uint32_t abs_time(Instant at) {
  return static_cast<std::uint32_t>((at.nanoseconds_since_origin() << 18) / 1'000'000'000) & 0xFFFFFF;
}
}  // namespace

TEST_CASE("queuing delay is the one-way delay above the least of the last minute", "[cc][queue]") {
  cc::QueueDelay delay;
  CHECK_FALSE(delay.current());
  // Clocks 5 s apart: only differences count.
  for (int i = 0; i < 100; ++i) delay.add(at_ms(i * 10), at_ms(i * 10 + 5'030));
  CHECK(delay.current() == Duration::zero());
  delay.add(at_ms(1000), at_ms(1000 + 5'030 + 80));
  CHECK(delay.current() == Duration::milliseconds(80));
  // A minute later the old floor is forgotten: a path 20 ms longer is the new floor.
  for (int i = 0; i < 700; ++i) delay.add(at_ms(2000 + i * 100), at_ms(2000 + i * 100 + 5'050));
  CHECK(delay.current() == Duration::zero());
}

TEST_CASE("REMB: a sender that follows the receiver's estimate settles under a 1 Mbit/s bottleneck", "[cc][remb]") {
  cc::RemoteEstimator estimator(2'000'000);
  testing::DropTailQueue queue({1'000'000, 0, Duration::milliseconds(500)});
  int reports = 0;
  std::uint64_t rate = 1'500'000;  // the sender starts above the link, then sends what REMB says
  Instant sent = Instant{};
  std::uint64_t lowest = UINT64_MAX, highest = 0;
  while (sent < at_ms(30'000)) {
    const auto admission = queue.admit(sent, 1250);
    if (!admission.dropped) {
      const Instant arrival = admission.departure + Duration::milliseconds(25);
      estimator.on_packet(arrival, abs_time(sent), 1250);
      if (estimator.next_report() <= arrival) {
        rate = estimator.take_report(arrival);  // reaches the sender 25 ms later: close enough
        ++reports;
        if (arrival > at_ms(15'000)) {
          lowest = std::min(lowest, rate);
          highest = std::max(highest, rate);
        }
      }
    }
    sent = sent + Duration::nanoseconds(static_cast<std::int64_t>(1250 * 8 * 1e9 / static_cast<double>(rate)));
  }
  INFO("from 15 s on: " << lowest << " - " << highest << " after " << reports << " reports");
  CHECK(highest <= 1'150'000);
  CHECK(lowest >= 600'000);
  CHECK(reports >= 30);  // every second, more when it fell
}

TEST_CASE("REMB: abs-send-time wraps every 64 s without a jump", "[cc][remb]") {
  cc::RemoteEstimator estimator(500'000);
  // 500 kbit/s for 80 s, well under a 1 Mbit/s path: no over-use across the wrap at 64 s.
  for (int i = 0; i < 8000; ++i) {
    const Instant sent = Instant{} + Duration::milliseconds(i * 10);
    estimator.on_packet(sent + Duration::milliseconds(30), abs_time(sent), 625);
  }
  CHECK(estimator.estimate_bps() >= 500'000);
}
