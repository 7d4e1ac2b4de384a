#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "base/endian.h"
#include "base/hex.h"
#include "base/random.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"

using namespace rtcstack;
using namespace rtcstack::stun;

namespace {

TransactionId test_id(std::uint64_t seed = 1) {
  base::SeededRandom random(seed);
  return TransactionId::random(random);
}

StunMessage parse_ok(base::Result<base::ByteView> built) {
  REQUIRE(built.ok());
  auto message = StunMessage::parse(*built);
  INFO((message.ok() ? "" : message.error().to_string()));
  REQUIRE(message.ok());
  return *message;
}

}  // namespace

TEST_CASE("message types interleave method and class bits", "[stun][message]") {
  // Values from RFC 8489 §5 and RFC 8656 §17.
  CHECK(encode_message_type({StunMethod::kBinding, StunClass::kRequest}) == 0x0001);
  CHECK(encode_message_type({StunMethod::kBinding, StunClass::kIndication}) == 0x0011);
  CHECK(encode_message_type({StunMethod::kBinding, StunClass::kSuccessResponse}) == 0x0101);
  CHECK(encode_message_type({StunMethod::kBinding, StunClass::kErrorResponse}) == 0x0111);
  CHECK(encode_message_type({StunMethod::kAllocate, StunClass::kSuccessResponse}) == 0x0103);
  CHECK(encode_message_type({StunMethod::kAllocate, StunClass::kErrorResponse}) == 0x0113);
  CHECK(encode_message_type({StunMethod::kSend, StunClass::kIndication}) == 0x0016);
  CHECK(encode_message_type({StunMethod::kData, StunClass::kIndication}) == 0x0017);
  CHECK(encode_message_type({StunMethod::kChannelBind, StunClass::kRequest}) == 0x0009);
  CHECK(encode_message_type({static_cast<StunMethod>(0xfff), StunClass::kErrorResponse}) == 0x3fff);
  for (std::uint16_t wire = 0; wire < 0x4000; ++wire) {
    REQUIRE(encode_message_type(decode_message_type(wire)) == wire);
  }
}

