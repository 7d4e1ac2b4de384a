#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "sim_network.h"

using rtcstack::base::ByteView;
using rtcstack::base::Duration;
using rtcstack::base::Instant;
using rtcstack::base::IpAddress;
using rtcstack::base::SocketAddress;
using rtcstack::testing::LinkConditions;
using rtcstack::testing::SimEndpoint;
using rtcstack::testing::SimNetwork;
using rtcstack::testing::TraceEvent;

namespace {

const SocketAddress kAlice = *SocketAddress::parse("192.0.2.1:4000");
const SocketAddress kBob = *SocketAddress::parse("198.51.100.1:5000");

std::uint32_t sequence_of(ByteView datagram) {
  std::uint32_t sequence = 0;
  std::memcpy(&sequence, datagram.data(), sizeof sequence);
  return sequence;
}

// Sends `count` numbered datagrams to a peer, one every `interval`, driven by timeouts.
class Sender : public SimEndpoint {
 public:
  Sender(SimNetwork& network, SocketAddress local, SocketAddress remote, int count,
         Duration interval, std::size_t size = 100)
      : network_(network), local_(local), remote_(remote), remaining_(count),
        interval_(interval), payload_(size, 0), next_send_(network.now()) {
    network_.attach(local.ip(), *this);
  }

  void on_datagram(Instant now, const SocketAddress&, const SocketAddress&,
                   ByteView datagram) override {
    echo_times.push_back(now - sent_at.at(sequence_of(datagram)));
  }
  Instant next_timeout() const override { return remaining_ > 0 ? next_send_ : Instant::max(); }
  void on_timeout(Instant now) override {
    const std::uint32_t sequence = static_cast<std::uint32_t>(sent_at.size());
    std::memcpy(payload_.data(), &sequence, sizeof sequence);
    sent_at.push_back(now);
    network_.send(local_, remote_, payload_);
    --remaining_;
    next_send_ = now + interval_;
  }

  std::vector<Instant> sent_at;
  std::vector<Duration> echo_times;

 private:
  SimNetwork& network_;
  SocketAddress local_;
  SocketAddress remote_;
  int remaining_;
  Duration interval_;
  std::vector<std::uint8_t> payload_;
  Instant next_send_;
};

// Records what arrives and, optionally, sends each datagram straight back.
class Receiver : public SimEndpoint {
 public:
  Receiver(SimNetwork& network, SocketAddress local, bool echo = false)
      : network_(network), echo_(echo) {
    network_.attach(local.ip(), *this);
  }
  void on_datagram(Instant now, const SocketAddress& local, const SocketAddress& remote,
                   ByteView datagram) override {
    arrivals.push_back({now, sequence_of(datagram)});
    if (echo_) network_.send(local, remote, datagram);
  }
  Instant next_timeout() const override { return Instant::max(); }
  void on_timeout(Instant) override {}

  struct Arrival {
    Instant at;
    std::uint32_t sequence;
  };
  std::vector<Arrival> arrivals;

  int out_of_order() const {
    int count = 0;
    std::uint32_t highest = 0;
    for (std::size_t i = 0; i < arrivals.size(); ++i) {
      if (i > 0 && arrivals[i].sequence < highest) ++count;
      highest = std::max(highest, arrivals[i].sequence);
    }
    return count;
  }

 private:
  SimNetwork& network_;
  bool echo_;
};

constexpr int kPackets = 10'000;

}  // namespace

TEST_CASE("datagrams arrive after the link delay, timeouts fire when asked", "[sim]") {
  SimNetwork network(1);
  network.set_link_both_ways(kAlice.ip(), kBob.ip(), {.delay = Duration::milliseconds(30)});
  Sender alice(network, kAlice, kBob, 5, Duration::milliseconds(20));
  Receiver bob(network, kBob, /*echo=*/true);

  network.run_for(Duration::seconds(1));
  REQUIRE(alice.sent_at.size() == 5);
  for (std::size_t i = 0; i < alice.sent_at.size(); ++i) {
    CHECK(alice.sent_at[i] - Instant{} == Duration::milliseconds(20) * static_cast<std::int64_t>(i));
  }
  REQUIRE(bob.arrivals.size() == 5);
  CHECK(bob.arrivals[0].at - Instant{} == Duration::milliseconds(30));
  REQUIRE(alice.echo_times.size() == 5);
  for (Duration rtt : alice.echo_times) CHECK(rtt == Duration::milliseconds(60));
  CHECK(network.now() - Instant{} == Duration::seconds(1));
  CHECK(network.stats().sent == 10);
  CHECK(network.stats().delivered == 10);
}

