// Writes a STUN message into a buffer the caller owns (RFC 8489 §5, §14). Nothing is
// allocated: a binding request with integrity and fingerprint is built in place, in a
// stack array if the caller likes.
//
//   std::uint8_t buffer[256];
//   MessageBuilder builder(buffer, {StunMethod::kBinding, StunClass::kRequest}, id);
//   builder.add_string(AttributeType::kUsername, "remote:local");
//   builder.add_u32(AttributeType::kPriority, priority);
//   builder.add_message_integrity(password_bytes);
//   builder.add_fingerprint();
//   Result<ByteView> message = builder.finish();
//
// Errors are sticky: once an add fails (out of room, value too long, wrong order), later
// adds do nothing and finish() returns the first error.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/socket_address.h"
#include "stun/attribute_type.h"
#include "stun/attributes.h"
#include "stun/message_type.h"
#include "stun/transaction_id.h"

namespace rtcstack::stun {

class MessageBuilder {
 public:
  /// Starts a message of `type` with `id` in `out`; fails later if `out` has fewer than 20 bytes.
  MessageBuilder(base::MutableByteView out, MessageType type, const TransactionId& id);

  /// RFC 8489 pads with zeros; RFC 5389 allowed any byte (RFC 5769's vectors use spaces).
  void set_padding_byte(std::uint8_t byte) { padding_byte_ = byte; }

  /// Any attribute, value as given (padding added).
  MessageBuilder& add(AttributeType type, base::ByteView value);
  MessageBuilder& add_string(AttributeType type, std::string_view text);
  /// Zero-length attributes: USE-CANDIDATE, DONT-FRAGMENT.
  MessageBuilder& add_flag(AttributeType type) { return add(type, {}); }
  /// PRIORITY, LIFETIME.
  MessageBuilder& add_u32(AttributeType type, std::uint32_t value);
  /// ICE-CONTROLLING, ICE-CONTROLLED (the tie-breaker), RESERVATION-TOKEN.
  MessageBuilder& add_u64(AttributeType type, std::uint64_t value);
  /// MAPPED-ADDRESS, ALTERNATE-SERVER.
  MessageBuilder& add_address(AttributeType type, const base::SocketAddress& address);
  /// XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS.
  MessageBuilder& add_xor_address(AttributeType type, const base::SocketAddress& address);
  /// ERROR-CODE; `code` from 300 to 699, reason at most 763 bytes.
  MessageBuilder& add_error_code(int code, std::string_view reason);
  MessageBuilder& add_unknown_attributes(std::span<const AttributeType> types);
  MessageBuilder& add_password_algorithms(std::span<const PasswordAlgorithmId> algorithms);
  MessageBuilder& add_password_algorithm(PasswordAlgorithmId algorithm);
  MessageBuilder& add_channel_number(std::uint16_t channel);
  /// REQUESTED-ADDRESS-FAMILY, ADDITIONAL-ADDRESS-FAMILY.
  MessageBuilder& add_address_family(AttributeType type, base::AddressFamily family);
  MessageBuilder& add_even_port(bool reserve_next);
  /// REQUESTED-TRANSPORT with an IP protocol number (17: UDP).
  MessageBuilder& add_requested_transport(std::uint8_t protocol);
  MessageBuilder& add_address_error_code(base::AddressFamily family, int code,
                                         std::string_view reason);
  MessageBuilder& add_icmp(const IcmpValue& icmp);

  /// MESSAGE-INTEGRITY over everything added so far. After it, only
  /// MESSAGE-INTEGRITY-SHA256 and FINGERPRINT may follow.
  MessageBuilder& add_message_integrity(base::ByteView key);
  /// MESSAGE-INTEGRITY-SHA256, `length` bytes of the HMAC (a multiple of 4, 16 to 32).
  MessageBuilder& add_message_integrity_sha256(base::ByteView key, std::size_t length = 32);
  /// FINGERPRINT; must be last.
  MessageBuilder& add_fingerprint();

  /// The finished message (a view into `out`), or the first error.
  base::Result<base::ByteView> finish() const;

 private:
  // Reserves an attribute header and `length` value bytes plus padding; returns the value
  // position, or nullptr after recording an error.
  std::uint8_t* begin_attribute(AttributeType type, std::size_t length);
  void fail(base::ErrorCode code, std::string message);
  void set_length(std::size_t total);

  base::MutableByteView out_;
  std::size_t size_ = 0;
  std::uint8_t padding_byte_ = 0;
  bool integrity_added_ = false;
  bool sha256_added_ = false;
  bool fingerprint_added_ = false;
  TransactionId id_;
  std::optional<base::Error> error_;
};

}  // namespace rtcstack::stun
