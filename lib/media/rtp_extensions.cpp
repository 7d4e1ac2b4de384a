#include "media/rtp_extensions.h"

#include "base/endian.h"

namespace rtcstack::media {
namespace {

constexpr std::array<std::string_view, kExtensionKinds> kUris = {
    "urn:ietf:params:rtp-hdrext:sdes:mid",
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
};

// RFC 8852 §3.1 / RFC 9143: an id is 1-255 characters of "alpha-numeric" (rid) or token
// characters (mid); both stay printable ASCII, which is what is checked.
std::optional<std::string_view> identifier(base::ByteView value) {
  if (value.empty()) return std::nullopt;
  for (std::uint8_t c : value) {
    if (c <= 0x20 || c >= 0x7F) return std::nullopt;
  }
  return base::as_string_view(value);
}

}  // namespace

std::string_view extension_uri(ExtensionKind kind) { return kUris[static_cast<std::size_t>(kind)]; }

std::optional<ExtensionKind> extension_kind(std::string_view uri) {
  for (std::size_t i = 0; i < kUris.size(); ++i) {
    if (kUris[i] == uri) return static_cast<ExtensionKind>(i);
  }
  return std::nullopt;
}

void ExtensionMap::set(ExtensionKind kind, std::uint8_t id) {
  const auto index = static_cast<std::size_t>(kind);
  if (ids_[index] != 0) kinds_[ids_[index]] = kUnbound;
  ids_[index] = 0;
  if (id == 0) return;
  if (kinds_[id] != kUnbound) ids_[kinds_[id]] = 0;
  ids_[index] = id;
  kinds_[id] = static_cast<std::uint8_t>(index);
}

std::optional<std::uint8_t> ExtensionMap::id(ExtensionKind kind) const {
  const std::uint8_t id = ids_[static_cast<std::size_t>(kind)];
  return id ? std::optional<std::uint8_t>(id) : std::nullopt;
}

std::optional<ExtensionKind> ExtensionMap::kind(std::uint8_t id) const {
  return kinds_[id] == kUnbound ? std::nullopt : std::optional<ExtensionKind>(static_cast<ExtensionKind>(kinds_[id]));
}

KnownExtensions read_extensions(const RtpPacket& packet, const ExtensionMap& map) {
  KnownExtensions known;
  HeaderExtensionIterator elements = packet.extensions();
  while (auto element = elements.next()) {
    const auto kind = map.kind(element->id);
    if (!kind) continue;
    const base::ByteView value = element->value;
    switch (*kind) {
      case ExtensionKind::kMid: known.mid = identifier(value); break;
      case ExtensionKind::kRid: known.rid = identifier(value); break;
      case ExtensionKind::kRepairedRid: known.repaired_rid = identifier(value); break;
      case ExtensionKind::kAbsSendTime:
        if (value.size() == 3) known.abs_send_time = std::uint32_t{value[0]} << 16 | std::uint32_t{value[1]} << 8 | value[2];
        break;
      case ExtensionKind::kTransportWideCc:
        if (value.size() == 2) known.transport_sequence_number = base::load_be16(value.data());
        break;
      case ExtensionKind::kAudioLevel:
        // RFC 6464 §3: one byte; senders using the two-byte form may pad it to more.
        if (!value.empty()) known.audio_level = AudioLevel{(value[0] & 0x80) != 0, static_cast<std::uint8_t>(value[0] & 0x7F)};
        break;
    }
  }
  return known;
}

std::uint32_t abs_send_time(base::Instant sent) {
  // 2^18 units per second; only the low 24 bits (64 s) travel.
  const auto ns = static_cast<std::uint64_t>(sent.nanoseconds_since_origin());
  const std::uint64_t seconds = ns / 1'000'000'000u, fraction = ns % 1'000'000'000u;
  return static_cast<std::uint32_t>((seconds << 18) + (fraction << 18) / 1'000'000'000u) & 0xFFFFFF;
}

std::array<std::uint8_t, 3> encode_abs_send_time(std::uint32_t value) {
  return {static_cast<std::uint8_t>(value >> 16), static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
}

std::array<std::uint8_t, 2> encode_transport_sequence_number(std::uint16_t value) {
  return {static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
}

std::array<std::uint8_t, 1> encode_audio_level(AudioLevel level) {
  return {static_cast<std::uint8_t>((level.voice ? 0x80 : 0) | (level.level & 0x7F))};
}

}  // namespace rtcstack::media
