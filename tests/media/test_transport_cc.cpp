#include <catch2/catch.hpp>

#include <array>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "hex_bytes.h"
#include "media/rtcp_packet.h"
#include "media/transport_cc.h"

using namespace rtcstack;
using namespace rtcstack::media;
using testing::hex_bytes;

namespace {

using Report = std::vector<std::pair<std::uint16_t, std::optional<std::int64_t>>>;

RtcpPacket only_packet(base::ByteView bytes) {
  auto reader = RtcpReader::parse(bytes);
  REQUIRE(reader.ok());
  auto packet = reader->next();
  REQUIRE(packet.has_value());
  return *packet;
}

Report report_of(const TransportCc& feedback) {
  Report report;
  feedback.for_each([&](std::uint16_t sequence, std::optional<std::int64_t> arrival) { report.emplace_back(sequence, arrival); });
  return report;
}

base::Instant at_us(std::int64_t us) { return base::Instant::from_nanoseconds(us * 1000); }

}  // namespace

TEST_CASE("transport-wide CC feedback written by hand: a two-bit status vector with small and large deltas", "[twcc]") {
  // base 100, 5 packets, reference time 1 (64 ms), feedback count 7;
  // symbols small, lost, large, small, small (+2 unused); deltas +4, -8, 0, +255 ticks of 250 us.
  const base::Buffer bytes = hex_bytes(
      "8F CD 00 06  00 00 00 01  00 00 00 02"
      "00 64 00 05  00 00 01 07  D2 50  04 FF F8 00 FF  00");
  auto feedback = TransportCc::parse(only_packet(bytes));
  REQUIRE(feedback.ok());
  CHECK(feedback->sender_ssrc == 1);
  CHECK(feedback->media_ssrc == 2);
  CHECK(feedback->base_sequence_number == 100);
  CHECK(feedback->status_count == 5);
  CHECK(feedback->reference_time_64ms == 1);
  CHECK(feedback->feedback_count == 7);
  const Report expected = {{100, 1000}, {101, std::nullopt}, {102, -1000}, {103, -1000}, {104, 62750}};
  CHECK(report_of(*feedback) == expected);
}

TEST_CASE("run-length and one-bit chunks, a negative reference time, sequence numbers across the wrap", "[twcc]") {
  // base 65530, 16 packets: a run of 10 received (small), then a one-bit vector of 14
  // symbols of which 6 are used: 1 0 1 0 0 1. Reference time -2 (0xFFFFFE).
  const base::Buffer bytes = hex_bytes(
      "8F CD 00 09  00 00 00 01  00 00 00 02"
      "FF FA 00 10  FF FF FE 00  20 0A  A9 00"
      "01 01 01 01 01 01 01 01 01 01  02 03 04  00 00 00");
  auto feedback = TransportCc::parse(only_packet(bytes));
  REQUIRE(feedback.ok());
  CHECK(feedback->reference_time_64ms == -2);
  const Report report = report_of(*feedback);
  REQUIRE(report.size() == 16);
  CHECK(report.front().first == 65530);
  CHECK(report[6].first == 0);  // wrapped
  CHECK(report[9].second == 2500);
  CHECK(report[10].second == 3000);
  CHECK_FALSE(report[11].second.has_value());
  CHECK(report[12].second == 3750);
  CHECK_FALSE(report[13].second.has_value());
  CHECK_FALSE(report[14].second.has_value());
  CHECK(report[15].second == 4750);
}

