#include <catch2/catch.hpp>

#include "pcapng.h"

using namespace rtcstack;

TEST_CASE("pcapng reader yields the UDP datagrams of a capture", "[support][pcapng]") {
  const auto datagrams = testing::read_pcapng_udp(testing::test_data_path("pcap/aiortc-pion-datachannel.pcapng"));
  REQUIRE(datagrams.ok());
  // The capture holds its first 400 UDP packets (tests/data/README.md).
  CHECK(datagrams->size() == 400);
  for (const auto& datagram : *datagrams) {
    CHECK(datagram.from.ip().is_loopback());
    CHECK(datagram.to.ip().is_loopback());
    CHECK_FALSE(datagram.payload.empty());
  }
  CHECK(datagrams->front().at <= datagrams->back().at);
}

TEST_CASE("pcapng reader reports unreadable files", "[support][pcapng]") {
  CHECK_FALSE(testing::read_pcapng_udp("/nonexistent.pcapng").ok());
  const auto not_pcap = testing::read_pcapng_udp(testing::test_data_path("sdp/pion-offer-0.sdp"));
  CHECK_FALSE(not_pcap.ok());
}