TEST_CASE("every attribute round-trips through builder and parser", "[stun][message]") {
  const TransactionId id = test_id();
  const auto v4 = *base::SocketAddress::parse("203.0.113.7:3478");
  const auto v6 = *base::SocketAddress::parse("[2001:db8::42]:65535");
  const std::array<std::uint8_t, 32> hash = userhash("user", "realm");
  const std::array<AttributeType, 2> unknown = {static_cast<AttributeType>(0x0031),
                                                static_cast<AttributeType>(0x7fff)};
  const std::array<PasswordAlgorithmId, 2> algorithms = {PasswordAlgorithmId::kSha256,
                                                         PasswordAlgorithmId::kMd5};
  const std::uint8_t data[] = {1, 2, 3, 4, 5};
  std::uint8_t out[1024];
  MessageBuilder builder(out, {StunMethod::kAllocate, StunClass::kErrorResponse}, id);
  builder.add_address(AttributeType::kMappedAddress, v4)
      .add_xor_address(AttributeType::kXorMappedAddress, v6)
      .add_xor_address(AttributeType::kXorPeerAddress, v4)
      .add_xor_address(AttributeType::kXorRelayedAddress, v6)
      .add_address(AttributeType::kAlternateServer, v6)
      .add_string(AttributeType::kUsername, "alice:bob")
      .add(AttributeType::kUserhash, hash)
      .add_error_code(438, "Stale Nonce")
      .add_unknown_attributes(unknown)
      .add_string(AttributeType::kRealm, "rtcstack.test")
      .add_string(AttributeType::kNonce, "abcdefgh")
      .add_password_algorithms(algorithms)
      .add_password_algorithm(PasswordAlgorithmId::kSha256)
      .add_string(AttributeType::kSoftware, "rtcstack 0.1")
      .add_string(AttributeType::kAlternateDomain, "turn.example")
      .add_u32(AttributeType::kPriority, 0x6e7f1eff)
      .add_flag(AttributeType::kUseCandidate)
      .add_u64(AttributeType::kIceControlled, 0x0102030405060708ull)
      .add_u64(AttributeType::kIceControlling, 0xfffefdfcfbfaf9f8ull)
      .add_channel_number(0x4001)
      .add_u32(AttributeType::kLifetime, 600)
      .add(AttributeType::kData, data)
      .add_address_family(AttributeType::kRequestedAddressFamily, base::AddressFamily::kIPv6)
      .add_even_port(true)
      .add_requested_transport(17)
      .add_flag(AttributeType::kDontFragment)
      .add_u64(AttributeType::kReservationToken, 0x1122334455667788ull)
      .add_address_family(AttributeType::kAdditionalAddressFamily, base::AddressFamily::kIPv6)
      .add_address_error_code(base::AddressFamily::kIPv6, 440, "Address Family not Supported")
      .add_icmp({.type = 3, .code = 4, .error_data = 1280})
      .add_message_integrity(base::as_bytes("key"))
      .add_message_integrity_sha256(base::as_bytes("key"), 24)
      .add_fingerprint();
  const StunMessage message = parse_ok(builder.finish());

  CHECK(message.method() == StunMethod::kAllocate);
  CHECK(message.cls() == StunClass::kErrorResponse);
  CHECK(message.transaction_id() == id);
  CHECK(message.mapped_address() == v4);
  CHECK(message.xor_mapped_address() == v6);
  CHECK(message.xor_peer_address() == v4);
  CHECK(message.xor_relayed_address() == v6);
  CHECK(message.alternate_server() == v6);
  CHECK(message.username() == "alice:bob");
  CHECK(base::bytes_equal(*message.userhash(), hash));
  CHECK(message.error_code()->code == 438);
  CHECK(message.error_code()->reason == "Stale Nonce");
  const auto unknown_view = message.unknown_attributes();
  REQUIRE(unknown_view.size() == 2);
  CHECK(unknown_view[0] == unknown[0]);
  CHECK(unknown_view[1] == unknown[1]);
  CHECK(message.realm() == "rtcstack.test");
  CHECK(message.nonce() == "abcdefgh");
  std::vector<std::uint16_t> listed;
  for (const PasswordAlgorithmEntry entry : message.password_algorithms()) {
    listed.push_back(entry.algorithm);
    CHECK(entry.parameters.empty());
  }
  CHECK(listed == std::vector<std::uint16_t>{2, 1});
  CHECK(message.password_algorithm()->algorithm == 2);
  CHECK(message.software() == "rtcstack 0.1");
  CHECK(message.alternate_domain() == "turn.example");
  CHECK(message.priority() == 0x6e7f1effu);
  CHECK(message.use_candidate());
  CHECK(message.ice_controlled() == 0x0102030405060708ull);
  CHECK(message.ice_controlling() == 0xfffefdfcfbfaf9f8ull);
  CHECK(message.channel_number() == 0x4001);
  CHECK(message.lifetime() == 600u);
  CHECK(base::bytes_equal(*message.data(), data));
  CHECK(message.requested_address_family() == base::AddressFamily::kIPv6);
  CHECK(message.even_port() == true);
  CHECK(message.requested_transport() == 17);
  CHECK(message.dont_fragment());
  CHECK(base::load_be64(message.reservation_token()->data()) == 0x1122334455667788ull);
  CHECK(message.additional_address_family() == base::AddressFamily::kIPv6);
  CHECK(message.address_error_code()->family == base::AddressFamily::kIPv6);
  CHECK(message.address_error_code()->code == 440);
  CHECK(message.address_error_code()->reason == "Address Family not Supported");
  CHECK(message.icmp()->type == 3);
  CHECK(message.icmp()->code == 4);
  CHECK(message.icmp()->error_data == 1280u);
  CHECK(message.verify_message_integrity(base::as_bytes("key")).ok());
  CHECK(message.verify_message_integrity_sha256(base::as_bytes("key")).ok());
  // Alternating keys: the per-thread HMAC context must not keep using a cached key.
  for (int round = 0; round < 3; ++round) {
    CHECK(message.verify_integrity(base::as_bytes("key")).ok());
    CHECK_FALSE(message.verify_integrity(base::as_bytes("kez")).ok());
    CHECK_FALSE(message.verify_message_integrity(base::as_bytes("ke")).ok());
    CHECK(message.verify_message_integrity(base::as_bytes("key")).ok());
  }
  CHECK(message.has_fingerprint());
  CHECK(message.unknown_comprehension_required().empty());

  // Iteration sees every attribute in order.
  std::size_t count = 0;
  for (const RawAttribute& attribute : message.attributes()) {
    (void)attribute;
    ++count;
  }
  CHECK(count == 33);
}

