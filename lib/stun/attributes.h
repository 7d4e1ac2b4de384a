// Typed STUN attribute values: decoding from and encoding to the bytes of one
// attribute's value (without its 4-byte type/length header). StunMessage validates every
// attribute it knows with validate_attribute() while parsing, so its typed getters can
// decode without failing; MessageBuilder uses the encoders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/socket_address.h"
#include "stun/attribute_type.h"
#include "stun/transaction_id.h"

namespace rtcstack::stun {

/// The magic cookie every RFC 5389/8489 message carries at offset 4.
inline constexpr std::uint32_t kMagicCookie = 0x2112A442;
/// FINGERPRINT is the CRC-32 of the message up to it, XORed with this ("STUN").
inline constexpr std::uint32_t kFingerprintXor = 0x5354554e;

/// ERROR-CODE (RFC 8489 §14.8): a code from 300 to 699 and a UTF-8 reason phrase.
struct ErrorCodeValue {
  int code;
  std::string_view reason;
};

/// Password algorithms of RFC 8489 §18.5.
enum class PasswordAlgorithmId : std::uint16_t { kMd5 = 0x0001, kSha256 = 0x0002 };

/// One PASSWORD-ALGORITHM entry: the algorithm and its (so far always empty) parameters.
struct PasswordAlgorithmEntry {
  std::uint16_t algorithm;
  base::ByteView parameters;
};

/// ADDRESS-ERROR-CODE (RFC 8656 §18.13): why an allocation for one family failed.
struct AddressErrorCodeValue {
  base::AddressFamily family;
  int code;
  std::string_view reason;
};

/// ICMP (RFC 8656 §18.13): an ICMP error the TURN server received for a peer. The wire
/// form has a 7-bit type and a 9-bit code.
struct IcmpValue {
  std::uint8_t type;
  std::uint16_t code;
  std::uint32_t error_data;
};

/// The attribute types listed in an UNKNOWN-ATTRIBUTES value, without copying.
class UnknownAttributesView {
 public:
  explicit UnknownAttributesView(base::ByteView value) : value_(value) {}
  std::size_t size() const { return value_.size() / 2; }
  AttributeType operator[](std::size_t index) const;

 private:
  base::ByteView value_;
};

/// The entries of a (validated) PASSWORD-ALGORITHMS value, without copying.
class PasswordAlgorithmsView {
 public:
  class Iterator {
   public:
    using value_type = PasswordAlgorithmEntry;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    Iterator(base::ByteView rest) : rest_(rest) {}
    PasswordAlgorithmEntry operator*() const;
    Iterator& operator++();
    Iterator operator++(int) { Iterator copy = *this; ++*this; return copy; }
    bool operator==(const Iterator& other) const { return rest_.size() == other.rest_.size(); }

   private:
    base::ByteView rest_;
  };

  explicit PasswordAlgorithmsView(base::ByteView value) : value_(value) {}
  Iterator begin() const { return Iterator(value_); }
  Iterator end() const { return Iterator(value_.subspan(value_.size())); }

 private:
  base::ByteView value_;
};

/// Checks that `value` is a well-formed value for `type`. Types rtcstack does not know
/// are always accepted (their bytes are opaque to us).
base::Result<void> validate_attribute(AttributeType type, base::ByteView value);

// Decoders. Each expects a value that validate_attribute() accepted for its type.

/// MAPPED-ADDRESS and ALTERNATE-SERVER.
base::SocketAddress decode_address(base::ByteView value);
/// XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS: the address and port are
/// XORed with the magic cookie (and, for IPv6, the transaction id).
base::SocketAddress decode_xor_address(base::ByteView value, const TransactionId& id);
ErrorCodeValue decode_error_code(base::ByteView value);
PasswordAlgorithmEntry decode_password_algorithm(base::ByteView value);
AddressErrorCodeValue decode_address_error_code(base::ByteView value);
IcmpValue decode_icmp(base::ByteView value);
/// REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY.
base::AddressFamily decode_address_family(base::ByteView value);

// Encoders write exactly encoded_size bytes into `out`, which must be large enough.

inline std::size_t address_value_size(const base::SocketAddress& a) {
  return a.ip().is_v4() ? 8 : 20;
}
void encode_address(const base::SocketAddress& address, std::uint8_t* out);
void encode_xor_address(const base::SocketAddress& address, const TransactionId& id,
                        std::uint8_t* out);

}  // namespace rtcstack::stun
