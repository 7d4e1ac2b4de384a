#include <catch2/catch.hpp>

#include "hex_bytes.h"
#include "rfc5769_vectors.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"

using namespace rtcstack;
using namespace rtcstack::stun;
using testing::hex_bytes;
namespace vectors = testing::rfc5769;

namespace {

const base::ByteView kShortTermKey = base::as_bytes(vectors::kShortTermPassword);

}  // namespace

TEST_CASE("RFC 5769 2.1: sample request parses, verifies and rebuilds byte-exact", "[stun][rfc5769]") {
  const base::Buffer bytes = hex_bytes(vectors::kRequest);
  const auto message = StunMessage::parse(bytes);
  REQUIRE(message.ok());
  CHECK(message->method() == StunMethod::kBinding);
  CHECK(message->cls() == StunClass::kRequest);
  CHECK(message->transaction_id().to_string() == "b7e7a701bc34d686fa87dfae");
  CHECK(message->software() == "STUN test client");
  CHECK(message->priority() == 0x6e0001ffu);
  CHECK(message->ice_controlled() == 0x932ff9b151263b36ull);
  CHECK(message->username() == "evtj:h6vY");
  CHECK(message->has_fingerprint());
  CHECK(message->verify_message_integrity(kShortTermKey).ok());
  CHECK(message->verify_integrity(kShortTermKey).ok());
  const auto wrong = message->verify_message_integrity(base::as_bytes("VOkJxbRl1RmTxUk/WvJxBT"));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code == base::ErrorCode::kAuthentication);

  std::uint8_t out[256];
  MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kRequest}, message->transaction_id());
  builder.set_padding_byte(0x20);
  builder.add_string(AttributeType::kSoftware, "STUN test client")
      .add_u32(AttributeType::kPriority, 0x6e0001ff)
      .add_u64(AttributeType::kIceControlled, 0x932ff9b151263b36ull)
      .add_string(AttributeType::kUsername, "evtj:h6vY")
      .add_message_integrity(kShortTermKey)
      .add_fingerprint();
  const auto rebuilt = builder.finish();
  REQUIRE(rebuilt.ok());
  CHECK(base::bytes_equal(*rebuilt, bytes));
}

TEST_CASE("RFC 5769 2.2 and 2.3: responses parse, verify and rebuild byte-exact", "[stun][rfc5769]") {
  struct Vector {
    std::string_view hex;
    const char* mapped;
  };
  for (const Vector& vector : {Vector{vectors::kIpv4Response, "192.0.2.1:32853"},
                               Vector{vectors::kIpv6Response,
                                      "[2001:db8:1234:5678:11:2233:4455:6677]:32853"}}) {
    INFO(vector.mapped);
    const base::Buffer bytes = hex_bytes(vector.hex);
    const auto message = StunMessage::parse(bytes);
    REQUIRE(message.ok());
    CHECK(message->cls() == StunClass::kSuccessResponse);
    CHECK(message->software() == "test vector");
    const auto mapped = *base::SocketAddress::parse(vector.mapped);
    CHECK(message->xor_mapped_address() == mapped);
    CHECK(message->verify_message_integrity(kShortTermKey).ok());

    std::uint8_t out[256];
    MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kSuccessResponse},
                           message->transaction_id());
    builder.set_padding_byte(0x20);
    builder.add_string(AttributeType::kSoftware, "test vector")
        .add_xor_address(AttributeType::kXorMappedAddress, mapped)
        .add_message_integrity(kShortTermKey)
        .add_fingerprint();
    REQUIRE(builder.finish().ok());
    CHECK(base::bytes_equal(*builder.finish(), bytes));
  }
}

TEST_CASE("RFC 5769 2.4: long-term request parses, verifies and rebuilds byte-exact", "[stun][rfc5769]") {
  const base::Buffer bytes = hex_bytes(vectors::kLongTermRequest);
  const auto message = StunMessage::parse(bytes);
  REQUIRE(message.ok());
  CHECK(message->username() == vectors::kLongTermUsername);
  CHECK(message->nonce() == vectors::kLongTermNonce);
  CHECK(message->realm() == vectors::kLongTermRealm);
  CHECK_FALSE(message->has_fingerprint());

  const LongTermKey key = long_term_key(PasswordAlgorithmId::kMd5, vectors::kLongTermUsername,
                                        vectors::kLongTermRealm, vectors::kLongTermPassword);
  CHECK(key.view().size() == 16);
  CHECK(message->verify_message_integrity(key).ok());
  const LongTermKey wrong = long_term_key(PasswordAlgorithmId::kMd5, vectors::kLongTermUsername,
                                          vectors::kLongTermRealm, "thematrix");
  CHECK(message->verify_message_integrity(wrong).error().code == base::ErrorCode::kAuthentication);

  std::uint8_t out[256];
  MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kRequest}, message->transaction_id());
  builder.add_string(AttributeType::kUsername, vectors::kLongTermUsername)
      .add_string(AttributeType::kNonce, vectors::kLongTermNonce)
      .add_string(AttributeType::kRealm, vectors::kLongTermRealm)
      .add_message_integrity(key);
  CHECK(base::bytes_equal(*builder.finish(), bytes));
}
