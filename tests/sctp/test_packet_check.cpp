#include <catch2/catch.hpp>

#include "hex_bytes.h"
#include "sctp/packet_check.h"

using namespace rtcstack;
using testing::hex_bytes;

namespace {
constexpr std::string_view kHeader = "1388 1388 00000000 00000000";  // ports 5000, tag, checksum
base::Buffer packet(std::string_view chunks) { return hex_bytes(std::string(kHeader) + std::string(chunks)); }
}  // namespace

TEST_CASE("well-formed packets pass the structural check", "[sctp]") {
  // DATA with 2 bytes of payload (padded), then a SACK.
  CHECK(sctp::check_packet(packet("00 03 0012 00000001 0000 0000 00000033 6869 0000 "
                                  "03 00 0010 00000001 00010000 0000 0000"))
            .ok());
  // INIT with a Supported Extensions parameter (3 bytes, padded) and Forward-TSN-Supported.
  CHECK(sctp::check_packet(packet("01 00 0020 11223344 00010000 0400 0400 00000001 "
                                  "8008 0007 c08200 00 c000 0004"))
            .ok());
}

TEST_CASE("broken lengths are refused before usrsctp sees them", "[sctp]") {
  // The input that hung usrsctp 0.9.5: an INIT whose second parameter has length 0.
  const auto hang = sctp::check_packet(packet("01 00 001c 11223344 00010000 0400 0400 00000001 c000 0004 8008 0000"));
  REQUIRE_FALSE(hang.ok());
  CHECK(hang.error().code == base::ErrorCode::kMalformed);
  CHECK_THAT(hang.error().message, Catch::Contains("parameter of length 0"));

  CHECK_FALSE(sctp::check_packet(hex_bytes("1388 1388 00000000")).ok());                       // no chunk
  CHECK_FALSE(sctp::check_packet(packet("00 03 0002")).ok());                                  // chunk length < 4
  CHECK_FALSE(sctp::check_packet(packet("00 03 0040 00000001")).ok());                         // past the packet
  CHECK_FALSE(sctp::check_packet(packet("01 00 0010 11223344 00010000 0400 0400")).ok());      // INIT too short
  CHECK_FALSE(sctp::check_packet(packet("82 00 000c 000d 0010 00000001")).ok());               // RE-CONFIG TLV overruns
  CHECK_FALSE(sctp::check_packet(packet("06 00 0008 0001 0002")).ok());                        // ABORT cause length 2
  CHECK_FALSE(sctp::check_packet(packet("00 03 0010 00000001 0000 0000 00000033 01")).ok());   // trailing half header
}
