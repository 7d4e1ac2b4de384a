// The RTP header extensions WebRTC negotiates (a=extmap, RFC 8285): their URIs, the ids
// one m-section bound them to, and their values in both directions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/time.h"
#include "media/rtp_packet.h"

namespace rtcstack::media {

enum class ExtensionKind : std::uint8_t {
  kMid,              ///< RFC 9143 §15: the m-section (BUNDLE demultiplexing)
  kRid,              ///< RFC 8852: the RTP stream id (simulcast)
  kRepairedRid,      ///< RFC 8852: the rid a repair (RTX) stream repairs
  kAbsSendTime,      ///< webrtc.org abs-send-time: send time, 6.18 fixed-point seconds
  kTransportWideCc,  ///< draft-holmer-rmcat-transport-wide-cc-extensions-01: a sequence number over all media
  kAudioLevel,       ///< RFC 6464: voice activity and level of an audio packet
};
inline constexpr std::size_t kExtensionKinds = 6;

/// The URI of an a=extmap line for `kind`.
std::string_view extension_uri(ExtensionKind kind);
/// The kind an a=extmap URI names, if rtcstack knows it.
std::optional<ExtensionKind> extension_kind(std::string_view uri);

/// The ids one m-section negotiated (a=extmap id URI). Lookups both ways are table reads.
class ExtensionMap {
 public:
  /// Binds `kind` to `id` (1-255; 0 unbinds), replacing an earlier binding of either.
  void set(ExtensionKind kind, std::uint8_t id);
  std::optional<std::uint8_t> id(ExtensionKind kind) const;
  std::optional<ExtensionKind> kind(std::uint8_t id) const;

 private:
  std::array<std::uint8_t, kExtensionKinds> ids_{};  // 0: not negotiated
  std::array<std::uint8_t, 256> kinds_ = unbound();  // kUnbound or an ExtensionKind
  static constexpr std::uint8_t kUnbound = 0xFF;
  static constexpr std::array<std::uint8_t, 256> unbound() {
    std::array<std::uint8_t, 256> table{};
    table.fill(kUnbound);
    return table;
  }
};

/// RFC 6464: the V flag and the level in -dBov (0 loudest, 127 silence).
struct AudioLevel {
  bool voice = false;
  std::uint8_t level = 127;
};

/// The values of the known extensions of one packet; what is absent or unreadable (a
/// value of the wrong size) stays empty. Strings are views into the packet.
struct KnownExtensions {
  std::optional<std::string_view> mid;
  std::optional<std::string_view> rid;
  std::optional<std::string_view> repaired_rid;
  std::optional<std::uint32_t> abs_send_time;  ///< 24 bits, 6.18 fixed-point seconds
  std::optional<std::uint16_t> transport_sequence_number;
  std::optional<AudioLevel> audio_level;
};

/// Reads the known extensions of `packet` in one pass over its elements.
KnownExtensions read_extensions(const RtpPacket& packet, const ExtensionMap& map);

/// abs-send-time for a send instant: the low 24 bits of 6.18 fixed-point seconds.
std::uint32_t abs_send_time(base::Instant sent);
std::array<std::uint8_t, 3> encode_abs_send_time(std::uint32_t value);
std::array<std::uint8_t, 2> encode_transport_sequence_number(std::uint16_t value);
std::array<std::uint8_t, 1> encode_audio_level(AudioLevel level);

}  // namespace rtcstack::media