TEST_CASE("transport-wide CC feedback that does not add up is rejected", "[twcc][malformed]") {
  struct Case {
    const char* name;
    const char* hex;
  };
  const Case cases[] = {
      {"status count past the chunks", "8F CD 00 05 00 00 00 01 00 00 00 02 00 00 00 20 00 00 00 00 20 0A 00 00"},
      {"receive deltas cut", "8F CD 00 05 00 00 00 01 00 00 00 02 00 00 00 0A 00 00 00 00 20 0A 01 01"},
      {"reserved symbol", "8F CD 00 05 00 00 00 01 00 00 00 02 00 00 00 01 00 00 00 00 F0 00 00 00"},
      {"large deltas cut", "8F CD 00 05 00 00 00 01 00 00 00 02 00 00 00 02 00 00 00 00 40 02 00 00"},
      {"fixed part cut", "8F CD 00 03 00 00 00 01 00 00 00 02 00 00 00 01"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const base::Buffer bytes = hex_bytes(c.hex);
    auto feedback = TransportCc::parse(only_packet(bytes));
    CHECK_FALSE(feedback.ok());
  }
  const base::Buffer nack = hex_bytes("81 CD 00 03 00 00 00 01 00 00 00 02 00 05 00 00");
  CHECK(TransportCc::parse(only_packet(nack)).error().code == base::ErrorCode::kInvalidArgument);
}

TEST_CASE("the builder's feedback parses back to the arrivals, rounded to 250 us", "[twcc]") {
  std::mt19937 random(7);
  std::array<std::uint8_t, 4096> out{};
  TransportCcBuilder builder;
  for (int round = 0; round < 50; ++round) {
    builder.reset();
    // Sequence numbers from near the wrap, some lost; arrival gaps from 0 to 100 ms and
    // sometimes backwards (reordering), so small, large and negative deltas all occur.
    std::uint16_t sequence = static_cast<std::uint16_t>(65000 + random() % 1000);
    std::int64_t time_us = 5'000'000 + random() % 1'000'000;
    std::map<std::uint16_t, std::int64_t> sent;
    std::vector<std::uint16_t> order;
    const int count = 1 + static_cast<int>(random() % 300);
    for (int i = 0; i < count; ++i) {
      sequence = static_cast<std::uint16_t>(sequence + 1 + (random() % 8 == 0 ? random() % 40 : 0));
      const int kind = static_cast<int>(random() % 10);
      time_us += kind < 6 ? random() % 3000 : kind < 9 ? random() % 100'000 : -static_cast<std::int64_t>(random() % 5000);
      REQUIRE(builder.add(sequence, at_us(time_us)));
      sent[sequence] = time_us;
      order.push_back(sequence);
    }
    RtcpWriter writer(out);
    builder.write(writer, 11, 22, static_cast<std::uint8_t>(round));
    auto compound = writer.finish();
    REQUIRE(compound.ok());
    auto feedback = TransportCc::parse(only_packet(*compound));
    REQUIRE(feedback.ok());
    CHECK(feedback->base_sequence_number == order.front());
    CHECK(feedback->feedback_count == round);
    const std::int64_t reference_us = std::int64_t{feedback->reference_time_64ms} * 64'000;
    std::size_t received = 0;
    feedback->for_each([&](std::uint16_t seq, std::optional<std::int64_t> arrival) {
      const auto found = sent.find(seq);
      if (found == sent.end()) {
        CHECK_FALSE(arrival.has_value());
        return;
      }
      ++received;
      REQUIRE(arrival.has_value());
      CHECK(reference_us + *arrival == found->second / 250 * 250);
    });
    CHECK(received == sent.size());
    CHECK(feedback->status_count == static_cast<std::uint16_t>(order.back() - order.front() + 1));
  }
}

TEST_CASE("a long run of received packets uses run-length chunks", "[twcc]") {
  TransportCcBuilder builder;
  for (std::uint16_t i = 0; i < 1000; ++i) REQUIRE(builder.add(i, at_us(1'000'000 + i * 1000)));
  std::array<std::uint8_t, 2048> out{};
  RtcpWriter writer(out);
  builder.write(writer, 1, 2, 0);
  auto compound = writer.finish();
  REQUIRE(compound.ok());
  // 12 + 8 fixed, one run-length chunk (2), 1000 one-byte deltas, padding: 1024 bytes.
  CHECK(compound->size() == 4 + 8 + 8 + 2 + 1000 + 2);
}

TEST_CASE("the builder refuses what one message cannot carry", "[twcc]") {
  TransportCcBuilder builder;
  REQUIRE(builder.add(10, at_us(1'000'000)));
  CHECK_FALSE(builder.add(10, at_us(1'000'100)));   // duplicate
  CHECK_FALSE(builder.add(9, at_us(1'000'100)));    // older
  CHECK_FALSE(builder.add(10 + 0x8000, at_us(1'000'100)));  // too far ahead
  CHECK_FALSE(builder.add(11, at_us(1'000'000 + 9'000'000)));  // delta past 16 bits of 250 us
  CHECK(builder.add(11, at_us(1'000'000 + 8'000'000)));
  builder.reset();
  CHECK(builder.empty());
  std::array<std::uint8_t, 64> out{};
  RtcpWriter writer(out);
  builder.write(writer, 1, 2, 0);
  CHECK(writer.finish().error().code == base::ErrorCode::kInvalidArgument);
}
