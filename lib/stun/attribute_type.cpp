#include "stun/attribute_type.h"

#include <array>
#include <cstdio>

namespace rtcstack::stun {

namespace {

struct Named {
  AttributeType type;
  const char* name;
};

constexpr std::array<Named, kKnownAttributeCount> kNamed = {{
    {AttributeType::kMappedAddress, "MAPPED-ADDRESS"},
    {AttributeType::kUsername, "USERNAME"},
    {AttributeType::kMessageIntegrity, "MESSAGE-INTEGRITY"},
    {AttributeType::kErrorCode, "ERROR-CODE"},
    {AttributeType::kUnknownAttributes, "UNKNOWN-ATTRIBUTES"},
    {AttributeType::kRealm, "REALM"},
    {AttributeType::kNonce, "NONCE"},
    {AttributeType::kMessageIntegritySha256, "MESSAGE-INTEGRITY-SHA256"},
    {AttributeType::kPasswordAlgorithm, "PASSWORD-ALGORITHM"},
    {AttributeType::kUserhash, "USERHASH"},
    {AttributeType::kXorMappedAddress, "XOR-MAPPED-ADDRESS"},
    {AttributeType::kPasswordAlgorithms, "PASSWORD-ALGORITHMS"},
    {AttributeType::kAlternateDomain, "ALTERNATE-DOMAIN"},
    {AttributeType::kSoftware, "SOFTWARE"},
    {AttributeType::kAlternateServer, "ALTERNATE-SERVER"},
    {AttributeType::kFingerprint, "FINGERPRINT"},
    {AttributeType::kPriority, "PRIORITY"},
    {AttributeType::kUseCandidate, "USE-CANDIDATE"},
    {AttributeType::kIceControlled, "ICE-CONTROLLED"},
    {AttributeType::kIceControlling, "ICE-CONTROLLING"},
    {AttributeType::kChannelNumber, "CHANNEL-NUMBER"},
    {AttributeType::kLifetime, "LIFETIME"},
    {AttributeType::kXorPeerAddress, "XOR-PEER-ADDRESS"},
    {AttributeType::kData, "DATA"},
    {AttributeType::kXorRelayedAddress, "XOR-RELAYED-ADDRESS"},
    {AttributeType::kRequestedAddressFamily, "REQUESTED-ADDRESS-FAMILY"},
    {AttributeType::kEvenPort, "EVEN-PORT"},
    {AttributeType::kRequestedTransport, "REQUESTED-TRANSPORT"},
    {AttributeType::kDontFragment, "DONT-FRAGMENT"},
    {AttributeType::kReservationToken, "RESERVATION-TOKEN"},
    {AttributeType::kAdditionalAddressFamily, "ADDITIONAL-ADDRESS-FAMILY"},
    {AttributeType::kAddressErrorCode, "ADDRESS-ERROR-CODE"},
    {AttributeType::kIcmp, "ICMP"},
}};

// Direct lookup tables over the two dense ranges the named types live in, so that the
// parser classifies each attribute with one load instead of a search.
constexpr std::size_t kLowRange = 0x0030;   // 0x0000..0x002F
constexpr std::size_t kHighRange = 0x0030;  // 0x8000..0x802F

struct IndexTables {
  std::array<std::int8_t, kLowRange> low{};
  std::array<std::int8_t, kHighRange> high{};
};

constexpr IndexTables make_index_tables() {
  IndexTables tables;
  tables.low.fill(-1);
  tables.high.fill(-1);
  for (std::size_t i = 0; i < kNamed.size(); ++i) {
    const auto value = static_cast<std::uint16_t>(kNamed[i].type);
    if (value < 0x8000) {
      tables.low[value] = static_cast<std::int8_t>(i);
    } else {
      tables.high[value - 0x8000] = static_cast<std::int8_t>(i);
    }
  }
  return tables;
}

constexpr IndexTables kIndex = make_index_tables();

}  // namespace

int known_attribute_index(AttributeType type) {
  const auto value = static_cast<std::uint16_t>(type);
  if (value < kLowRange) return kIndex.low[value];
  if (value >= 0x8000 && value - 0x8000u < kHighRange) return kIndex.high[value - 0x8000];
  return -1;
}

std::string to_string(AttributeType type) {
  const int index = known_attribute_index(type);
  if (index >= 0) return kNamed[static_cast<std::size_t>(index)].name;
  char text[8];
  std::snprintf(text, sizeof text, "0x%04X", static_cast<unsigned>(type));
  return text;
}

}  // namespace rtcstack::stun