TEST_CASE("a message without attributes", "[stun][message]") {
  std::uint8_t out[20];
  MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kIndication}, test_id());
  const StunMessage message = parse_ok(builder.finish());
  CHECK(message.bytes().size() == 20);
  CHECK(message.attributes().begin() == message.attributes().end());
  CHECK_FALSE(message.username().has_value());
  CHECK(message.verify_integrity(base::as_bytes("k")).error().code == base::ErrorCode::kAuthentication);
}

TEST_CASE("unknown attributes: required ones are reported, optional ones kept", "[stun][message]") {
  std::uint8_t out[256];
  MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kRequest}, test_id());
  const std::uint8_t value[] = {9, 9, 9};
  builder.add(static_cast<AttributeType>(0x0045), value)   // unknown, required
      .add(static_cast<AttributeType>(0xC057), value)      // unknown, optional (Chromium's network info)
      .add(static_cast<AttributeType>(0x0045), value)      // repeated: reported once
      .add(static_cast<AttributeType>(0x7ffe), {})
      .add_string(AttributeType::kUsername, "a:b");
  const StunMessage message = parse_ok(builder.finish());
  const auto unknown = message.unknown_comprehension_required();
  REQUIRE(unknown.size() == 2);
  CHECK(unknown[0] == static_cast<AttributeType>(0x0045));
  CHECK(unknown[1] == static_cast<AttributeType>(0x7ffe));
  const auto optional = message.find(static_cast<AttributeType>(0xC057));
  REQUIRE(optional.has_value());
  CHECK(base::bytes_equal(*optional, value));
  CHECK(message.username() == "a:b");
  CHECK(to_string(static_cast<AttributeType>(0xC057)) == "0xC057");
  CHECK(to_string(AttributeType::kXorMappedAddress) == "XOR-MAPPED-ADDRESS");
}

TEST_CASE("attributes after MESSAGE-INTEGRITY are ignored, except SHA256 and FINGERPRINT",
          "[stun][message]") {
  // Build a signed message, then append an attribute by hand and fix the length: an
  // attacker's addition after the integrity check must not be visible.
  std::uint8_t out[256];
  MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kRequest}, test_id());
  builder.add_string(AttributeType::kUsername, "a:b").add_message_integrity(base::as_bytes("pw"));
  const auto signed_message = builder.finish();
  REQUIRE(signed_message.ok());
  std::size_t size = signed_message->size();
  const std::uint8_t appended[] = {0x00, 0x24, 0x00, 0x04, 1, 2, 3, 4,    // PRIORITY
                                   0x00, 0x45, 0x00, 0x00};               // unknown, required
  std::copy(std::begin(appended), std::end(appended), out + size);
  size += sizeof appended;
  base::store_be16(out + 2, static_cast<std::uint16_t>(size - 20));

  const auto message = StunMessage::parse({out, size});
  REQUIRE(message.ok());
  CHECK_FALSE(message->priority().has_value());
  CHECK(message->unknown_comprehension_required().empty());
  CHECK(message->verify_message_integrity(base::as_bytes("pw")).ok());
  std::size_t visible = 0;
  for (const RawAttribute& attribute : message->attributes()) {
    CHECK(attribute.type != AttributeType::kPriority);
    ++visible;
  }
  CHECK(visible == 2);
}

