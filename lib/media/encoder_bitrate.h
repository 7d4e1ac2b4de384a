// From congestion control's target to what an encoder is told. The target (TargetBitrate,
// pc::TargetBitrateEvent) counts packets on the wire; an encoder's bitrate counts only the
// payloads it makes. Every packet carries about kPacketOverhead bytes besides its
// payload: the RTP header with the extensions rtcstack writes (mid, transport-wide
// sequence number, abs-send-time: 12 + 20), the SRTP tag (10) and UDP over IPv4 (28).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

namespace rtcstack::media {

inline constexpr std::size_t kPacketOverhead = 70;

/// The payload bitrate that fits in `wire_bps` when packets carry about `payload_size`
/// bytes of payload (1100 for video; an Opus frame's size for audio).
constexpr std::uint64_t payload_bitrate(std::uint64_t wire_bps, std::size_t payload_size) {
  return wire_bps * payload_size / (payload_size + kPacketOverhead);
}

/// The wire bitrate of a stream of `payload_bps` in packets of `packets_per_second`:
/// what audio takes off a target before the rest goes to video.
constexpr std::uint64_t wire_bitrate(std::uint64_t payload_bps, std::uint64_t packets_per_second) {
  return payload_bps + packets_per_second * kPacketOverhead * 8;
}

/// The split of a target between one Opus stream in 20 ms packets and one video stream.
struct TargetSplit {
  std::uint64_t audio_payload_bps = 0;  ///< for OpusAudioEncoder::set_bitrate
  std::uint64_t video_wire_bps = 0;     ///< for VideoSender::set_target_bitrate
};

/// The recommended split (docs/congestion-control.md): audio first, a tenth of the target
/// between 12 kbit/s (speech stays intelligible) and `audio_max_bps`; video the rest.
constexpr TargetSplit split_target(std::uint64_t wire_bps, std::uint64_t audio_max_bps = 32'000) {
  const std::uint64_t audio = wire_bps / 10 < 12'000 ? 12'000 : wire_bps / 10 > audio_max_bps ? audio_max_bps : wire_bps / 10;
  const std::uint64_t audio_wire = wire_bitrate(audio, 50);
  return {audio, wire_bps > audio_wire ? wire_bps - audio_wire : 0};
}

/// Simulcast: a video target (wire bits per second) shared by the encodings, lowest first
/// (W3C sendEncodings order), each up to its maximum (0: none), into `out`. An encoding
/// the rest cannot give `min_bps` gets 0 - the application pauses it until the target
/// grows - and so does every one above it; what is left once all have their maximum
/// stays unused.
inline void split_simulcast(std::uint64_t wire_bps, std::span<const std::uint64_t> max_bps, std::span<std::uint64_t> out,
                            std::uint64_t min_bps = 50'000) {
  std::uint64_t left = wire_bps;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint64_t most = i < max_bps.size() && max_bps[i] != 0 ? max_bps[i] : left;
    out[i] = left >= min_bps ? std::min(most, left) : 0;
    left = out[i] == 0 ? 0 : left - out[i];
  }
}

}  // namespace rtcstack::media
