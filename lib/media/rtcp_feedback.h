// RTCP feedback messages (RFC 4585 §6, RFC 5104 §4.3): generic NACK, PLI, FIR and REMB
// (draft-alvestrand-rmcat-remb). Transport-wide congestion control feedback, the other
// RTPFB message WebRTC uses, is coded in transport_cc.h.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "media/rtcp_packet.h"

namespace rtcstack::media {

/// FMT values (RFC 4585 §6.2, §6.3; RFC 5104 §4.3.1; REMB).
inline constexpr std::uint8_t kFmtNack = 1;
inline constexpr std::uint8_t kFmtTransportCc = 15;
inline constexpr std::uint8_t kFmtPli = 1;
inline constexpr std::uint8_t kFmtFir = 4;
inline constexpr std::uint8_t kFmtApplicationLayer = 15;  ///< PSFB AFB; REMB is one

/// The common part of every feedback message.
struct Feedback {
  std::uint32_t sender_ssrc = 0;
  std::uint32_t media_ssrc = 0;
  base::ByteView fci;  ///< the feedback control information
};

/// Generic NACK: lost sequence numbers, as (PID, BLP) pairs.
class Nack {
 public:
  std::uint32_t sender_ssrc = 0;
  std::uint32_t media_ssrc = 0;

  Nack() = default;
  explicit Nack(base::ByteView pairs) : pairs_(pairs) {}
  /// Calls `visit(sequence_number)` for every sequence number reported lost, in order.
  template <typename Visit>
  void for_each_lost(Visit&& visit) const;

 private:
  base::ByteView pairs_;
};

struct FirEntry {
  std::uint32_t ssrc = 0;
  std::uint8_t sequence_number = 0;  ///< incremented per new request (RFC 5104 §4.3.1.1)
  friend bool operator==(const FirEntry&, const FirEntry&) = default;
};

/// Full intra request: one entry per media sender asked for a keyframe.
class Fir {
 public:
  std::uint32_t sender_ssrc = 0;
  Fir() = default;
  explicit Fir(base::ByteView entries) : entries_(entries) {}
  std::size_t size() const { return entries_.size() / 8; }
  FirEntry operator[](std::size_t index) const;

 private:
  base::ByteView entries_;
};

/// Receiver estimated maximum bitrate.
struct Remb {
  std::uint32_t sender_ssrc = 0;
  std::uint64_t bitrate_bps = 0;
  base::ByteView ssrc_bytes;  ///< 4 bytes per SSRC the estimate applies to
  std::size_t ssrc_count() const { return ssrc_bytes.size() / 4; }
  std::uint32_t ssrc(std::size_t index) const;
};

/// Sender and media SSRC of an RTPFB or PSFB packet (kTruncated under 8 bytes).
base::Result<Feedback> parse_feedback(const RtcpPacket& packet);
/// Each checks type and FMT (kInvalidArgument for another message) and the FCI size.
base::Result<Nack> parse_nack(const RtcpPacket& packet);
base::Result<Feedback> parse_pli(const RtcpPacket& packet);
base::Result<Fir> parse_fir(const RtcpPacket& packet);
/// kUnsupported for an application-layer message that is not REMB.
base::Result<Remb> parse_remb(const RtcpPacket& packet);

/// Packs the lost sequence numbers into (PID, BLP) pairs: each pair covers its PID and
/// the 16 after it. Give them in ascending order (modulo 2^16) for the fewest pairs; any
/// order, duplicates included, is still reported correctly.
void write_nack(RtcpWriter& writer, std::uint32_t sender_ssrc, std::uint32_t media_ssrc,
                std::span<const std::uint16_t> lost);
void write_pli(RtcpWriter& writer, std::uint32_t sender_ssrc, std::uint32_t media_ssrc);
void write_fir(RtcpWriter& writer, std::uint32_t sender_ssrc, std::span<const FirEntry> entries);
/// The bitrate is rounded down to an 18-bit mantissa and a 6-bit exponent.
void write_remb(RtcpWriter& writer, std::uint32_t sender_ssrc, std::uint64_t bitrate_bps,
                std::span<const std::uint32_t> ssrcs);

template <typename Visit>
void Nack::for_each_lost(Visit&& visit) const {
  for (std::size_t offset = 0; offset + 4 <= pairs_.size(); offset += 4) {
    const auto pid = static_cast<std::uint16_t>(pairs_[offset] << 8 | pairs_[offset + 1]);
    const auto blp = static_cast<std::uint16_t>(pairs_[offset + 2] << 8 | pairs_[offset + 3]);
    visit(pid);
    for (unsigned bit = 0; bit < 16; ++bit) {
      if (blp & (1u << bit)) visit(static_cast<std::uint16_t>(pid + bit + 1));
    }
  }
}

}  // namespace rtcstack::media
