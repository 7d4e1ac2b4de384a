// Delay-based detection: packet groups (inter_arrival.h) and the trendline over-use
// detector (trendline.h) on arrival patterns whose truth is known.
#include <catch2/catch.hpp>

#include <vector>

#include "cc/inter_arrival.h"
#include "cc/trendline.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;

namespace {

Instant at_us(std::int64_t us) { return Instant{} + Duration::microseconds(us); }

// A frame of `packets` sent 1 ms apart every `frame_us`; each arrives after the base
// delay plus `extra_us(frame)`.
template <typename Extra>
std::vector<cc::BandwidthUsage> run(int frames, std::int64_t frame_us, Extra&& extra_us) {
  cc::InterArrival groups;
  cc::Trendline trendline;
  std::vector<cc::BandwidthUsage> states;
  for (int frame = 0; frame < frames; ++frame) {
    for (int packet = 0; packet < 3; ++packet) {
      const std::int64_t sent = frame * frame_us + packet * 1000;
      if (auto delta = groups.add(at_us(sent), at_us(sent + 20'000 + extra_us(frame)), 1200)) {
        states.push_back(trendline.update(*delta));
      }
    }
  }
  return states;
}

int count(const std::vector<cc::BandwidthUsage>& states, cc::BandwidthUsage usage) {
  return static_cast<int>(std::count(states.begin(), states.end(), usage));
}

}  // namespace

TEST_CASE("packets sent within 5 ms form a group; a delta per completed pair of groups", "[cc][delay]") {
  cc::InterArrival groups;
  CHECK_FALSE(groups.add(at_us(0), at_us(10'000), 100));
  CHECK_FALSE(groups.add(at_us(2'000), at_us(12'000), 100));
  CHECK_FALSE(groups.add(at_us(4'000), at_us(14'000), 100));  // first group: 0..4 ms
  CHECK_FALSE(groups.add(at_us(33'000), at_us(45'000), 100)); // closes group 1; no group before it
  const auto delta = groups.add(at_us(66'000), at_us(76'000), 100);  // closes group 2
  REQUIRE(delta);
  CHECK(delta->send == Duration::milliseconds(29));     // 33 - 4
  CHECK(delta->arrival == Duration::milliseconds(31));  // 45 - 14
  // A packet sent before the current group (reordered feedback) is ignored.
  CHECK_FALSE(groups.add(at_us(1'000), at_us(80'000), 100));
}

TEST_CASE("a burst that arrives together joins the group in front of it", "[cc][delay]") {
  cc::InterArrival groups;
  (void)groups.add(at_us(0), at_us(50'000), 100);
  // Sent 20 ms later but delivered 1 ms after: the network held both and let them go together.
  CHECK_FALSE(groups.add(at_us(20'000), at_us(51'000), 100));
  CHECK_FALSE(groups.add(at_us(60'000), at_us(90'000), 100));
  const auto delta = groups.add(at_us(100'000), at_us(130'000), 100);
  REQUIRE(delta);
  CHECK(delta->send == Duration::milliseconds(40));  // from the burst's last packet (20 ms)
}

TEST_CASE("an arrival clock that jumps resets the groups", "[cc][delay]") {
  cc::InterArrival groups;
  (void)groups.add(at_us(0), at_us(10'000), 100);
  (void)groups.add(at_us(30'000), at_us(40'000), 100);
  (void)groups.add(at_us(60'000), at_us(9'000'000), 100);  // 9 s later, sent 30 ms after
  CHECK(groups.resets() == 0);
  CHECK_FALSE(groups.add(at_us(90'000), at_us(9'030'000), 100));  // closes the group that jumped
  CHECK(groups.resets() == 1);
}

TEST_CASE("steady delay is normal; growing delay is over-use; draining is under-use", "[cc][delay]") {
  const auto steady = run(300, 33'333, [](int) { return 0; });
  CHECK(count(steady, cc::BandwidthUsage::kOverusing) == 0);
  CHECK(count(steady, cc::BandwidthUsage::kUnderusing) == 0);

  // From frame 100 each frame arrives 2 ms later than the one before (a queue growing at
  // 6 % of the rate), for 40 frames, then drains at the same pace.
  const auto growing = run(300, 33'333, [](int frame) {
    if (frame < 100) return std::int64_t{0};
    if (frame < 140) return std::int64_t{(frame - 100) * 2'000};
    return std::max<std::int64_t>(0, 80'000 - (frame - 140) * 2'000);
  });
  const auto first_overuse = std::find(growing.begin(), growing.end(), cc::BandwidthUsage::kOverusing);
  REQUIRE(first_overuse != growing.end());
  const auto index = first_overuse - growing.begin();
  CHECK(index >= 98);   // not before the queue grew
  CHECK(index < 120);   // and within two thirds of a second of it
  CHECK(count({growing.begin() + 145, growing.begin() + 180}, cc::BandwidthUsage::kUnderusing) > 0);
  CHECK(count({growing.begin() + 260, growing.end()}, cc::BandwidthUsage::kOverusing) == 0);
}

TEST_CASE("jitter without a trend is not over-use", "[cc][delay]") {
  // +-4 ms of alternating jitter on every frame: noise, no queue.
  const auto noisy = run(600, 33'333, [](int frame) { return std::int64_t{(frame % 2) * 8'000}; });
  CHECK(count(noisy, cc::BandwidthUsage::kOverusing) == 0);
}
