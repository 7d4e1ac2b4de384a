#include <catch2/catch.hpp>

#include "base/endian.h"
#include "hex_bytes.h"
#include "rfc5769_vectors.h"
#include "stun/message.h"
#include "stun/message_builder.h"

using namespace rtcstack;
using namespace rtcstack::stun;
using base::ErrorCode;
using testing::hex_bytes;
namespace vectors = testing::rfc5769;

namespace {

base::Error parse_error(base::ByteView bytes) {
  const auto message = StunMessage::parse(bytes);
  REQUIRE_FALSE(message.ok());
  return message.error();
}

bool mentions(const base::Error& error, std::string_view text) {
  return error.message.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("every truncation of every RFC 5769 vector is rejected", "[stun][malformed]") {
  for (std::string_view vector : {vectors::kRequest, vectors::kIpv4Response, vectors::kIpv6Response,
                                  vectors::kLongTermRequest}) {
    const base::Buffer bytes = hex_bytes(vector);
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      INFO("truncated to " << size << " of " << bytes.size());
      const base::Error error = parse_error(base::ByteView(bytes).first(size));
      CHECK(error.code == ErrorCode::kTruncated);
    }
  }
}

TEST_CASE("header errors", "[stun][malformed]") {
  base::Buffer bytes = hex_bytes(vectors::kIpv4Response);
  SECTION("leading bits") {
    bytes[0] |= 0x40;
    const auto error = parse_error(bytes);
    CHECK(error.code == ErrorCode::kMalformed);
    CHECK(mentions(error, "leading bits"));
  }
  SECTION("magic cookie") {
    bytes[5] ^= 0x01;
    const auto error = parse_error(bytes);
    CHECK(error.code == ErrorCode::kMalformed);
    CHECK(mentions(error, "magic cookie 0x2113A442"));
  }
  SECTION("length not a multiple of 4") {
    base::store_be16(bytes.data() + 2, 0x3d);
    const auto error = parse_error(bytes);
    CHECK(error.code == ErrorCode::kMalformed);
    CHECK(mentions(error, "not a multiple of 4"));
  }
  SECTION("length beyond the datagram") {
    base::store_be16(bytes.data() + 2, 0x40);
    CHECK(parse_error(bytes).code == ErrorCode::kTruncated);
  }
}

TEST_CASE("attribute errors", "[stun][malformed]") {
  base::Buffer bytes = hex_bytes(vectors::kIpv4Response);
  SECTION("an attribute runs past the end") {
    base::store_be16(bytes.data() + 22, 0x40);  // SOFTWARE claims 64 bytes
    const auto error = parse_error(bytes);
    CHECK(error.code == ErrorCode::kMalformed);
    CHECK(mentions(error, "SOFTWARE at offset 20"));
  }
  SECTION("a known attribute with a bad value") {
    bytes[41] = 0x03;  // XOR-MAPPED-ADDRESS (at offset 36) family 3
    const auto error = parse_error(bytes);
    CHECK(error.code == ErrorCode::kMalformed);
    CHECK(mentions(error, "XOR-MAPPED-ADDRESS: unknown address family 3"));
  }
  SECTION("header length cut inside an attribute") {
    base::store_be16(bytes.data() + 2, 0x14);  // ends 4 bytes into XOR-MAPPED-ADDRESS
    CHECK(parse_error(bytes).code == ErrorCode::kMalformed);
  }
}

TEST_CASE("known attributes with wrong sizes are rejected", "[stun][malformed]") {
  struct Case {
    AttributeType type;
    std::size_t size;
  };
  const Case cases[] = {
      {AttributeType::kMessageIntegrity, 19}, {AttributeType::kMessageIntegritySha256, 12},
      {AttributeType::kMessageIntegritySha256, 18}, {AttributeType::kFingerprint, 8},
      {AttributeType::kPriority, 3}, {AttributeType::kUseCandidate, 1},
      {AttributeType::kIceControlling, 4}, {AttributeType::kUserhash, 31},
      {AttributeType::kLifetime, 8}, {AttributeType::kEvenPort, 4},
      {AttributeType::kErrorCode, 3}, {AttributeType::kUnknownAttributes, 3},
      {AttributeType::kPasswordAlgorithms, 0}, {AttributeType::kPasswordAlgorithm, 8},
      {AttributeType::kMappedAddress, 9}, {AttributeType::kIcmp, 4},
  };
  for (const Case& c : cases) {
    INFO(to_string(c.type) << " with " << c.size << " bytes");
    std::uint8_t out[128];
    const std::vector<std::uint8_t> value(c.size, 0x01);
    MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kRequest}, TransactionId{});
    builder.add(c.type, value);
    const auto built = builder.finish();
    REQUIRE(built.ok());
    const auto error = parse_error(*built);
    CHECK(error.code == ErrorCode::kMalformed);
    CHECK(mentions(error, to_string(c.type)));
  }
}

TEST_CASE("ERROR-CODE outside 300..699 is rejected", "[stun][malformed]") {
  std::uint8_t out[64];
  const std::uint8_t value[] = {0, 0, 2, 0};  // 200
  MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kErrorResponse}, TransactionId{});
  builder.add(AttributeType::kErrorCode, value);
  CHECK(mentions(parse_error(*builder.finish()), "not a code from 300 to 699"));
}

TEST_CASE("a bad FINGERPRINT fails the parse; a bad MESSAGE-INTEGRITY fails verification",
          "[stun][malformed]") {
  const base::Buffer original = hex_bytes(vectors::kRequest);
  SECTION("fingerprint") {
    base::Buffer bytes = original;
    bytes[bytes.size() - 1] ^= 0x01;
    const auto error = parse_error(bytes);
    CHECK(error.code == ErrorCode::kMalformed);
    CHECK(mentions(error, "FINGERPRINT"));
  }
  SECTION("any changed byte before FINGERPRINT breaks it") {
    for (std::size_t i = 20; i < original.size() - 8; ++i) {
      base::Buffer bytes = original;
      bytes[i] ^= 0x80;
      const auto message = StunMessage::parse(bytes);
      CHECK_FALSE(message.ok());
    }
  }
  SECTION("integrity") {
    const base::Buffer bytes = hex_bytes(vectors::kLongTermRequest);  // no FINGERPRINT
    for (std::size_t i = 20; i < bytes.size(); ++i) {
      base::Buffer changed = bytes;
      changed[i] ^= 0x01;
      const auto message = StunMessage::parse(changed);
      if (!message.ok()) continue;  // some flips break the structure instead
      const auto verified = message->verify_message_integrity(base::as_bytes("anything"));
      REQUIRE_FALSE(verified.ok());
      CHECK(verified.error().code == ErrorCode::kAuthentication);
    }
  }
}

TEST_CASE("an attribute after FINGERPRINT is rejected", "[stun][malformed]") {
  std::uint8_t out[64];
  MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kRequest}, TransactionId{});
  builder.add_fingerprint();
  const auto built = builder.finish();
  REQUIRE(built.ok());
  std::size_t size = built->size();
  const std::uint8_t extra[] = {0x00, 0x25, 0x00, 0x00};  // USE-CANDIDATE
  std::copy(std::begin(extra), std::end(extra), out + size);
  size += 4;
  base::store_be16(out + 2, static_cast<std::uint16_t>(size - 20));
  // The FINGERPRINT no longer matches either (the length changed), but the structure
  // error is found first.
  const auto error = parse_error({out, size});
  CHECK(mentions(error, "follows FINGERPRINT"));
}
