// The estimator and pacer in a closed loop over a modelled link (a drop-tail bottleneck
// and a fixed propagation delay, in 1 ms steps): a sender that encodes at the target,
// a receiver that reports arrivals every 50 ms. The whole-stack tests (tests/pc,
// test_congestion_control.cpp) run the same scenarios through real PeerConnections; these
// check the core alone, and what bad feedback does to it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <vector>

#include "cc/bandwidth_estimator.h"
#include "cc/pacer.h"
#include "drop_tail_queue.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;

namespace {

Instant at_ms(std::int64_t ms) { return Instant{} + Duration::milliseconds(ms); }

struct LinkModel {
  explicit LinkModel(testing::Bottleneck bottleneck, std::uint64_t max_send_bps = 100'000'000)
      : queue(bottleneck), max_send_bps(max_send_bps) {}

  void send(Instant now, std::size_t size, int cluster) {
    const std::uint16_t sequence = estimator.next_sequence();
    estimator.on_packet_sent(now, size, cluster);
    const auto admission = queue.admit(now, size);
    if (!admission.dropped) arrivals.push_back({sequence, admission.departure + kOneWay});
    sent_bytes += size;
  }

  void step(Instant now) {
    // The encoder: a frame every 33 ms at the target (capped by what the application has).
    if (now >= next_frame) {
      const std::uint64_t rate = std::min(estimator.target_bps(), max_send_bps);
      std::size_t frame = static_cast<std::size_t>(rate / 8 / 30);
      while (frame > 0) {
        const std::size_t size = std::min<std::size_t>(frame, 1200);
        cc::PacedPacket packet;
        packet.bytes = base::Buffer(size);
        (void)pacer.enqueue(now, packet);
        frame -= size;
      }
      next_frame = next_frame + Duration::microseconds(33'333);
    }
    while (auto cluster = estimator.poll_probe()) pacer.add_probe(*cluster);
    pacer.set_rate(estimator.target_bps() * 5 / 2);
    while (pacer.next_send_time(now) <= now) {
      if (auto packet = pacer.pop(now)) {
        send(now, packet->bytes.size() + 38, pacer.last_probe_cluster());
      } else if (const std::size_t padding = pacer.padding_wanted(now)) {
        pacer.on_padding_sent(now, padding);
        send(now, padding + 38, pacer.last_probe_cluster());
      } else {
        break;
      }
    }
    // The receiver reports every 50 ms what arrived; the report takes the one-way delay back.
    if (now >= next_feedback) {
      std::vector<std::pair<std::uint16_t, Instant>> report;
      for (auto& a : arrivals) {
        if (a.second <= now) report.push_back(a);
      }
      arrivals.erase(std::remove_if(arrivals.begin(), arrivals.end(), [&](auto& a) { return a.second <= now; }), arrivals.end());
      if (!report.empty()) feedback[now + kOneWay] = report;
      next_feedback = now + Duration::milliseconds(50);
    }
    for (auto it = feedback.begin(); it != feedback.end() && it->first <= now;) {
      // Every sequence number from the last reported one on: the gaps are losses.
      const auto& report = it->second;
      std::map<std::uint16_t, Instant> by_sequence(report.begin(), report.end());
      for (std::uint16_t s = next_reported; s != static_cast<std::uint16_t>(report.back().first + 1); ++s) {
        const auto found = by_sequence.find(s);
        estimator.add_report(s, found == by_sequence.end() ? std::nullopt : std::optional<Instant>(found->second));
      }
      next_reported = static_cast<std::uint16_t>(report.back().first + 1);
      estimator.end_feedback(now);
      it = feedback.erase(it);
    }
    if (estimator.next_timeout() <= now) estimator.handle_timeout(now);
  }

  void run(Instant from, Instant to) {
    for (Instant now = from; now < to; now = now + Duration::milliseconds(1)) step(now);
  }

  static constexpr Duration kOneWay = Duration::milliseconds(25);
  cc::BandwidthEstimator estimator;
  cc::Pacer pacer;
  testing::DropTailQueue queue;
  std::uint64_t max_send_bps;
  std::vector<std::pair<std::uint16_t, Instant>> arrivals;
  std::map<Instant, std::vector<std::pair<std::uint16_t, Instant>>> feedback;
  std::uint16_t next_reported = 0;
  Instant next_frame{}, next_feedback{};
  std::uint64_t sent_bytes = 0;
};

}  // namespace

TEST_CASE("the target settles near a 1 Mbit/s bottleneck within 5 s and stays there", "[cc][estimator]") {
  LinkModel link({1'000'000, 0, Duration::milliseconds(300)});
  link.estimator.start(at_ms(0));
  link.run(at_ms(0), at_ms(5'000));
  CHECK(link.estimator.target_bps() >= 850'000);
  CHECK(link.estimator.target_bps() <= 1'100'000);
  std::uint64_t lowest = UINT64_MAX, highest = 0;
  for (int second = 5; second < 30; ++second) {
    link.run(at_ms(second * 1000), at_ms(second * 1000 + 1000));
    lowest = std::min(lowest, link.estimator.target_bps());
    highest = std::max(highest, link.estimator.target_bps());
  }
  CHECK(lowest >= 700'000);
  CHECK(highest <= 1'200'000);
}

TEST_CASE("an application-limited sender keeps its estimate for when it needs more", "[cc][estimator]") {
  LinkModel link({2'000'000, 0, Duration::milliseconds(300)});
  link.estimator.start(at_ms(0));
  link.run(at_ms(0), at_ms(8'000));
  const auto before = link.estimator.target_bps();
  REQUIRE(before >= 1'600'000);
  link.max_send_bps = 200'000;  // a still picture: the encoder needs a tenth of the link
  link.run(at_ms(8'000), at_ms(20'000));
  CHECK(link.estimator.estimate().application_limited);
  CHECK(link.estimator.target_bps() >= before * 8 / 10);
  const auto kept = link.estimator.target_bps();
  link.max_send_bps = 100'000'000;
  link.run(at_ms(20'000), at_ms(22'000));
  // Back at full rate at once: no climb from the 200 kbit/s it sent (one cut for the
  // burst of the change is allowed).
  INFO("before " << before << ", kept " << kept << ", after resuming " << link.estimator.target_bps());
  CHECK(link.estimator.target_bps() >= before * 8 / 10);
}

TEST_CASE("bad feedback is ignored and counted and leaves the estimate alone", "[cc][estimator][hostile]") {
  cc::BandwidthEstimator estimator;
  estimator.start(at_ms(0));
  for (int i = 0; i < 100; ++i) estimator.on_packet_sent(at_ms(i * 10), 1000);
  // Good reports for the first 50.
  for (std::uint16_t s = 0; s < 50; ++s) estimator.add_report(s, at_ms(s * 10 + 30));
  estimator.end_feedback(at_ms(600));
  const auto target = estimator.target_bps();
  const auto counters = estimator.feedback_counters();
  CHECK(counters.reports == 50);

  // The same reports again (a duplicated message); reports of packets never sent; arrival
  // times hours away from the others.
  for (std::uint16_t s = 0; s < 50; ++s) estimator.add_report(s, at_ms(s * 10 + 30));
  estimator.end_feedback(at_ms(610));
  for (std::uint16_t s = 100; s < 150; ++s) estimator.add_report(s, at_ms(2000));
  estimator.end_feedback(at_ms(620));
  for (std::uint16_t s = 50; s < 60; ++s) estimator.add_report(s, at_ms(s * 10 + 3'600'000));
  estimator.end_feedback(at_ms(630));
  const auto after = estimator.feedback_counters();
  CHECK(after.duplicates == 50);
  CHECK(after.unknown == 50);
  CHECK(after.implausible == 10);
  CHECK(after.reports == 60);  // the implausible ones were taken off the history, not used
  CHECK(estimator.target_bps() == target);
}
