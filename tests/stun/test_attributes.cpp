#include <catch2/catch.hpp>

#include "base/hex.h"
#include "base/random.h"
#include "hex_bytes.h"
#include "stun/attributes.h"
#include "stun/message_builder.h"
#include "stun/message.h"

using namespace rtcstack;
using namespace rtcstack::stun;
using testing::hex_bytes;

TEST_CASE("XOR addresses match RFC 5769 and round-trip for any id", "[stun][attributes]") {
  TransactionId id;
  const base::Buffer tid = hex_bytes("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae");
  std::copy(tid.begin(), tid.end(), id.bytes.begin());
  const base::Buffer v4_value = hex_bytes("00 01 a1 47 e1 12 a6 43");
  CHECK(decode_xor_address(v4_value, id).to_string() == "192.0.2.1:32853");
  const base::Buffer v6_value = hex_bytes("00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9");
  CHECK(decode_xor_address(v6_value, id).to_string() == "[2001:db8:1234:5678:11:2233:4455:6677]:32853");

  base::SeededRandom random(8);
  for (const char* text : {"0.0.0.0:0", "255.255.255.255:65535", "[::]:1", "[::ffff:192.0.2.9]:9",
                           "[fe80::1:2:3:4]:7", "[2001:db8::1]:3478"}) {
    const auto address = *base::SocketAddress::parse(text);
    for (int i = 0; i < 20; ++i) {
      const TransactionId any = TransactionId::random(random);
      std::uint8_t value[20];
      encode_xor_address(address, any, value);
      REQUIRE(validate_attribute(AttributeType::kXorMappedAddress, {value, address_value_size(address)}).ok());
      CHECK(decode_xor_address({value, address_value_size(address)}, any) == address);
      encode_address(address, value);
      CHECK(decode_address({value, address_value_size(address)}) == address);
    }
  }
}

TEST_CASE("ERROR-CODE splits class and number", "[stun][attributes]") {
  const std::uint8_t value[] = {0x00, 0x00, 0x04, 0x26, 'S', 't', 'a', 'l', 'e'};
  REQUIRE(validate_attribute(AttributeType::kErrorCode, value).ok());
  const ErrorCodeValue error = decode_error_code(value);
  CHECK(error.code == 438);
  CHECK(error.reason == "Stale");
  const std::uint8_t bad_number[] = {0x00, 0x00, 0x04, 100};
  CHECK_FALSE(validate_attribute(AttributeType::kErrorCode, bad_number).ok());
}

TEST_CASE("ICMP packs a 7-bit type and a 9-bit code", "[stun][attributes]") {
  std::uint8_t out[64];
  MessageBuilder builder(out, {StunMethod::kData, StunClass::kIndication}, TransactionId{});
  builder.add_icmp({.type = 127, .code = 511, .error_data = 0x01020304});
  const auto message = StunMessage::parse(*builder.finish());
  REQUIRE(message.ok());
  const auto value = *message->find(AttributeType::kIcmp);
  CHECK(base::to_hex(value) == "0000ffff01020304");
  CHECK(message->icmp()->type == 127);
  CHECK(message->icmp()->code == 511);
  MessageBuilder too_big(out, {StunMethod::kData, StunClass::kIndication}, TransactionId{});
  too_big.add_icmp({.type = 128, .code = 0, .error_data = 0});
  CHECK_FALSE(too_big.finish().ok());
}

TEST_CASE("PASSWORD-ALGORITHMS entries with parameters are walked correctly", "[stun][attributes]") {
  // Two entries: algorithm 2 with 3 parameter bytes (padded to 4), algorithm 1 with none.
  const base::Buffer value = hex_bytes("0002 0003 aabbcc00 0001 0000");
  REQUIRE(validate_attribute(AttributeType::kPasswordAlgorithms, value).ok());
  PasswordAlgorithmsView view(value);
  auto it = view.begin();
  CHECK((*it).algorithm == 2);
  CHECK(base::to_hex((*it).parameters) == "aabbcc");
  ++it;
  CHECK((*it).algorithm == 1);
  CHECK((*it).parameters.empty());
  ++it;
  CHECK(it == view.end());
  // Parameters that run past the value, and a single entry where one is required.
  CHECK_FALSE(validate_attribute(AttributeType::kPasswordAlgorithms, hex_bytes("0002 0009 aabbcc00")).ok());
  CHECK_FALSE(validate_attribute(AttributeType::kPasswordAlgorithm, value).ok());
  CHECK(validate_attribute(AttributeType::kPasswordAlgorithm, hex_bytes("0001 0000")).ok());
}

TEST_CASE("attribute types know their names and comprehension range", "[stun][attributes]") {
  CHECK(is_comprehension_required(AttributeType::kUsername));
  CHECK_FALSE(is_comprehension_required(AttributeType::kSoftware));
  CHECK(known_attribute_index(AttributeType::kIcmp) >= 0);
  CHECK(known_attribute_index(static_cast<AttributeType>(0x0002)) == -1);  // RESPONSE-ADDRESS: gone
  CHECK(known_attribute_index(static_cast<AttributeType>(0xffff)) == -1);
  // Every named type has a distinct slot.
  std::vector<int> seen(kKnownAttributeCount, 0);
  for (std::uint32_t type = 0; type <= 0xffff; ++type) {
    const int index = known_attribute_index(static_cast<AttributeType>(type));
    if (index >= 0) ++seen[static_cast<std::size_t>(index)];
  }
  for (int count : seen) CHECK(count == 1);
}
