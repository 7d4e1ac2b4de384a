#include <catch2/catch.hpp>

#include <vector>

#include "hex_bytes.h"
#include "sctp/dcep.h"

using namespace rtcstack;
using sctp::DcepOpen;
using sctp::Reliability;

TEST_CASE("DCEP DATA_CHANNEL_OPEN round trips every channel type", "[sctp][dcep]") {
  for (Reliability reliability : {Reliability::kReliable, Reliability::kLimitedRetransmits, Reliability::kLimitedLifetime}) {
    for (bool ordered : {true, false}) {
      DcepOpen open;
      open.reliability = reliability;
      open.ordered = ordered;
      open.priority = 512;
      open.reliability_parameter = reliability == Reliability::kReliable ? 0 : 1500;
      open.label = "chat \xE2\x9C\x93";
      open.protocol = "x-proto";
      std::vector<std::uint8_t> bytes(sctp::dcep_open_size(open));
      sctp::serialize_dcep_open(open, bytes);
      const auto parsed = sctp::parse_dcep(bytes);
      REQUIRE(parsed.ok());
      const auto& back = std::get<DcepOpen>(*parsed);
      CHECK(back.reliability == reliability);
      CHECK(back.ordered == ordered);
      CHECK(back.priority == 512);
      CHECK(back.reliability_parameter == open.reliability_parameter);
      CHECK(back.label == open.label);
      CHECK(back.protocol == open.protocol);
      CHECK(back.label.data() == reinterpret_cast<const char*>(bytes.data()) + 12);  // a view, not a copy
    }
  }
}

TEST_CASE("DCEP wire format matches RFC 8832 §5.1", "[sctp][dcep]") {
  // Unordered, partially reliable by retransmissions (0x81), priority 256, 3 retransmits,
  // label "a", protocol "" - laid out by hand from the RFC's figure.
  const auto bytes = testing::hex_bytes("03 81 0100 00000003 0001 0000 61");
  const auto parsed = sctp::parse_dcep(bytes);
  REQUIRE(parsed.ok());
  const auto& open = std::get<DcepOpen>(*parsed);
  CHECK_FALSE(open.ordered);
  CHECK(open.reliability == Reliability::kLimitedRetransmits);
  CHECK(open.reliability_parameter == 3);
  CHECK(open.priority == 256);
  CHECK(open.label == "a");
  CHECK(open.protocol.empty());
  CHECK(std::holds_alternative<sctp::DcepAck>(*sctp::parse_dcep(sctp::kDcepAckMessage)));
}

TEST_CASE("DCEP rejects malformed messages with typed errors", "[sctp][dcep]") {
  CHECK(sctp::parse_dcep({}).error().code == base::ErrorCode::kMalformed);
  CHECK(sctp::parse_dcep(testing::hex_bytes("07")).error().code == base::ErrorCode::kUnsupported);
  CHECK(sctp::parse_dcep(testing::hex_bytes("03 00 0100 00000000 0001")).error().code == base::ErrorCode::kMalformed);
  CHECK(sctp::parse_dcep(testing::hex_bytes("03 03 0100 00000000 0000 0000")).error().code ==
        base::ErrorCode::kUnsupported);
  // The label claims 2 bytes, the protocol 1, but only 2 follow.
  CHECK(sctp::parse_dcep(testing::hex_bytes("03 00 0100 00000000 0002 0001 6162")).error().code ==
        base::ErrorCode::kMalformed);
}