TEST_CASE("the builder refuses attributes that would be ignored or overflow", "[stun][message]") {
  std::uint8_t out[64];
  SECTION("after integrity") {
    MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kRequest}, test_id());
    builder.add_message_integrity(base::as_bytes("k")).add_u32(AttributeType::kPriority, 1);
    CHECK(builder.finish().error().code == base::ErrorCode::kWrongState);
  }
  SECTION("after fingerprint") {
    MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kRequest}, test_id());
    builder.add_fingerprint().add_message_integrity(base::as_bytes("k"));
    CHECK(builder.finish().error().code == base::ErrorCode::kWrongState);
  }
  SECTION("out of room, and the error is sticky") {
    MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kRequest}, test_id());
    builder.add_string(AttributeType::kSoftware, std::string(41, 'x'))
        .add_u32(AttributeType::kPriority, 1);
    const auto result = builder.finish();
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == base::ErrorCode::kResourceExhausted);
    CHECK(result.error().message.find("SOFTWARE") != std::string::npos);
  }
  SECTION("bad values") {
    MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kRequest}, test_id());
    builder.add_error_code(200, "OK");
    CHECK(builder.finish().error().code == base::ErrorCode::kInvalidArgument);
  }
  SECTION("a buffer smaller than the header") {
    MessageBuilder builder(base::MutableByteView(out).first(10), {StunMethod::kBinding, StunClass::kRequest}, test_id());
    CHECK(builder.finish().error().code == base::ErrorCode::kResourceExhausted);
  }
}

TEST_CASE("the first of repeated attributes wins", "[stun][message]") {
  std::uint8_t out[128];
  MessageBuilder builder(out, {StunMethod::kCreatePermission, StunClass::kRequest}, test_id());
  const auto first = *base::SocketAddress::parse("198.51.100.1:1");
  const auto second = *base::SocketAddress::parse("198.51.100.2:2");
  builder.add_xor_address(AttributeType::kXorPeerAddress, first)
      .add_xor_address(AttributeType::kXorPeerAddress, second);
  const StunMessage message = parse_ok(builder.finish());
  CHECK(message.xor_peer_address() == first);
  std::vector<base::SocketAddress> peers;
  for (const RawAttribute& attribute : message.attributes()) {
    if (attribute.type == AttributeType::kXorPeerAddress) {
      peers.push_back(decode_xor_address(attribute.value, message.transaction_id()));
    }
  }
  CHECK(peers == std::vector<base::SocketAddress>{first, second});
}

TEST_CASE("long-term keys and userhash", "[stun][integrity]") {
  // MD5("user:realm:pass") and SHA-256 of the same, computed independently.
  const LongTermKey md5 = long_term_key(PasswordAlgorithmId::kMd5, "user", "realm", "pass");
  CHECK(base::to_hex(md5) == "8493fbc53ba582fb4c044c456bdc40eb");
  const LongTermKey sha = long_term_key(PasswordAlgorithmId::kSha256, "user", "realm", "pass");
  CHECK(base::to_hex(sha) == "07e934117abd40836e7c6329b54731b2b2d2a5f9a71f544922d75e0730d8251b");
  CHECK(base::to_hex(userhash("user", "realm")) ==
        "6a3029116b47aa98bcaa325399733dc1a23cd57e26b81bef3ff6531ce624e2da");
  CHECK(constant_time_equal(base::as_bytes("abc"), base::as_bytes("abc")));
  CHECK_FALSE(constant_time_equal(base::as_bytes("abc"), base::as_bytes("abd")));
  CHECK_FALSE(constant_time_equal(base::as_bytes("abc"), base::as_bytes("ab")));
}