TEST_CASE("jitter varies the delay but keeps datagrams in order", "[sim]") {
  SimNetwork network(2);
  network.set_link(kAlice.ip(), kBob.ip(),
                   {.delay = Duration::milliseconds(10), .jitter = Duration::milliseconds(40)});
  Sender alice(network, kAlice, kBob, 2'000, Duration::milliseconds(1));
  Receiver bob(network, kBob);
  network.run_for(Duration::seconds(5));
  REQUIRE(bob.arrivals.size() == 2'000);
  CHECK(bob.out_of_order() == 0);
  Duration shortest = Duration::max();
  Duration longest = Duration::zero();
  for (const auto& arrival : bob.arrivals) {
    const Duration delay = arrival.at - alice.sent_at[arrival.sequence];
    shortest = std::min(shortest, delay);
    longest = std::max(longest, delay);
  }
  CHECK(shortest >= Duration::milliseconds(10));
  CHECK(longest > Duration::milliseconds(40));  // jitter really applied
}

TEST_CASE("loss rate over 10000 datagrams is within tolerance", "[sim]") {
  SimNetwork network(3);
  network.set_link(kAlice.ip(), kBob.ip(), {.delay = Duration::milliseconds(5), .loss = 0.10});
  Sender alice(network, kAlice, kBob, kPackets, Duration::microseconds(100));
  Receiver bob(network, kBob);
  network.run_for(Duration::seconds(2));
  // 10% of 10000: mean 1000, standard deviation 30; allow four of them.
  const auto lost = static_cast<int>(network.stats().lost);
  CHECK(lost > 880);
  CHECK(lost < 1120);
  CHECK(bob.arrivals.size() == static_cast<std::size_t>(kPackets - lost));
  CHECK(bob.out_of_order() == 0);
}

TEST_CASE("duplication delivers extra copies at the configured rate", "[sim]") {
  SimNetwork network(4);
  network.set_link(kAlice.ip(), kBob.ip(), {.delay = Duration::milliseconds(5), .duplicate = 0.05});
  Sender alice(network, kAlice, kBob, kPackets, Duration::microseconds(100));
  Receiver bob(network, kBob);
  network.run_for(Duration::seconds(2));
  const auto duplicated = static_cast<int>(network.stats().duplicated);
  CHECK(duplicated > 400);  // mean 500, standard deviation ~22
  CHECK(duplicated < 600);
  CHECK(bob.arrivals.size() == static_cast<std::size_t>(kPackets + duplicated));
}

TEST_CASE("reordering lets later datagrams overtake held-back ones", "[sim]") {
  SimNetwork network(5);
  network.set_link(kAlice.ip(), kBob.ip(),
                   {.delay = Duration::milliseconds(5), .reorder = 0.02,
                    .reorder_delay = Duration::milliseconds(3)});
  Sender alice(network, kAlice, kBob, kPackets, Duration::microseconds(500));
  Receiver bob(network, kBob);
  network.run_for(Duration::seconds(10));
  REQUIRE(bob.arrivals.size() == kPackets);
  // Each held-back datagram is passed by the ~6 sent during its extra 3 ms, so it alone
  // arrives out of order: about 2% of 10000.
  CHECK(bob.out_of_order() > 140);
  CHECK(bob.out_of_order() < 260);
}

TEST_CASE("oversized datagrams are dropped and strangers are unroutable", "[sim]") {
  SimNetwork network(6);
  network.set_default_link({.delay = Duration::milliseconds(1), .mtu = 1200});
  Receiver bob(network, kBob);
  const std::vector<std::uint8_t> small(1200, 0);
  const std::vector<std::uint8_t> big(1201, 0);
  network.send(kAlice, kBob, small);
  network.send(kAlice, kBob, big);
  network.send(kBob, *SocketAddress::parse("203.0.113.50:9"), small);
  network.run_for(Duration::milliseconds(10));
  CHECK(bob.arrivals.size() == 1);
  CHECK(network.stats().too_big == 1);
  CHECK(network.stats().unroutable == 1);
}

TEST_CASE("same seed, same trace; another seed, another trace", "[sim]") {
  auto run = [](std::uint64_t seed) {
    SimNetwork network(seed);
    network.set_link_both_ways(kAlice.ip(), kBob.ip(),
                               {.delay = Duration::milliseconds(20),
                                .jitter = Duration::milliseconds(15),
                                .loss = 0.05,
                                .duplicate = 0.02,
                                .reorder = 0.05});
    Sender alice(network, kAlice, kBob, 500, Duration::milliseconds(2));
    Receiver bob(network, kBob, /*echo=*/true);
    network.run_for(Duration::seconds(3));
    return network.trace();
  };
  const std::vector<TraceEvent> first = run(99);
  const std::vector<TraceEvent> second = run(99);
  const std::vector<TraceEvent> other = run(100);
  REQUIRE(first.size() > 1000);
  CHECK(first == second);
  CHECK(first != other);
  CHECK(first.front().to_string().find("sent 192.0.2.1:4000 -> 198.51.100.1:5000 100B") !=
        std::string::npos);
}

TEST_CASE("run_until with a condition stops at the event that satisfies it", "[sim]") {
  SimNetwork network(7);
  network.set_default_link({.delay = Duration::milliseconds(50)});
  Sender alice(network, kAlice, kBob, 100, Duration::milliseconds(10));
  Receiver bob(network, kBob);
  const bool reached = network.run_until([&] { return bob.arrivals.size() == 3; },
                                         Instant{} + Duration::seconds(10));
  CHECK(reached);
  CHECK(network.now() - Instant{} == Duration::milliseconds(70));  // third sent at 20 ms
  const bool impossible = network.run_until([&] { return bob.arrivals.size() == 1000; },
                                            network.now() + Duration::seconds(1));
  CHECK_FALSE(impossible);
  CHECK(network.now() - Instant{} == Duration::milliseconds(1070));
}

TEST_CASE("NAT mapping and filtering behave as RFC 4787 classifies them", "[sim][nat]") {
  const SocketAddress inside = *SocketAddress::parse("192.0.2.10:1000");
  const SocketAddress server1 = *SocketAddress::parse("203.0.113.10:3478");
  const SocketAddress server1_other_port = *SocketAddress::parse("203.0.113.10:3479");
  const SocketAddress server2 = *SocketAddress::parse("203.0.113.20:3478");
  const auto public_ip = rtcstack::base::IpAddress::v4(203, 0, 113, 1);

  auto run = [&](rtcstack::testing::NatBehavior mapping, rtcstack::testing::NatBehavior filtering) {
    SimNetwork network(9);
    network.add_nat({public_ip, {inside.ip()}, mapping, filtering});
    Receiver host(network, inside);
    Receiver s1(network, server1);
    Receiver s2(network, server2);
    const std::vector<std::uint8_t> payload(8, 0);
    network.send(inside, server1, payload);
    network.send(inside, server2, payload);
    network.run_for(Duration::milliseconds(1));
    // Replies to the mapped address as each server saw it, plus unsolicited ones.
    std::vector<SocketAddress> seen;
    for (const auto& event : network.trace()) {
      if (event.kind == TraceEvent::Kind::kDelivered && event.to.ip() != inside.ip()) seen.push_back(event.from);
    }
    REQUIRE(seen.size() == 2);
    network.send(server1, seen[0], payload);             // the contacted address and port
    network.send(server1_other_port, seen[0], payload);  // same address, other port
    network.send(server2, seen[0], payload);             // another address, mapping made for server1
    network.run_for(Duration::milliseconds(1));
    return std::make_pair(seen, host.arrivals.size());
  };

  {
    const auto [seen, arrived] = run(rtcstack::testing::NatBehavior::kEndpointIndependent, rtcstack::testing::NatBehavior::kEndpointIndependent);
    CHECK(seen[0] == seen[1]);  // one mapping for every destination
    CHECK(seen[0].ip() == public_ip);
    CHECK(arrived == 3);        // anyone may send to it
  }
  {
    const auto [seen, arrived] = run(rtcstack::testing::NatBehavior::kEndpointIndependent, rtcstack::testing::NatBehavior::kAddressDependent);
    CHECK(arrived == 3);        // server2 was contacted through the same mapping, so it passes too
  }
  {
    const auto [seen, arrived] = run(rtcstack::testing::NatBehavior::kEndpointIndependent, rtcstack::testing::NatBehavior::kAddressAndPortDependent);
    CHECK(arrived == 2);        // the other port of server1 is filtered
  }
  {
    const auto [seen, arrived] = run(rtcstack::testing::NatBehavior::kAddressAndPortDependent, rtcstack::testing::NatBehavior::kAddressAndPortDependent);
    CHECK(seen[0] != seen[1]);  // a mapping per destination
    CHECK(arrived == 1);        // only server1, on its own mapping
  }
}

TEST_CASE("a bottleneck paces datagrams at its rate and drops what overflows its queue", "[sim][bottleneck]") {
  SimNetwork network(21);
  // 1 Mbit/s: a 1250-byte datagram takes 10 ms; the queue holds 10 of them.
  const int bottleneck = network.add_bottleneck({.rate_bps = 1'000'000, .queue_bytes = 12'500});
  network.set_link(kAlice.ip(), kBob.ip(), {.delay = Duration::milliseconds(20), .bottleneck = bottleneck});
  // 40 datagrams at once (a burst 40 times the rate).
  Sender alice(network, kAlice, kBob, 40, Duration::zero(), 1250);
  Receiver bob(network, kBob);
  network.run_for(Duration::seconds(2));
  // The queue holds 12500 bytes, the one being sent included: 10 get in, 30 are dropped.
  REQUIRE(bob.arrivals.size() == 10);
  CHECK(network.stats().queue_dropped == 30);
  for (std::size_t i = 0; i < bob.arrivals.size(); ++i) {
    // Each is sent 10 ms after the one before (serialization), then crosses in 20 ms.
    CHECK(bob.arrivals[i].at == Instant{} + Duration::milliseconds(20 + 10 * static_cast<std::int64_t>(i + 1)));
  }
  const auto& samples = network.bottleneck_samples(bottleneck);
  REQUIRE(samples.size() == 40);
  CHECK(samples[9].queued == Duration::milliseconds(90));  // the last one in waited for nine
  CHECK(samples[10].dropped);
}

TEST_CASE("a bottleneck's queue limit in time, a capacity step mid-run, and two flows sharing it",
          "[sim][bottleneck]") {
  SimNetwork network(22);
  const SocketAddress carol = *SocketAddress::parse("192.0.2.3:4000");
  const SocketAddress dave = *SocketAddress::parse("198.51.100.4:5000");
  const int bottleneck = network.add_bottleneck({.rate_bps = 1'000'000, .queue_delay = Duration::milliseconds(50)});
  network.set_link(kAlice.ip(), kBob.ip(), {.delay = Duration::milliseconds(10), .bottleneck = bottleneck});
  network.set_link(carol.ip(), dave.ip(), {.delay = Duration::milliseconds(10), .bottleneck = bottleneck});
  // Each flow offers 1 Mbit/s (1250 bytes every 10 ms): together twice the capacity.
  Sender alice(network, kAlice, kBob, 300, Duration::milliseconds(10), 1250);
  Sender carol_sender(network, carol, dave, 300, Duration::milliseconds(10), 1250);
  Receiver bob(network, kBob);
  Receiver dave_receiver(network, dave);
  network.run_for(Duration::seconds(1));
  // 1 s at 1 Mbit/s is 100 datagrams of 1250 bytes between the two flows; the queue
  // never waits more than 50 ms. (Periodic senders that send at the same instants
  // phase-lock at a drop-tail queue: the first of each instant gets in. Fair shares are
  // for congestion control with real timing to show, not for this.)
  const std::size_t first_second = bob.arrivals.size() + dave_receiver.arrivals.size();
  CHECK(first_second >= 95);
  CHECK(first_second <= 101);
  CHECK(bob.arrivals.size() > 0);
  CHECK(dave_receiver.arrivals.size() > 0);
  for (const auto& sample : network.bottleneck_samples(bottleneck)) {
    if (!sample.dropped) CHECK(sample.queued <= Duration::milliseconds(60));
  }
  // Capacity steps to 3 Mbit/s: both flows fit (150 datagrams a second between them).
  network.set_bottleneck(bottleneck, {.rate_bps = 3'000'000, .queue_delay = Duration::milliseconds(50)});
  const std::size_t before = bob.arrivals.size() + dave_receiver.arrivals.size();
  const std::uint64_t dropped_before = network.stats().queue_dropped;
  network.run_for(Duration::seconds(1));
  CHECK(bob.arrivals.size() + dave_receiver.arrivals.size() - before >= 195);
  CHECK(network.stats().queue_dropped - dropped_before <= 5);  // the old backlog drains
}
