// STUN attribute types (RFC 8489 §18.3, RFC 8445 §16.1, RFC 8656 §18). Types below
// 0x8000 are comprehension-required: a message carrying one we do not know must be
// answered with 420 (Unknown Attribute); the others may be skipped.
#pragma once

#include <cstdint>
#include <string>

namespace rtcstack::stun {

/// Any 16-bit value is valid; the named ones are those rtcstack understands.
enum class AttributeType : std::uint16_t {
  // RFC 8489
  kMappedAddress = 0x0001,
  kUsername = 0x0006,
  kMessageIntegrity = 0x0008,
  kErrorCode = 0x0009,
  kUnknownAttributes = 0x000A,
  kRealm = 0x0014,
  kNonce = 0x0015,
  kMessageIntegritySha256 = 0x001C,
  kPasswordAlgorithm = 0x001D,
  kUserhash = 0x001E,
  kXorMappedAddress = 0x0020,
  kPasswordAlgorithms = 0x8002,
  kAlternateDomain = 0x8003,
  kSoftware = 0x8022,
  kAlternateServer = 0x8023,
  kFingerprint = 0x8028,
  // RFC 8445 (ICE)
  kPriority = 0x0024,
  kUseCandidate = 0x0025,
  kIceControlled = 0x8029,
  kIceControlling = 0x802A,
  // RFC 8656 (TURN)
  kChannelNumber = 0x000C,
  kLifetime = 0x000D,
  kXorPeerAddress = 0x0012,
  kData = 0x0013,
  kXorRelayedAddress = 0x0016,
  kRequestedAddressFamily = 0x0017,
  kEvenPort = 0x0018,
  kRequestedTransport = 0x0019,
  kDontFragment = 0x001A,
  kReservationToken = 0x0022,
  kAdditionalAddressFamily = 0x8000,
  kAddressErrorCode = 0x8001,
  kIcmp = 0x8004,
};

/// Number of named types above; they index KnownAttribute tables.
inline constexpr std::size_t kKnownAttributeCount = 33;

/// Position of a named type in [0, kKnownAttributeCount), or -1 for any other type.
int known_attribute_index(AttributeType type);

constexpr bool is_comprehension_required(AttributeType type) {
  return static_cast<std::uint16_t>(type) < 0x8000;
}

/// "XOR-MAPPED-ADDRESS", or "0xC057" for types without a name.
std::string to_string(AttributeType type);

}  // namespace rtcstack::stun
