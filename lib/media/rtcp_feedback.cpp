#include "media/rtcp_feedback.h"

#include <cstring>
#include <string>

#include "base/endian.h"

namespace rtcstack::media {
namespace {

constexpr std::uint8_t kRembIdentifier[4] = {'R', 'E', 'M', 'B'};

base::Result<Feedback> parse_typed(const RtcpPacket& packet, RtcpType type, std::uint8_t fmt, std::string_view name) {
  if (packet.type != static_cast<std::uint8_t>(type) || packet.count != fmt) {
    return base::Error{base::ErrorCode::kInvalidArgument, "RTCP packet type " + std::to_string(packet.type) + " FMT " +
                                                              std::to_string(packet.count) + " is not " + std::string(name)};
  }
  return parse_feedback(packet);
}

base::Error fci_error(std::string_view name, std::size_t size) {
  return base::Error{base::ErrorCode::kMalformed,
                     std::string(name) + " feedback control information of " + std::to_string(size) + " bytes is not whole entries"};
}

// Visits each (PID, BLP) pair the greedy packing of `lost` produces.
template <typename Visit>
void pack_nack(std::span<const std::uint16_t> lost, Visit&& visit) {
  std::size_t i = 0;
  while (i < lost.size()) {
    const std::uint16_t pid = lost[i++];
    std::uint16_t blp = 0;
    for (; i < lost.size(); ++i) {
      const auto distance = static_cast<std::uint16_t>(lost[i] - pid);
      if (distance > 16) break;
      if (distance > 0) blp = static_cast<std::uint16_t>(blp | 1u << (distance - 1));
    }
    visit(pid, blp);
  }
}

base::MutableByteView begin_feedback(RtcpWriter& writer, RtcpType type, std::uint8_t fmt, std::uint32_t sender_ssrc,
                                     std::uint32_t media_ssrc, std::size_t fci_size) {
  base::MutableByteView body = writer.begin_packet(type, fmt, 8 + fci_size);
  if (body.empty()) return {};
  base::store_be32(body.data(), sender_ssrc);
  base::store_be32(body.data() + 4, media_ssrc);
  return body.subspan(8);
}

}  // namespace

FirEntry Fir::operator[](std::size_t index) const {
  const std::uint8_t* p = entries_.data() + 8 * index;
  return FirEntry{base::load_be32(p), p[4]};
}

std::uint32_t Remb::ssrc(std::size_t index) const { return base::load_be32(ssrc_bytes.data() + 4 * index); }

base::Result<Feedback> parse_feedback(const RtcpPacket& packet) {
  if (packet.body.size() < 8) {
    return base::Error{base::ErrorCode::kTruncated, "RTCP feedback message shorter than its two SSRCs"};
  }
  return Feedback{base::load_be32(packet.body.data()), base::load_be32(packet.body.data() + 4), packet.body.subspan(8)};
}

base::Result<Nack> parse_nack(const RtcpPacket& packet) {
  auto feedback = parse_typed(packet, RtcpType::kTransportFeedback, kFmtNack, "a generic NACK");
  if (!feedback) return feedback.error();
  if (feedback->fci.empty() || feedback->fci.size() % 4 != 0) return fci_error("NACK", feedback->fci.size());
  Nack nack(feedback->fci);
  nack.sender_ssrc = feedback->sender_ssrc;
  nack.media_ssrc = feedback->media_ssrc;
  return nack;
}

base::Result<Feedback> parse_pli(const RtcpPacket& packet) {
  return parse_typed(packet, RtcpType::kPayloadFeedback, kFmtPli, "a PLI");
}

base::Result<Fir> parse_fir(const RtcpPacket& packet) {
  auto feedback = parse_typed(packet, RtcpType::kPayloadFeedback, kFmtFir, "a FIR");
  if (!feedback) return feedback.error();
  if (feedback->fci.empty() || feedback->fci.size() % 8 != 0) return fci_error("FIR", feedback->fci.size());
  Fir fir(feedback->fci);
  fir.sender_ssrc = feedback->sender_ssrc;
  return fir;
}

base::Result<Remb> parse_remb(const RtcpPacket& packet) {
  auto feedback = parse_typed(packet, RtcpType::kPayloadFeedback, kFmtApplicationLayer, "an application-layer feedback");
  if (!feedback) return feedback.error();
  const base::ByteView fci = feedback->fci;
  if (fci.size() < 8 || std::memcmp(fci.data(), kRembIdentifier, 4) != 0) {
    return base::Error{base::ErrorCode::kUnsupported, "application-layer feedback that is not REMB"};
  }
  const std::size_t count = fci[4];
  if (fci.size() < 8 + 4 * count) {
    return base::Error{base::ErrorCode::kTruncated, "REMB lists " + std::to_string(count) + " SSRCs past the packet's end"};
  }
  Remb remb;
  remb.sender_ssrc = feedback->sender_ssrc;
  const unsigned exponent = fci[5] >> 2;
  const std::uint64_t mantissa = (std::uint64_t{fci[5]} & 0x03) << 16 | std::uint64_t{fci[6]} << 8 | fci[7];
  // An 18-bit mantissa shifted by up to 63 overflows 64 bits: such an estimate is "unlimited".
  remb.bitrate_bps = exponent > 46 ? UINT64_MAX : mantissa << exponent;
  remb.ssrc_bytes = fci.subspan(8, 4 * count);
  return remb;
}

void write_nack(RtcpWriter& writer, std::uint32_t sender_ssrc, std::uint32_t media_ssrc,
                std::span<const std::uint16_t> lost) {
  if (lost.empty()) {
    writer.fail({base::ErrorCode::kInvalidArgument, "a NACK reports at least one lost packet"});
    return;
  }
  std::size_t pairs = 0;
  pack_nack(lost, [&](std::uint16_t, std::uint16_t) { ++pairs; });
  base::MutableByteView fci = begin_feedback(writer, RtcpType::kTransportFeedback, kFmtNack, sender_ssrc, media_ssrc, 4 * pairs);
  if (fci.empty()) return;
  std::uint8_t* p = fci.data();
  pack_nack(lost, [&](std::uint16_t pid, std::uint16_t blp) {
    base::store_be16(p, pid);
    base::store_be16(p + 2, blp);
    p += 4;
  });
}

void write_pli(RtcpWriter& writer, std::uint32_t sender_ssrc, std::uint32_t media_ssrc) {
  (void)begin_feedback(writer, RtcpType::kPayloadFeedback, kFmtPli, sender_ssrc, media_ssrc, 0);
}

void write_fir(RtcpWriter& writer, std::uint32_t sender_ssrc, std::span<const FirEntry> entries) {
  if (entries.empty()) {
    writer.fail({base::ErrorCode::kInvalidArgument, "a FIR asks at least one sender"});
    return;
  }
  // RFC 5104 §4.3.1.2: the media source SSRC field is unused and set to 0.
  base::MutableByteView fci = begin_feedback(writer, RtcpType::kPayloadFeedback, kFmtFir, sender_ssrc, 0, 8 * entries.size());
  if (fci.empty()) return;
  std::memset(fci.data(), 0, fci.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    base::store_be32(fci.data() + 8 * i, entries[i].ssrc);
    fci[8 * i + 4] = entries[i].sequence_number;
  }
}

void write_remb(RtcpWriter& writer, std::uint32_t sender_ssrc, std::uint64_t bitrate_bps,
                std::span<const std::uint32_t> ssrcs) {
  if (ssrcs.size() > 255) {
    writer.fail({base::ErrorCode::kInvalidArgument, "a REMB applies to at most 255 SSRCs"});
    return;
  }
  unsigned exponent = 0;
  while (exponent < 63 && (bitrate_bps >> exponent) > 0x3FFFF) ++exponent;
  const std::uint64_t mantissa = bitrate_bps >> exponent;
  // The media source field is unused in REMB (0); the SSRCs travel in the FCI.
  base::MutableByteView fci = begin_feedback(writer, RtcpType::kPayloadFeedback, kFmtApplicationLayer, sender_ssrc, 0,
                                             8 + 4 * ssrcs.size());
  if (fci.empty()) return;
  std::memcpy(fci.data(), kRembIdentifier, 4);
  fci[4] = static_cast<std::uint8_t>(ssrcs.size());
  fci[5] = static_cast<std::uint8_t>(exponent << 2 | mantissa >> 16);
  fci[6] = static_cast<std::uint8_t>(mantissa >> 8);
  fci[7] = static_cast<std::uint8_t>(mantissa);
  for (std::size_t i = 0; i < ssrcs.size(); ++i) base::store_be32(fci.data() + 8 + 4 * i, ssrcs[i]);
}

}  // namespace rtcstack::media
