// A parsed STUN message: a validated, zero-copy view over the caller's bytes
// (RFC 8489 §5, §14). parse() checks the header, walks every attribute, validates the
// value of each attribute type it knows, verifies FINGERPRINT when present and records
// where the known attributes are, so the typed getters below are O(1) and cannot fail.
// The bytes must outlive the view.
//
// What counts: RFC 8489 §14.5/14.6 say attributes after MESSAGE-INTEGRITY(-SHA256) other
// than the other integrity attribute and FINGERPRINT are ignored; they are neither
// validated nor visible here. FINGERPRINT must be the last attribute. Of repeated
// attributes the getters return the first; attributes() shows all.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include "base/bytes.h"
#include "base/result.h"
#include "base/socket_address.h"
#include "stun/attribute_type.h"
#include "stun/attributes.h"
#include "stun/integrity.h"
#include "stun/message_type.h"
#include "stun/transaction_id.h"

namespace rtcstack::stun {

inline constexpr std::size_t kHeaderSize = 20;

/// One attribute as it appears on the wire.
struct RawAttribute {
  AttributeType type;
  base::ByteView value;   ///< without padding
  std::size_t offset;     ///< of the attribute header within the message
};

class StunMessage {
 public:
  /// At most this many distinct unknown comprehension-required types are reported; a
  /// 420 answer listing more would not help anyone.
  static constexpr std::size_t kMaxUnknownReported = 16;

  /// Parses the STUN message at the start of `bytes`. Bytes after the length the header
  /// announces are not part of the message (so a stream can hold several back to back).
  /// Errors: kTruncated (shorter than the header or its length), kMalformed (anything
  /// else: bits, cookie, lengths, attribute values, FINGERPRINT mismatch).
  static base::Result<StunMessage> parse(base::ByteView bytes);

  MessageType type() const { return type_; }
  StunMethod method() const { return type_.method; }
  StunClass cls() const { return type_.cls; }
  const TransactionId& transaction_id() const { return transaction_id_; }
  /// The whole message: header and attributes, 20 + the header's length field.
  base::ByteView bytes() const { return bytes_; }

  /// Iterates the attributes that count (see above), in wire order.
  class AttributeIterator {
   public:
    using value_type = RawAttribute;
    using difference_type = std::ptrdiff_t;
    AttributeIterator() = default;
    AttributeIterator(const StunMessage* message, std::size_t offset)
        : message_(message), offset_(offset) {}
    RawAttribute operator*() const;
    AttributeIterator& operator++();
    AttributeIterator operator++(int) { AttributeIterator copy = *this; ++*this; return copy; }
    bool operator==(const AttributeIterator& other) const { return offset_ == other.offset_; }

   private:
    const StunMessage* message_ = nullptr;
    std::size_t offset_ = 0;
  };
  struct AttributeRange {
    AttributeIterator first, last;
    AttributeIterator begin() const { return first; }
    AttributeIterator end() const { return last; }
  };
  AttributeRange attributes() const;

  /// The value of the first attribute of `type` that counts.
  std::optional<base::ByteView> find(AttributeType type) const;
  bool has(AttributeType type) const { return find(type).has_value(); }

  /// Comprehension-required types (< 0x8000) we do not understand, first occurrence
  /// order: a server answers such a request with 420 and UNKNOWN-ATTRIBUTES.
  std::span<const AttributeType> unknown_comprehension_required() const {
    return {unknown_.data(), unknown_count_};
  }

