// The two rate controllers: AIMD on the over-use detector's states (aimd_rate_control.h)
// and loss (loss_based_control.h).
#include <catch2/catch.hpp>

#include "cc/aimd_rate_control.h"
#include "cc/loss_based_control.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;
using cc::BandwidthUsage;

namespace {
Instant at_ms(std::int64_t ms) { return Instant{} + Duration::milliseconds(ms); }
}  // namespace

TEST_CASE("AIMD grows by about 8 % a second while the capacity is unknown", "[cc][aimd]") {
  cc::AimdRateControl control(1'000'000, {});
  for (int ms = 0; ms <= 5000; ms += 50) (void)control.update(at_ms(ms), BandwidthUsage::kNormal, std::nullopt);
  // 1.08^5 = 1.47
  CHECK(control.estimate_bps() > 1'400'000);
  CHECK(control.estimate_bps() < 1'550'000);
}

TEST_CASE("AIMD cuts to 85 % of the acknowledged rate at over-use, once per round trip", "[cc][aimd]") {
  cc::AimdRateControl control(2'000'000, {});
  control.set_round_trip_time(Duration::milliseconds(100));
  CHECK(control.update(at_ms(0), BandwidthUsage::kOverusing, 1'000'000) == 850'000);
  // Another over-use 50 ms later is the same congestion, not yet answered.
  CHECK(control.update(at_ms(50), BandwidthUsage::kOverusing, 800'000) == 850'000);
  CHECK(control.update(at_ms(200), BandwidthUsage::kOverusing, 800'000) == 680'000);
  CHECK(control.link_capacity_bps());
  // Under-use holds while queues drain.
  CHECK(control.update(at_ms(300), BandwidthUsage::kUnderusing, 700'000) == 680'000);
}

TEST_CASE("near the capacity seen at cuts, AIMD grows by about a packet per round trip", "[cc][aimd]") {
  cc::AimdRateControl control(1'000'000, {});
  control.set_round_trip_time(Duration::milliseconds(100));
  (void)control.update(at_ms(0), BandwidthUsage::kOverusing, 1'000'000);  // capacity ~1 Mbit/s
  const auto after_cut = control.estimate_bps();
  for (int ms = 100; ms <= 2100; ms += 50) (void)control.update(at_ms(ms), BandwidthUsage::kNormal, 1'000'000);
  const auto grown = control.estimate_bps() - after_cut;
  // A 30 fps frame at 850 kbit/s is 28 kbit in 3 packets of 9.4 kbit; one per 200 ms
  // response time is 47 kbit/s: ~95 kbit in two seconds, where 8 %/s would give ~140.
  CHECK(grown > 80'000);
  CHECK(grown < 110'000);
}

TEST_CASE("AIMD does not grow past 1.5 times what was acknowledged", "[cc][aimd]") {
  cc::AimdRateControl control(1'000'000, {});
  for (int ms = 0; ms <= 20000; ms += 50) (void)control.update(at_ms(ms), BandwidthUsage::kNormal, 200'000);
  CHECK(control.estimate_bps() == 1'000'000);  // an application sending 200 kbit/s earns no growth
  cc::AimdRateControl low(100'000, {});
  for (int ms = 0; ms <= 20000; ms += 50) (void)low.update(at_ms(ms), BandwidthUsage::kNormal, 200'000);
  CHECK(low.estimate_bps() == 310'000);
}

TEST_CASE("AIMD stays within its limits", "[cc][aimd]") {
  cc::AimdRateControl control(50'000, {40'000, 60'000});
  (void)control.update(at_ms(0), BandwidthUsage::kOverusing, 1'000);
  CHECK(control.estimate_bps() == 40'000);
  for (int ms = 100; ms <= 20000; ms += 50) (void)control.update(at_ms(ms), BandwidthUsage::kNormal, std::nullopt);
  CHECK(control.estimate_bps() == 60'000);
}

TEST_CASE("loss: over 10 % cuts by half the loss, 2-10 % holds, under 2 % lifts the limit", "[cc][loss]") {
  cc::LossBasedControl loss({});
  const auto rtt = Duration::milliseconds(50);
  CHECK(loss.update(at_ms(0), 1'000'000, rtt) == cc::RateLimits{}.max_bps);  // no reports: no limit
  loss.add_reports(10, 5);
  CHECK(loss.update(at_ms(10), 1'000'000, rtt) == cc::RateLimits{}.max_bps);  // under 20 reports: no decision
  loss.add_reports(10, 0);
  CHECK(loss.update(at_ms(20), 1'000'000, rtt) == 875'000);  // 25 % loss: cut by 12.5 %
  loss.add_reports(100, 20);
  CHECK(loss.update(at_ms(100), 1'000'000, rtt) == 875'000);  // 20 %, but within 300 ms + RTT of the last cut
  loss.add_reports(100, 5);
  CHECK(loss.update(at_ms(1000), 1'000'000, rtt) == 875'000);  // 5 %: hold
  loss.add_reports(100, 1);
  CHECK(loss.update(at_ms(2100), 1'000'000, rtt) == 946'000);  // 1 %: back up by 8 %
  loss.add_reports(100, 0);
  CHECK(loss.update(at_ms(2200), 1'000'000, rtt) == 946'000);  // a second between steps
  loss.add_reports(100, 0);
  CHECK(loss.update(at_ms(3200), 1'000'000, rtt) == 1'022'680);  // past the cap...
  loss.add_reports(100, 0);
  CHECK(loss.update(at_ms(3300), 1'000'000, rtt) == cc::RateLimits{}.max_bps);  // ...so lifted
}
