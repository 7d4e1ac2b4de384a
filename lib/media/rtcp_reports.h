// RTCP reports and session packets (RFC 3550 §6.4-6.7): SR, RR, SDES, BYE, APP. Parsers
// take an RtcpPacket from RtcpReader and return views over its bytes; writers append to
// an RtcpWriter.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/rtcp_packet.h"

namespace rtcstack::media {

/// A reception report block (RFC 3550 §6.4.1).
struct ReportBlock {
  std::uint32_t ssrc = 0;                       ///< the source this block reports on
  std::uint8_t fraction_lost = 0;               ///< lost since the last report, in 1/256
  std::int32_t cumulative_lost = 0;             ///< 24-bit signed: duplicates can make it negative
  std::uint32_t extended_highest_sequence = 0;  ///< cycles << 16 | highest sequence number
  std::uint32_t jitter = 0;                     ///< interarrival jitter in timestamp units
  std::uint32_t last_sender_report = 0;         ///< LSR: middle 32 bits of the last SR's NTP time
  std::uint32_t delay_since_last_sender_report = 0;  ///< DLSR in 1/65536 s
  friend bool operator==(const ReportBlock&, const ReportBlock&) = default;
};
inline constexpr std::size_t kReportBlockSize = 24;

/// The report blocks of an SR or RR, read on access.
class ReportBlocks {
 public:
  ReportBlocks() = default;
  explicit ReportBlocks(base::ByteView bytes) : bytes_(bytes) {}
  std::size_t size() const { return bytes_.size() / kReportBlockSize; }
  ReportBlock operator[](std::size_t index) const;

 private:
  base::ByteView bytes_;
};

/// The sender information of an SR (RFC 3550 §6.4.1).
struct SenderInfo {
  std::uint64_t ntp_timestamp = 0;  ///< 32.32 fixed-point seconds since 1900
  std::uint32_t rtp_timestamp = 0;  ///< the same instant on the media clock
  std::uint32_t packet_count = 0;
  std::uint32_t octet_count = 0;  ///< payload octets
  friend bool operator==(const SenderInfo&, const SenderInfo&) = default;
};

struct SenderReport {
  std::uint32_t ssrc = 0;
  SenderInfo info;
  ReportBlocks blocks;
};

struct ReceiverReport {
  std::uint32_t ssrc = 0;
  ReportBlocks blocks;
};

/// An SDES item (RFC 3550 §6.5): type 1 CNAME, 2 NAME, ... 8 PRIV.
struct SdesItem {
  std::uint8_t type = 0;
  std::string_view text;
};
inline constexpr std::uint8_t kSdesCname = 1;

/// The chunks of an SDES packet, validated when parsed.
class Sdes {
 public:
  Sdes() = default;
  Sdes(base::ByteView body, std::size_t chunks) : body_(body), chunks_(chunks) {}
  std::size_t chunk_count() const { return chunks_; }
  /// Calls `visit(ssrc, item)` for every item of every chunk, in order.
  template <typename Visit>
  void for_each(Visit&& visit) const;
  /// The CNAME of `ssrc`, if the packet carries one.
  std::optional<std::string_view> cname(std::uint32_t ssrc) const;

 private:
  base::ByteView body_;
  std::size_t chunks_ = 0;
};

struct Bye {
  base::ByteView ssrc_bytes;  ///< 4 bytes per SSRC
  std::string_view reason;
  std::size_t ssrc_count() const { return ssrc_bytes.size() / 4; }
  std::uint32_t ssrc(std::size_t index) const;
};

struct App {
  std::uint8_t subtype = 0;
  std::uint32_t ssrc = 0;
  std::string_view name;  ///< 4 ASCII characters
  base::ByteView data;
};

/// Each fails with kMalformed / kTruncated saying what does not fit, or kInvalidArgument
/// when `packet` is of another type.
base::Result<SenderReport> parse_sender_report(const RtcpPacket& packet);
base::Result<ReceiverReport> parse_receiver_report(const RtcpPacket& packet);
base::Result<Sdes> parse_sdes(const RtcpPacket& packet);
base::Result<Bye> parse_bye(const RtcpPacket& packet);
base::Result<App> parse_app(const RtcpPacket& packet);

void write_sender_report(RtcpWriter& writer, std::uint32_t ssrc, const SenderInfo& info,
                         std::span<const ReportBlock> blocks);
void write_receiver_report(RtcpWriter& writer, std::uint32_t ssrc, std::span<const ReportBlock> blocks);
/// One chunk with one CNAME item (what WebRTC sends in every compound).
void write_sdes_cname(RtcpWriter& writer, std::uint32_t ssrc, std::string_view cname);
void write_bye(RtcpWriter& writer, std::span<const std::uint32_t> ssrcs, std::string_view reason = {});
void write_app(RtcpWriter& writer, std::uint8_t subtype, std::uint32_t ssrc, std::string_view name, base::ByteView data);

/// The middle 32 bits of an NTP timestamp: what LSR echoes (RFC 3550 §6.4.1).
inline std::uint32_t compact_ntp(std::uint64_t ntp) { return static_cast<std::uint32_t>(ntp >> 16); }

template <typename Visit>
void Sdes::for_each(Visit&& visit) const {
  // parse_sdes() checked this walk, so it stays inside the body.
  std::size_t offset = 0;
  for (std::size_t chunk = 0; chunk < chunks_; ++chunk) {
    const std::uint32_t ssrc = std::uint32_t{body_[offset]} << 24 | std::uint32_t{body_[offset + 1]} << 16 |
                               std::uint32_t{body_[offset + 2]} << 8 | body_[offset + 3];
    offset += 4;
    while (body_[offset] != 0) {
      const std::size_t length = body_[offset + 1];
      visit(ssrc, SdesItem{body_[offset], base::as_string_view(body_.subspan(offset + 2, length))});
      offset += 2 + length;
    }
    offset = (offset + 4) & ~std::size_t{3};  // the null item, then up to the next word
  }
}

}  // namespace rtcstack::media