  // Typed getters; std::nullopt when the attribute is absent.
  std::optional<std::string_view> username() const { return text(AttributeType::kUsername); }
  std::optional<std::string_view> realm() const { return text(AttributeType::kRealm); }
  std::optional<std::string_view> nonce() const { return text(AttributeType::kNonce); }
  std::optional<std::string_view> software() const { return text(AttributeType::kSoftware); }
  std::optional<std::string_view> alternate_domain() const { return text(AttributeType::kAlternateDomain); }
  std::optional<base::ByteView> userhash() const { return find(AttributeType::kUserhash); }
  std::optional<base::ByteView> data() const { return find(AttributeType::kData); }
  std::optional<base::ByteView> reservation_token() const { return find(AttributeType::kReservationToken); }
  std::optional<base::SocketAddress> mapped_address() const;
  std::optional<base::SocketAddress> alternate_server() const;
  std::optional<base::SocketAddress> xor_mapped_address() const { return xor_address(AttributeType::kXorMappedAddress); }
  std::optional<base::SocketAddress> xor_peer_address() const { return xor_address(AttributeType::kXorPeerAddress); }
  std::optional<base::SocketAddress> xor_relayed_address() const { return xor_address(AttributeType::kXorRelayedAddress); }
  std::optional<ErrorCodeValue> error_code() const;
  /// The list attributes return a view that is empty when the attribute is absent (a
  /// view, not an optional of one, so that a range-for over it cannot dangle).
  UnknownAttributesView unknown_attributes() const;
  PasswordAlgorithmsView password_algorithms() const;
  std::optional<PasswordAlgorithmEntry> password_algorithm() const;
  std::optional<std::uint32_t> priority() const { return u32(AttributeType::kPriority); }
  bool use_candidate() const { return has(AttributeType::kUseCandidate); }
  std::optional<std::uint64_t> ice_controlled() const { return u64(AttributeType::kIceControlled); }
  std::optional<std::uint64_t> ice_controlling() const { return u64(AttributeType::kIceControlling); }
  /// CHANNEL-NUMBER's channel (its low 16 bits are reserved).
  std::optional<std::uint16_t> channel_number() const;
  /// LIFETIME in seconds.
  std::optional<std::uint32_t> lifetime() const { return u32(AttributeType::kLifetime); }
  std::optional<base::AddressFamily> requested_address_family() const;
  std::optional<base::AddressFamily> additional_address_family() const;
  /// EVEN-PORT's R bit: whether the next port up should be reserved too.
  std::optional<bool> even_port() const;
  /// REQUESTED-TRANSPORT's protocol number (17 for UDP).
  std::optional<std::uint8_t> requested_transport() const;
  bool dont_fragment() const { return has(AttributeType::kDontFragment); }
  std::optional<AddressErrorCodeValue> address_error_code() const;
  std::optional<IcmpValue> icmp() const;

  bool has_message_integrity() const { return has(AttributeType::kMessageIntegrity); }
  bool has_message_integrity_sha256() const { return has(AttributeType::kMessageIntegritySha256); }
  /// FINGERPRINT, when present, was verified by parse().
  bool has_fingerprint() const { return has(AttributeType::kFingerprint); }

  /// Checks MESSAGE-INTEGRITY (HMAC-SHA1) with `key`. kAuthentication when it is absent
  /// or does not match.
  base::Result<void> verify_message_integrity(base::ByteView key) const;
  /// Checks MESSAGE-INTEGRITY-SHA256 (possibly truncated to 16..28 bytes) with `key`.
  base::Result<void> verify_message_integrity_sha256(base::ByteView key) const;
  /// Checks the strongest integrity attribute present: SHA-256 if there, else SHA-1.
  base::Result<void> verify_integrity(base::ByteView key) const;

 private:
  StunMessage() = default;
  /// Records an attribute that counts (validated when known; a comprehension-required
  /// unknown one noted); kMalformed for a known one whose value breaks its grammar.
  base::Result<void> take_attribute(AttributeType type, std::size_t offset, base::ByteView value);

  std::optional<std::string_view> text(AttributeType type) const;
  std::optional<std::uint32_t> u32(AttributeType type) const;
  std::optional<std::uint64_t> u64(AttributeType type) const;
  std::optional<base::SocketAddress> xor_address(AttributeType type) const;
  // The first counted value of `type` passed through `decode`, or nullopt when absent.
  template <class Decode>
  auto decoded(AttributeType type, Decode decode) const
      -> std::optional<std::invoke_result_t<Decode, base::ByteView>>;
  base::Result<void> verify_hmac(AttributeType type, HmacAlgorithm algorithm,
                                 base::ByteView key) const;
  bool counts(AttributeType type, std::size_t offset) const;

  base::ByteView bytes_;
  MessageType type_{};
  TransactionId transaction_id_;
  // Offset of the first counted attribute of each known type (0: absent; no attribute
  // can start inside the header).
  std::array<std::uint16_t, kKnownAttributeCount> known_offsets_{};
  std::array<AttributeType, kMaxUnknownReported> unknown_{};
  std::size_t unknown_count_ = 0;
  // Attributes at or after this offset that are not integrity or FINGERPRINT are ignored.
  std::size_t integrity_offset_ = SIZE_MAX;
};

}  // namespace rtcstack::stun
