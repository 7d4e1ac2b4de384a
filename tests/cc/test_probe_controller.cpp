// When the probe controller probes, how hard, and which results it lets count.
#include <catch2/catch.hpp>

#include <vector>

#include "cc/probe_controller.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;

namespace {

Instant at_ms(std::int64_t ms) { return Instant{} + Duration::milliseconds(ms); }

std::vector<cc::ProbeCluster> drain(cc::ProbeController& probes) {
  std::vector<cc::ProbeCluster> out;
  while (auto probe = probes.poll_probe()) out.push_back(*probe);
  return out;
}

}  // namespace

TEST_CASE("initial probes at 3 and 6 times the start, then twice each result that reached 70 %", "[cc][probe]") {
  cc::ProbeController probes({30'000, 20'000'000});
  probes.start(at_ms(0), 300'000);
  const auto initial = drain(probes);
  REQUIRE(initial.size() == 2);
  CHECK(initial[0].bitrate_bps == 900'000);
  CHECK(initial[1].bitrate_bps == 1'800'000);
  CHECK(initial[1].min_packets == 5);
  CHECK(initial[1].min_bytes == 1'800'000 * 15 / 1000 / 8);  // 15 ms worth
  CHECK(initial[0].id != initial[1].id);
  probes.on_estimate(at_ms(200), 1'500'000, false);  // 83 % of 1.8 Mbit/s
  const auto further = drain(probes);
  REQUIRE(further.size() == 1);
  CHECK(further[0].bitrate_bps == 3'000'000);
  probes.on_estimate(at_ms(400), 1'600'000, false);  // under 70 % of 3 Mbit/s: the path is found
  CHECK(drain(probes).empty());
}

TEST_CASE("probes stop at the ceiling", "[cc][probe]") {
  cc::ProbeController probes({30'000, 1'000'000});
  probes.start(at_ms(0), 500'000);
  const auto initial = drain(probes);
  REQUIRE(initial.size() == 1);  // 3x is already past the ceiling; 6x would be the same probe
  CHECK(initial[0].bitrate_bps == 1'000'000);
  cc::ProbeController at_ceiling({30'000, 1'000'000});
  at_ceiling.start(at_ms(0), 1'000'000);
  CHECK(drain(at_ceiling).empty());
}

TEST_CASE("every 5 s without over-use a gentler, longer probe; it counts only if the link carried it", "[cc][probe]") {
  cc::ProbeController probes({30'000, 20'000'000});
  probes.start(at_ms(0), 1'000'000);
  (void)drain(probes);
  probes.handle_timeout(at_ms(1'500), 1'000'000, false);  // the initial probes' results are stale
  CHECK(drain(probes).empty());
  probes.on_estimate(at_ms(2'000), 1'000'000, true);  // over-use at 2 s: the 5 s start over
  probes.handle_timeout(at_ms(5'100), 1'000'000, false);
  CHECK(drain(probes).empty());
  CHECK(probes.next_timeout() >= at_ms(7'000));
  probes.handle_timeout(at_ms(7'100), 1'000'000, false);
  const auto periodic = drain(probes);
  REQUIRE(periodic.size() == 1);
  CHECK(periodic[0].bitrate_bps == 1'500'000);
  CHECK(periodic[0].min_bytes == 1'500'000 * 50 / 1000 / 8);  // 50 ms worth
  // A result the link did not carry whole (another flow took part of it) does not count...
  CHECK_FALSE(probes.usable(1'300'000));
  // ...one it did, does, and leads to another 1.5 times higher.
  CHECK(probes.usable(1'450'000));
  probes.on_estimate(at_ms(7'300), 1'450'000, false);
  const auto next = drain(probes);
  REQUIRE(next.size() == 1);
  CHECK(next[0].bitrate_bps == 2'175'000);
}

TEST_CASE("after a drop of a third, an application-limited sender probes at 85 % of the rate before", "[cc][probe]") {
  cc::ProbeController probes({30'000, 20'000'000});
  probes.start(at_ms(0), 2'000'000);
  (void)drain(probes);
  probes.on_estimate(at_ms(1'000), 2'000'000, false);
  probes.handle_timeout(at_ms(1'100), 2'000'000, false);
  (void)drain(probes);
  probes.on_estimate(at_ms(2'000), 1'000'000, true);  // halved
  probes.handle_timeout(at_ms(2'100), 1'000'000, false);  // still sending: nothing
  CHECK(drain(probes).empty());
  probes.handle_timeout(at_ms(2'200), 1'000'000, true);  // application-limited now
  const auto after_drop = drain(probes);
  REQUIRE(after_drop.size() == 1);
  CHECK(after_drop[0].bitrate_bps == 1'700'000);
  // Once: the drop is forgotten.
  probes.handle_timeout(at_ms(2'300), 1'000'000, true);
  CHECK(drain(probes).empty());
}
