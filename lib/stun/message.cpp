#include "stun/message.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>

#include "base/crc32.h"
#include "base/endian.h"

namespace rtcstack::stun {

using base::ByteView;
using base::ErrorCode;
using base::load_be16;
using base::load_be32;

namespace {

base::Error malformed(std::string why) {
  return base::make_error(ErrorCode::kMalformed, "STUN: " + std::move(why));
}

std::size_t padded(std::size_t length) { return (length + 3) & ~std::size_t{3}; }

bool is_integrity(AttributeType type) {
  return type == AttributeType::kMessageIntegrity ||
         type == AttributeType::kMessageIntegritySha256;
}

}  // namespace

namespace {

// The 20-byte header (RFC 8489 §5): leading bits, cookie, a length that is a multiple of
// 4 and fits. The message's length past the header.
base::Result<std::size_t> check_header(ByteView bytes) {
  if (bytes.size() < kHeaderSize) {
    return base::make_error(ErrorCode::kTruncated, "STUN: " + std::to_string(bytes.size()) +
                                                       " bytes, shorter than the 20-byte header");
  }
  if (load_be16(bytes.data()) & 0xc000) return malformed("the two leading bits of the header are not zero");
  const std::uint32_t cookie = load_be32(bytes.data() + 4);
  if (cookie != kMagicCookie) {
    char text[64];
    std::snprintf(text, sizeof text, "magic cookie 0x%08X is not 0x2112A442", cookie);
    return malformed(text);
  }
  const std::size_t length = load_be16(bytes.data() + 2);
  if (length % 4 != 0) {
    return malformed("message length " + std::to_string(length) + " is not a multiple of 4");
  }
  if (kHeaderSize + length > bytes.size()) {
    return base::make_error(ErrorCode::kTruncated,
                            "STUN: header announces " + std::to_string(kHeaderSize + length) +
                                " bytes, only " + std::to_string(bytes.size()) + " present");
  }
  return length;
}

}  // namespace

base::Result<void> StunMessage::take_attribute(AttributeType type, std::size_t offset, ByteView value) {
  const int index = known_attribute_index(type);
  if (index >= 0) {
    if (auto valid = validate_attribute(type, value); !valid) {
      return malformed(valid.error().message + " (at offset " + std::to_string(offset) + ")");
    }
    auto& slot = known_offsets_[static_cast<std::size_t>(index)];
    if (slot == 0) slot = static_cast<std::uint16_t>(offset);
  } else if (is_comprehension_required(type) && unknown_count_ < kMaxUnknownReported) {
    const auto known = unknown_comprehension_required();
    if (std::find(known.begin(), known.end(), type) == known.end()) unknown_[unknown_count_++] = type;
  }
  if (is_integrity(type) && integrity_offset_ == SIZE_MAX) integrity_offset_ = offset;
  return {};
}

base::Result<StunMessage> StunMessage::parse(ByteView bytes) {
  const auto length = check_header(bytes);
  if (!length) return length.error();
  StunMessage message;
  message.bytes_ = bytes.first(kHeaderSize + *length);
  message.type_ = decode_message_type(load_be16(bytes.data()));
  std::memcpy(message.transaction_id_.bytes.data(), bytes.data() + 8, 12);

  bool seen_sha1 = false;
  bool seen_sha256 = false;
  std::size_t offset = kHeaderSize;
  while (offset < message.bytes_.size()) {
    // Offsets stay multiples of 4 and the length is one, so 4 header bytes are present.
    const auto type = static_cast<AttributeType>(load_be16(bytes.data() + offset));
    const std::size_t value_length = load_be16(bytes.data() + offset + 2);
    const std::size_t next = offset + 4 + padded(value_length);
    if (next > message.bytes_.size()) {
      return malformed(to_string(type) + " at offset " + std::to_string(offset) + " has length " +
                       std::to_string(value_length) + ", past the end of the message");
    }
    if (message.has(AttributeType::kFingerprint)) {
      return malformed(to_string(type) + " at offset " + std::to_string(offset) +
                       " follows FINGERPRINT, which must be last");
    }
    // After an integrity attribute only the other integrity and FINGERPRINT count.
    const bool counted = offset <= message.integrity_offset_ ||
                         (type == AttributeType::kMessageIntegrity && !seen_sha1) ||
                         (type == AttributeType::kMessageIntegritySha256 && !seen_sha256) ||
                         type == AttributeType::kFingerprint;
    if (counted) {
      if (auto taken = message.take_attribute(type, offset, bytes.subspan(offset + 4, value_length)); !taken) {
        return taken.error();
      }
      seen_sha1 |= type == AttributeType::kMessageIntegrity;
      seen_sha256 |= type == AttributeType::kMessageIntegritySha256;
    }
    offset = next;
  }
  if (const std::size_t at = message.known_offsets_[static_cast<std::size_t>(
          known_attribute_index(AttributeType::kFingerprint))];
      at != 0) {
    // FINGERPRINT is last, so the header length already ends where it ends.
    const std::uint32_t expected = base::crc32(bytes.first(at)) ^ kFingerprintXor;
    if (load_be32(bytes.data() + at + 4) != expected) {
      return malformed("FINGERPRINT does not match the message");
    }
  }
  return message;
}

bool StunMessage::counts(AttributeType type, std::size_t offset) const {
  if (offset <= integrity_offset_) return true;
  if (type == AttributeType::kFingerprint) return true;
  if (!is_integrity(type)) return false;
  // Only the first of each integrity type counts.
  const int index = known_attribute_index(type);
  return known_offsets_[static_cast<std::size_t>(index)] == offset;
}

template <class Decode>
auto StunMessage::decoded(AttributeType type, Decode decode) const
    -> std::optional<std::invoke_result_t<Decode, ByteView>> {
  const auto value = find(type);
  if (!value) return std::nullopt;
  return decode(*value);
}

RawAttribute StunMessage::AttributeIterator::operator*() const {
  const std::uint8_t* at = message_->bytes_.data() + offset_;
  return {static_cast<AttributeType>(load_be16(at)), message_->bytes_.subspan(offset_ + 4, load_be16(at + 2)),
          offset_};
}

StunMessage::AttributeIterator& StunMessage::AttributeIterator::operator++() {
  const std::size_t end = message_->bytes_.size();
  do {
    offset_ += 4 + padded(load_be16(message_->bytes_.data() + offset_ + 2));
  } while (offset_ < end &&
           !message_->counts(static_cast<AttributeType>(load_be16(message_->bytes_.data() + offset_)),
                             offset_));
  return *this;
}

StunMessage::AttributeRange StunMessage::attributes() const {
  return {AttributeIterator(this, kHeaderSize), AttributeIterator(this, bytes_.size())};
}

std::optional<ByteView> StunMessage::find(AttributeType type) const {
  const int index = known_attribute_index(type);
  if (index >= 0) {
    const std::size_t offset = known_offsets_[static_cast<std::size_t>(index)];
    if (offset == 0) return std::nullopt;
    return bytes_.subspan(offset + 4, load_be16(bytes_.data() + offset + 2));
  }
  for (const RawAttribute& attribute : attributes()) {
    if (attribute.type == type) return attribute.value;
  }
  return std::nullopt;
}

std::optional<std::string_view> StunMessage::text(AttributeType type) const {
  return decoded(type, base::as_string_view);
}

std::optional<std::uint32_t> StunMessage::u32(AttributeType type) const {
  return decoded(type, [](ByteView v) { return load_be32(v.data()); });
}

std::optional<std::uint64_t> StunMessage::u64(AttributeType type) const {
  return decoded(type, [](ByteView v) { return base::load_be64(v.data()); });
}

std::optional<base::SocketAddress> StunMessage::xor_address(AttributeType type) const {
  return decoded(type, [this](ByteView v) { return decode_xor_address(v, transaction_id_); });
}

std::optional<base::SocketAddress> StunMessage::mapped_address() const {
  return decoded(AttributeType::kMappedAddress, decode_address);
}

std::optional<base::SocketAddress> StunMessage::alternate_server() const {
  return decoded(AttributeType::kAlternateServer, decode_address);
}

std::optional<ErrorCodeValue> StunMessage::error_code() const {
  return decoded(AttributeType::kErrorCode, decode_error_code);
}

UnknownAttributesView StunMessage::unknown_attributes() const {
  return UnknownAttributesView(find(AttributeType::kUnknownAttributes).value_or(base::ByteView{}));
}

PasswordAlgorithmsView StunMessage::password_algorithms() const {
  return PasswordAlgorithmsView(find(AttributeType::kPasswordAlgorithms).value_or(base::ByteView{}));
}

std::optional<PasswordAlgorithmEntry> StunMessage::password_algorithm() const {
  return decoded(AttributeType::kPasswordAlgorithm, decode_password_algorithm);
}

std::optional<std::uint16_t> StunMessage::channel_number() const {
  return decoded(AttributeType::kChannelNumber, [](ByteView v) -> std::uint16_t { return load_be16(v.data()); });
}

std::optional<base::AddressFamily> StunMessage::requested_address_family() const {
  return decoded(AttributeType::kRequestedAddressFamily, decode_address_family);
}

std::optional<base::AddressFamily> StunMessage::additional_address_family() const {
  return decoded(AttributeType::kAdditionalAddressFamily, decode_address_family);
}

std::optional<bool> StunMessage::even_port() const {
  return decoded(AttributeType::kEvenPort, [](ByteView v) -> bool { return (v[0] & 0x80) != 0; });
}

std::optional<std::uint8_t> StunMessage::requested_transport() const {
  return decoded(AttributeType::kRequestedTransport, [](ByteView v) -> std::uint8_t { return v[0]; });
}

std::optional<AddressErrorCodeValue> StunMessage::address_error_code() const {
  return decoded(AttributeType::kAddressErrorCode, decode_address_error_code);
}

std::optional<IcmpValue> StunMessage::icmp() const {
  return decoded(AttributeType::kIcmp, decode_icmp);
}

base::Result<void> StunMessage::verify_hmac(AttributeType type, HmacAlgorithm algorithm,
                                            ByteView key) const {
  const int index = known_attribute_index(type);
  const std::size_t offset = known_offsets_[static_cast<std::size_t>(index)];
  if (offset == 0) {
    return base::make_error(ErrorCode::kAuthentication, "STUN: no " + to_string(type));
  }
  const ByteView received = bytes_.subspan(offset + 4, load_be16(bytes_.data() + offset + 2));
  // The HMAC covers everything before the attribute, with a header whose length field
  // ends at this attribute: what the sender saw before appending later attributes.
  std::uint8_t header[kHeaderSize];
  std::memcpy(header, bytes_.data(), kHeaderSize);
  base::store_be16(header + 2, static_cast<std::uint16_t>(offset + 4 + received.size() - kHeaderSize));
  std::uint8_t computed[32];
  hmac(algorithm, key, header, bytes_.subspan(kHeaderSize, offset - kHeaderSize), computed);
  if (!constant_time_equal(received, {computed, received.size()})) {
    return base::make_error(ErrorCode::kAuthentication,
                            "STUN: " + to_string(type) + " does not match the key");
  }
  return {};
}

base::Result<void> StunMessage::verify_message_integrity(ByteView key) const {
  return verify_hmac(AttributeType::kMessageIntegrity, HmacAlgorithm::kSha1, key);
}

base::Result<void> StunMessage::verify_message_integrity_sha256(ByteView key) const {
  return verify_hmac(AttributeType::kMessageIntegritySha256, HmacAlgorithm::kSha256, key);
}

base::Result<void> StunMessage::verify_integrity(ByteView key) const {
  if (has_message_integrity_sha256()) return verify_message_integrity_sha256(key);
  if (has_message_integrity()) return verify_message_integrity(key);
  return base::make_error(ErrorCode::kAuthentication,
                          "STUN: neither MESSAGE-INTEGRITY nor MESSAGE-INTEGRITY-SHA256 present");
}

}  // namespace rtcstack::stun
