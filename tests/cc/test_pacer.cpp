// The pacer: rate, bounded bursts, priorities, probes with padding, and its limits.
#include <catch2/catch.hpp>

#include <vector>

#include "cc/pacer.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;

namespace {

Instant at_ms(std::int64_t ms) { return Instant{} + Duration::milliseconds(ms); }

cc::PacedPacket packet(std::size_t size, cc::PacketPriority priority, std::uint32_t tag) {
  cc::PacedPacket p;
  p.bytes = base::Buffer(size);
  p.priority = priority;
  p.tag = tag;
  return p;
}

struct Departure {
  Instant at;
  std::uint32_t tag;
  int cluster;
};

// Runs the pacer as its caller would: at each next_send_time, pop what may leave; padding
// (tag 0) when a probe wants it.
std::vector<Departure> drain(cc::Pacer& pacer, Instant now, Instant until) {
  std::vector<Departure> out;
  while (now <= until) {
    const Instant next = pacer.next_send_time(now);
    if (next == Instant::max() || next > until) break;
    now = std::max(now, next);
    if (auto p = pacer.pop(now)) {
      out.push_back({now, p->tag, pacer.last_probe_cluster()});
    } else if (const std::size_t padding = pacer.padding_wanted(now)) {
      pacer.on_padding_sent(now, padding);
      out.push_back({now, 0, pacer.last_probe_cluster()});
    }
  }
  return out;
}

}  // namespace

TEST_CASE("packets leave at the pacing rate, in bursts of at most 5 ms worth", "[cc][pacer]") {
  cc::PacerConfig config;
  config.overhead = 0;
  cc::Pacer pacer(config);
  pacer.set_rate(960'000);  // 120 bytes a millisecond: a 1200-byte packet every 10 ms
  for (std::uint32_t i = 1; i <= 50; ++i) {
    auto p = packet(1200, cc::PacketPriority::kVideo, i);
    REQUIRE(pacer.enqueue(at_ms(0), p));
  }
  const auto out = drain(pacer, at_ms(0), at_ms(10'000));
  REQUIRE(out.size() == 50);
  // 50 packets of 1200 bytes at 120 bytes/ms: 500 ms, less the first packet's allowance.
  CHECK(out.back().at - out.front().at >= Duration::milliseconds(485));
  CHECK(out.back().at - out.front().at <= Duration::milliseconds(500));
  for (std::size_t i = 1; i < out.size(); ++i) CHECK(out[i].tag == out[i - 1].tag + 1);
  // Never more than the burst allowance plus one packet in any 5 ms.
  for (std::size_t i = 0; i + 2 < out.size(); ++i) CHECK(out[i + 2].at - out[i].at > Duration::milliseconds(5));
}

TEST_CASE("audio, then retransmissions, then video", "[cc][pacer]") {
  cc::PacerConfig config;
  config.overhead = 0;
  cc::Pacer pacer(config);
  pacer.set_rate(96'000);
  for (std::uint32_t i = 0; i < 3; ++i) {
    auto video = packet(1000, cc::PacketPriority::kVideo, 30 + i);
    REQUIRE(pacer.enqueue(at_ms(0), video));
  }
  auto first = pacer.pop(at_ms(0));
  REQUIRE(first);
  CHECK(first->tag == 30);
  auto rtx = packet(1000, cc::PacketPriority::kRetransmission, 20);
  auto audio = packet(100, cc::PacketPriority::kAudio, 10);
  REQUIRE(pacer.enqueue(at_ms(1), rtx));
  REQUIRE(pacer.enqueue(at_ms(2), audio));
  const auto out = drain(pacer, at_ms(2), at_ms(10'000));
  REQUIRE(out.size() == 4);
  CHECK(out[0].tag == 10);
  CHECK(out[1].tag == 20);
  CHECK(out[2].tag == 31);
  CHECK(out[3].tag == 32);
}

TEST_CASE("a probe goes at its own rate, exactly spaced, padded when media runs short", "[cc][pacer]") {
  cc::PacerConfig config;
  config.overhead = 0;
  cc::Pacer pacer(config);
  pacer.set_rate(100'000);
  // 2.4 Mbit/s for at least 15 ms: 4500 bytes and 5 packets.
  pacer.add_probe({7, 2'400'000, 5, 4'500});
  for (std::uint32_t i = 1; i <= 2; ++i) {
    auto p = packet(1000, cc::PacketPriority::kVideo, i);
    REQUIRE(pacer.enqueue(at_ms(0), p));
  }
  const auto out = drain(pacer, at_ms(0), at_ms(1000));
  REQUIRE(out.size() >= 5);
  CHECK(out[0].tag == 1);
  CHECK(out[1].tag == 2);
  std::size_t padding = 0;
  for (const auto& d : out) {
    CHECK(d.cluster == 7);
    padding += d.tag == 0;
  }
  CHECK(padding == out.size() - 2);
  // 1000 bytes at 300 bytes/ms: 3.33 ms apart.
  CHECK(out[1].at - out[0].at >= Duration::microseconds(3'333));
  CHECK(out[1].at - out[0].at < Duration::microseconds(3'400));
  // Done: nothing more is due.
  CHECK(pacer.next_send_time(out.back().at) == Instant::max());
}

TEST_CASE("a backlog that would take over 2 s to drain raises the rate", "[cc][pacer]") {
  cc::PacerConfig config;
  config.overhead = 0;
  cc::Pacer pacer(config);
  pacer.set_rate(80'000);  // 10 bytes/ms: 1000 packets of 1000 bytes would take 100 s
  for (std::uint32_t i = 1; i <= 1000; ++i) {
    auto p = packet(1000, cc::PacketPriority::kVideo, i);
    REQUIRE(pacer.enqueue(at_ms(0), p));
  }
  const auto out = drain(pacer, at_ms(0), at_ms(60'000));
  REQUIRE(out.size() == 1000);
  CHECK(out.back().at - out.front().at <= Duration::milliseconds(2'100));
}

TEST_CASE("the queue is bounded", "[cc][pacer]") {
  cc::PacerConfig config;
  config.max_packets = 10;
  cc::Pacer pacer(config);
  for (std::uint32_t i = 0; i < 10; ++i) {
    auto p = packet(100, cc::PacketPriority::kVideo, i);
    REQUIRE(pacer.enqueue(at_ms(0), p));
  }
  auto refused = packet(100, cc::PacketPriority::kVideo, 99);
  CHECK_FALSE(pacer.enqueue(at_ms(0), refused));
  CHECK(refused.bytes.size() == 100);  // handed back
  CHECK(pacer.queued_packets() == 10);
  CHECK(pacer.queued_bytes() == 1000);
}
