#include "stun/message_builder.h"

#include <algorithm>
#include <cstring>

#include "base/crc32.h"
#include "base/endian.h"
#include "stun/integrity.h"
#include "stun/message.h"

namespace rtcstack::stun {

using base::ErrorCode;

namespace {

constexpr std::size_t kMaxReasonLength = 763;  // RFC 8489 §14.8

std::uint8_t family_byte(base::AddressFamily family) {
  return family == base::AddressFamily::kIPv4 ? 0x01 : 0x02;
}

}  // namespace

MessageBuilder::MessageBuilder(base::MutableByteView out, MessageType type, const TransactionId& id)
    : out_(out), id_(id) {
  if (out_.size() < kHeaderSize) {
    fail(ErrorCode::kResourceExhausted, "buffer of " + std::to_string(out_.size()) +
                                            " bytes cannot hold the 20-byte header");
    return;
  }
  if (static_cast<std::uint16_t>(type.method) > 0x0fff) {
    fail(ErrorCode::kInvalidArgument, "method does not fit 12 bits");
    return;
  }
  base::store_be16(out_.data(), encode_message_type(type));
  base::store_be32(out_.data() + 4, kMagicCookie);
  std::memcpy(out_.data() + 8, id.bytes.data(), id.bytes.size());
  size_ = kHeaderSize;
  set_length(size_);
}

void MessageBuilder::fail(ErrorCode code, std::string message) {
  if (!error_) error_ = base::make_error(code, "STUN builder: " + std::move(message));
}

void MessageBuilder::set_length(std::size_t total) {
  base::store_be16(out_.data() + 2, static_cast<std::uint16_t>(total - kHeaderSize));
}

std::uint8_t* MessageBuilder::begin_attribute(AttributeType type, std::size_t length) {
  if (error_) return nullptr;
  if (fingerprint_added_) {
    fail(ErrorCode::kWrongState, to_string(type) + " after FINGERPRINT");
    return nullptr;
  }
  const bool integrity_or_fingerprint = type == AttributeType::kMessageIntegrity ||
                                        type == AttributeType::kMessageIntegritySha256 ||
                                        type == AttributeType::kFingerprint;
  if ((integrity_added_ || sha256_added_) && !integrity_or_fingerprint) {
    fail(ErrorCode::kWrongState, to_string(type) + " after message integrity would be ignored");
    return nullptr;
  }
  if (length > 0xffff) {
    fail(ErrorCode::kInvalidArgument, to_string(type) + " value of " + std::to_string(length) +
                                          " bytes exceeds 65535");
    return nullptr;
  }
  const std::size_t padded = (length + 3) & ~std::size_t{3};
  const std::size_t total = size_ + 4 + padded;
  if (total > out_.size() || total - kHeaderSize > 0xffff) {
    fail(ErrorCode::kResourceExhausted, to_string(type) + " needs " + std::to_string(total) +
                                            " bytes, the buffer has " + std::to_string(out_.size()));
    return nullptr;
  }
  std::uint8_t* at = out_.data() + size_;
  base::store_be16(at, static_cast<std::uint16_t>(type));
  base::store_be16(at + 2, static_cast<std::uint16_t>(length));
  std::fill(at + 4 + length, at + 4 + padded, padding_byte_);
  size_ = total;
  set_length(size_);
  return at + 4;
}

MessageBuilder& MessageBuilder::add(AttributeType type, base::ByteView value) {
  if (std::uint8_t* at = begin_attribute(type, value.size())) {
    if (!value.empty()) std::memcpy(at, value.data(), value.size());
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_string(AttributeType type, std::string_view text) {
  return add(type, base::as_bytes(text));
}

MessageBuilder& MessageBuilder::add_u32(AttributeType type, std::uint32_t value) {
  if (std::uint8_t* at = begin_attribute(type, 4)) base::store_be32(at, value);
  return *this;
}

MessageBuilder& MessageBuilder::add_u64(AttributeType type, std::uint64_t value) {
  if (std::uint8_t* at = begin_attribute(type, 8)) base::store_be64(at, value);
  return *this;
}

MessageBuilder& MessageBuilder::add_address(AttributeType type, const base::SocketAddress& address) {
  if (std::uint8_t* at = begin_attribute(type, address_value_size(address))) encode_address(address, at);
  return *this;
}

MessageBuilder& MessageBuilder::add_xor_address(AttributeType type,
                                                const base::SocketAddress& address) {
  if (std::uint8_t* at = begin_attribute(type, address_value_size(address))) {
    encode_xor_address(address, id_, at);
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_error_code(int code, std::string_view reason) {
  if (code < 300 || code > 699 || reason.size() > kMaxReasonLength) {
    fail(ErrorCode::kInvalidArgument, "ERROR-CODE " + std::to_string(code) +
                                          " must be 300..699 with a reason of at most 763 bytes");
    return *this;
  }
  if (std::uint8_t* at = begin_attribute(AttributeType::kErrorCode, 4 + reason.size())) {
    at[0] = 0;
    at[1] = 0;
    at[2] = static_cast<std::uint8_t>(code / 100);
    at[3] = static_cast<std::uint8_t>(code % 100);
    std::memcpy(at + 4, reason.data(), reason.size());
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_unknown_attributes(std::span<const AttributeType> types) {
  if (std::uint8_t* at = begin_attribute(AttributeType::kUnknownAttributes, 2 * types.size())) {
    for (std::size_t i = 0; i < types.size(); ++i) {
      base::store_be16(at + 2 * i, static_cast<std::uint16_t>(types[i]));
    }
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_password_algorithms(
    std::span<const PasswordAlgorithmId> algorithms) {
  if (algorithms.empty()) {
    fail(ErrorCode::kInvalidArgument, "PASSWORD-ALGORITHMS needs at least one algorithm");
    return *this;
  }
  if (std::uint8_t* at = begin_attribute(AttributeType::kPasswordAlgorithms, 4 * algorithms.size())) {
    for (std::size_t i = 0; i < algorithms.size(); ++i) {
      base::store_be16(at + 4 * i, static_cast<std::uint16_t>(algorithms[i]));
      base::store_be16(at + 4 * i + 2, 0);  // no parameters for MD5 or SHA-256
    }
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_password_algorithm(PasswordAlgorithmId algorithm) {
  if (std::uint8_t* at = begin_attribute(AttributeType::kPasswordAlgorithm, 4)) {
    base::store_be16(at, static_cast<std::uint16_t>(algorithm));
    base::store_be16(at + 2, 0);
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_channel_number(std::uint16_t channel) {
  if (std::uint8_t* at = begin_attribute(AttributeType::kChannelNumber, 4)) {
    base::store_be16(at, channel);
    base::store_be16(at + 2, 0);  // RFFU
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_address_family(AttributeType type, base::AddressFamily family) {
  if (std::uint8_t* at = begin_attribute(type, 4)) {
    at[0] = family_byte(family);
    at[1] = at[2] = at[3] = 0;
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_even_port(bool reserve_next) {
  if (std::uint8_t* at = begin_attribute(AttributeType::kEvenPort, 1)) {
    at[0] = reserve_next ? 0x80 : 0x00;
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_requested_transport(std::uint8_t protocol) {
  if (std::uint8_t* at = begin_attribute(AttributeType::kRequestedTransport, 4)) {
    at[0] = protocol;
    at[1] = at[2] = at[3] = 0;
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_address_error_code(base::AddressFamily family, int code,
                                                       std::string_view reason) {
  if (code < 300 || code > 699 || reason.size() > kMaxReasonLength) {
    fail(ErrorCode::kInvalidArgument, "ADDRESS-ERROR-CODE " + std::to_string(code) +
                                          " must be 300..699 with a reason of at most 763 bytes");
    return *this;
  }
  if (std::uint8_t* at = begin_attribute(AttributeType::kAddressErrorCode, 4 + reason.size())) {
    at[0] = family_byte(family);
    at[1] = 0;
    at[2] = static_cast<std::uint8_t>(code / 100);
    at[3] = static_cast<std::uint8_t>(code % 100);
    std::memcpy(at + 4, reason.data(), reason.size());
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_icmp(const IcmpValue& icmp) {
  if (icmp.type > 0x7f || icmp.code > 0x1ff) {
    fail(ErrorCode::kInvalidArgument, "ICMP type must fit 7 bits and code 9 bits");
    return *this;
  }
  if (std::uint8_t* at = begin_attribute(AttributeType::kIcmp, 8)) {
    base::store_be16(at, 0);
    base::store_be16(at + 2, static_cast<std::uint16_t>(icmp.type << 9 | icmp.code));
    base::store_be32(at + 4, icmp.error_data);
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_message_integrity(base::ByteView key) {
  if (integrity_added_) {
    fail(ErrorCode::kWrongState, "MESSAGE-INTEGRITY added twice");
    return *this;
  }
  const std::size_t start = size_;
  if (std::uint8_t* at = begin_attribute(AttributeType::kMessageIntegrity, 20)) {
    // begin_attribute already set the header length to end at this attribute.
    hmac(HmacAlgorithm::kSha1, key, out_.first(kHeaderSize),
         out_.subspan(kHeaderSize, start - kHeaderSize), at);
    integrity_added_ = true;
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_message_integrity_sha256(base::ByteView key, std::size_t length) {
  if (sha256_added_) {
    fail(ErrorCode::kWrongState, "MESSAGE-INTEGRITY-SHA256 added twice");
    return *this;
  }
  if (length < 16 || length > 32 || length % 4 != 0) {
    fail(ErrorCode::kInvalidArgument, "MESSAGE-INTEGRITY-SHA256 length must be a multiple of 4 from 16 to 32");
    return *this;
  }
  const std::size_t start = size_;
  if (std::uint8_t* at = begin_attribute(AttributeType::kMessageIntegritySha256, length)) {
    std::uint8_t full[32];
    hmac(HmacAlgorithm::kSha256, key, out_.first(kHeaderSize),
         out_.subspan(kHeaderSize, start - kHeaderSize), full);
    std::memcpy(at, full, length);
    sha256_added_ = true;
  }
  return *this;
}

MessageBuilder& MessageBuilder::add_fingerprint() {
  const std::size_t start = size_;
  if (std::uint8_t* at = begin_attribute(AttributeType::kFingerprint, 4)) {
    base::store_be32(at, base::crc32(out_.first(start)) ^ kFingerprintXor);
    fingerprint_added_ = true;
  }
  return *this;
}

base::Result<base::ByteView> MessageBuilder::finish() const {
  if (error_) return *error_;
  return base::ByteView(out_.first(size_));
}

}  // namespace rtcstack::stun
