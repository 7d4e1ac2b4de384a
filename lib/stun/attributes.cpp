#include "stun/attributes.h"

#include <algorithm>
#include <string>

#include "base/endian.h"

namespace rtcstack::stun {

using base::ByteView;
using base::ErrorCode;
using base::load_be16;
using base::load_be32;

namespace {

constexpr std::uint8_t kFamilyIPv4 = 0x01;
constexpr std::uint8_t kFamilyIPv6 = 0x02;

base::Error bad_value(AttributeType type, const std::string& why) {
  return base::make_error(ErrorCode::kMalformed, to_string(type) + ": " + why);
}

base::Result<void> expect_length(AttributeType type, ByteView value, std::size_t length) {
  if (value.size() == length) return {};
  return bad_value(type, "length " + std::to_string(value.size()) + ", expected " +
                             std::to_string(length));
}

base::Result<void> validate_address(AttributeType type, ByteView value) {
  if (value.size() < 4) return bad_value(type, "length " + std::to_string(value.size()) + " is too short");
  const std::uint8_t family = value[1];
  if (family == kFamilyIPv4) return expect_length(type, value, 8);
  if (family == kFamilyIPv6) return expect_length(type, value, 20);
  return bad_value(type, "unknown address family " + std::to_string(family));
}

// ERROR-CODE and ADDRESS-ERROR-CODE share the class/number layout in bytes 2 and 3.
base::Result<void> validate_class_and_number(AttributeType type, ByteView value) {
  if (value.size() < 4) return bad_value(type, "length " + std::to_string(value.size()) + " is too short");
  const int error_class = value[2] & 0x07;
  const int number = value[3];
  if (error_class < 3 || error_class > 6 || number > 99) {
    return bad_value(type, "error class " + std::to_string(error_class) + " number " +
                               std::to_string(number) + " is not a code from 300 to 699");
  }
  return {};
}

base::Result<void> validate_password_algorithm_list(AttributeType type, ByteView value,
                                                    bool exactly_one) {
  std::size_t entries = 0;
  while (!value.empty()) {
    if (value.size() < 4) return bad_value(type, "truncated algorithm entry");
    const std::size_t parameters = load_be16(value.data() + 2);
    const std::size_t padded = (parameters + 3) & ~std::size_t{3};
    if (4 + padded > value.size()) return bad_value(type, "algorithm parameters run past the value");
    value = value.subspan(4 + padded);
    ++entries;
  }
  if (exactly_one && entries != 1) return bad_value(type, "must hold exactly one algorithm");
  if (!exactly_one && entries == 0) return bad_value(type, "lists no algorithm");
  return {};
}

base::Result<void> validate_address_family(AttributeType type, ByteView value) {
  if (auto length = expect_length(type, value, 4); !length) return length;
  if (value[0] != kFamilyIPv4 && value[0] != kFamilyIPv6) {
    return bad_value(type, "unknown address family " + std::to_string(value[0]));
  }
  return {};
}

base::SocketAddress make_address(ByteView value, std::uint16_t port, const std::uint8_t* ip) {
  const std::size_t size = value[1] == kFamilyIPv4 ? 4 : 16;
  return base::SocketAddress(*base::IpAddress::from_bytes({ip, size}), port);
}

int decode_code(ByteView value) { return (value[2] & 0x07) * 100 + value[3]; }

}  // namespace

AttributeType UnknownAttributesView::operator[](std::size_t index) const {
  return static_cast<AttributeType>(load_be16(value_.data() + 2 * index));
}

PasswordAlgorithmEntry PasswordAlgorithmsView::Iterator::operator*() const {
  return decode_password_algorithm(rest_);
}

PasswordAlgorithmsView::Iterator& PasswordAlgorithmsView::Iterator::operator++() {
  const std::size_t parameters = load_be16(rest_.data() + 2);
  rest_ = rest_.subspan(4 + ((parameters + 3) & ~std::size_t{3}));
  return *this;
}

base::Result<void> validate_attribute(AttributeType type, ByteView value) {
  switch (type) {
    case AttributeType::kMappedAddress:
    case AttributeType::kXorMappedAddress:
    case AttributeType::kXorPeerAddress:
    case AttributeType::kXorRelayedAddress:
    case AttributeType::kAlternateServer:
      return validate_address(type, value);
    case AttributeType::kMessageIntegrity:
      return expect_length(type, value, 20);
    case AttributeType::kMessageIntegritySha256:
      if (value.size() < 16 || value.size() > 32 || value.size() % 4 != 0) {
        return bad_value(type, "length " + std::to_string(value.size()) +
                                   " is not a multiple of 4 from 16 to 32");
      }
      return {};
    case AttributeType::kFingerprint:
    case AttributeType::kPriority:
    case AttributeType::kChannelNumber:
    case AttributeType::kLifetime:
    case AttributeType::kRequestedTransport:
      return expect_length(type, value, 4);
    case AttributeType::kUserhash:
      return expect_length(type, value, 32);
    case AttributeType::kIceControlled:
    case AttributeType::kIceControlling:
    case AttributeType::kReservationToken:
    case AttributeType::kIcmp:
      return expect_length(type, value, 8);
    case AttributeType::kUseCandidate:
    case AttributeType::kDontFragment:
      return expect_length(type, value, 0);
    case AttributeType::kEvenPort:
      return expect_length(type, value, 1);
    case AttributeType::kErrorCode:
      return validate_class_and_number(type, value);
    case AttributeType::kAddressErrorCode:
      if (auto result = validate_class_and_number(type, value); !result) return result;
      if (value[0] != kFamilyIPv4 && value[0] != kFamilyIPv6) {
        return bad_value(type, "unknown address family " + std::to_string(value[0]));
      }
      return {};
    case AttributeType::kUnknownAttributes:
      if (value.size() % 2 != 0) return bad_value(type, "odd length " + std::to_string(value.size()));
      return {};
    case AttributeType::kPasswordAlgorithms:
      return validate_password_algorithm_list(type, value, /*exactly_one=*/false);
    case AttributeType::kPasswordAlgorithm:
      return validate_password_algorithm_list(type, value, /*exactly_one=*/true);
    case AttributeType::kRequestedAddressFamily:
    case AttributeType::kAdditionalAddressFamily:
      return validate_address_family(type, value);
    case AttributeType::kUsername:
    case AttributeType::kRealm:
    case AttributeType::kNonce:
    case AttributeType::kSoftware:
    case AttributeType::kAlternateDomain:
    case AttributeType::kData:
      return {};  // opaque or free text; the message length already bounds them
  }
  return {};
}

base::SocketAddress decode_address(ByteView value) {
  return make_address(value, load_be16(value.data() + 2), value.data() + 4);
}

base::SocketAddress decode_xor_address(ByteView value, const TransactionId& id) {
  const auto port = static_cast<std::uint16_t>(load_be16(value.data() + 2) ^ (kMagicCookie >> 16));
  std::uint8_t mask[16];
  base::store_be32(mask, kMagicCookie);
  std::copy(id.bytes.begin(), id.bytes.end(), mask + 4);
  std::uint8_t ip[16];
  const std::size_t size = value[1] == kFamilyIPv4 ? 4 : 16;
  for (std::size_t i = 0; i < size; ++i) ip[i] = value[4 + i] ^ mask[i];
  return make_address(value, port, ip);
}

ErrorCodeValue decode_error_code(ByteView value) {
  return {decode_code(value), base::as_string_view(value.subspan(4))};
}

PasswordAlgorithmEntry decode_password_algorithm(ByteView value) {
  return {load_be16(value.data()), value.subspan(4, load_be16(value.data() + 2))};
}

AddressErrorCodeValue decode_address_error_code(ByteView value) {
  return {decode_address_family(value), decode_code(value), base::as_string_view(value.subspan(4))};
}

IcmpValue decode_icmp(ByteView value) {
  // 16 reserved bits, then a 7-bit ICMP type and a 9-bit code, then the error data.
  const std::uint16_t type_and_code = load_be16(value.data() + 2);
  return {static_cast<std::uint8_t>(type_and_code >> 9),
          static_cast<std::uint16_t>(type_and_code & 0x1ff), load_be32(value.data() + 4)};
}

base::AddressFamily decode_address_family(ByteView value) {
  return value[0] == kFamilyIPv4 ? base::AddressFamily::kIPv4 : base::AddressFamily::kIPv6;
}

void encode_address(const base::SocketAddress& address, std::uint8_t* out) {
  out[0] = 0;
  out[1] = address.ip().is_v4() ? kFamilyIPv4 : kFamilyIPv6;
  base::store_be16(out + 2, address.port());
  const ByteView ip = address.ip().bytes();
  std::copy(ip.begin(), ip.end(), out + 4);
}

void encode_xor_address(const base::SocketAddress& address, const TransactionId& id,
                        std::uint8_t* out) {
  encode_address(address, out);
  base::store_be16(out + 2, static_cast<std::uint16_t>(address.port() ^ (kMagicCookie >> 16)));
  std::uint8_t mask[16];
  base::store_be32(mask, kMagicCookie);
  std::copy(id.bytes.begin(), id.bytes.end(), mask + 4);
  for (std::size_t i = 0; i < address.ip().bytes().size(); ++i) out[4 + i] ^= mask[i];
}

}  // namespace rtcstack::stun
