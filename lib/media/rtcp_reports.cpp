#include "media/rtcp_reports.h"

#include <cstring>
#include <string>

#include "base/endian.h"

namespace rtcstack::media {
namespace {

constexpr std::size_t kSenderInfoSize = 20;

base::Result<void> expect_type(const RtcpPacket& packet, RtcpType type, std::string_view name) {
  if (packet.type == static_cast<std::uint8_t>(type)) return {};
  return base::Error{base::ErrorCode::kInvalidArgument,
                     "RTCP packet type " + std::to_string(packet.type) + " is not " + std::string(name)};
}

base::Error too_short(std::string_view name, std::size_t need, std::size_t have) {
  return base::Error{base::ErrorCode::kTruncated, std::string(name) + " needs " + std::to_string(need) +
                                                      " bytes after its header, has " + std::to_string(have)};
}

// Report blocks follow `offset` bytes of fixed fields; RC says how many.
base::Result<ReportBlocks> report_blocks(const RtcpPacket& packet, std::size_t offset, std::string_view name) {
  const std::size_t need = offset + packet.count * kReportBlockSize;
  if (packet.body.size() < need) return too_short(name, need, packet.body.size());
  // Anything after the blocks is a profile-specific extension (RFC 3550 §6.4.1): ignored.
  return ReportBlocks(packet.body.subspan(offset, packet.count * kReportBlockSize));
}

void write_blocks(std::uint8_t* out, std::span<const ReportBlock> blocks) {
  for (const ReportBlock& block : blocks) {
    base::store_be32(out, block.ssrc);
    base::store_be32(out + 4, static_cast<std::uint32_t>(block.cumulative_lost) & 0xFFFFFF);
    out[4] = block.fraction_lost;
    base::store_be32(out + 8, block.extended_highest_sequence);
    base::store_be32(out + 12, block.jitter);
    base::store_be32(out + 16, block.last_sender_report);
    base::store_be32(out + 20, block.delay_since_last_sender_report);
    out += kReportBlockSize;
  }
}

bool too_many_blocks(RtcpWriter& writer, std::span<const ReportBlock> blocks) {
  if (blocks.size() <= 31) return false;
  writer.fail({base::ErrorCode::kInvalidArgument, "an SR or RR carries at most 31 report blocks"});
  return true;
}

}  // namespace

ReportBlock ReportBlocks::operator[](std::size_t index) const {
  const std::uint8_t* p = bytes_.data() + index * kReportBlockSize;
  ReportBlock block;
  block.ssrc = base::load_be32(p);
  block.fraction_lost = p[4];
  // 24-bit two's complement, sign-extended.
  const std::uint32_t lost = base::load_be32(p + 4) & 0xFFFFFF;
  block.cumulative_lost = static_cast<std::int32_t>(lost ^ 0x800000) - 0x800000;
  block.extended_highest_sequence = base::load_be32(p + 8);
  block.jitter = base::load_be32(p + 12);
  block.last_sender_report = base::load_be32(p + 16);
  block.delay_since_last_sender_report = base::load_be32(p + 20);
  return block;
}

std::uint32_t Bye::ssrc(std::size_t index) const { return base::load_be32(ssrc_bytes.data() + 4 * index); }

base::Result<SenderReport> parse_sender_report(const RtcpPacket& packet) {
  if (auto type = expect_type(packet, RtcpType::kSenderReport, "an SR"); !type) return type.error();
  if (packet.body.size() < 4 + kSenderInfoSize) return too_short("SR", 4 + kSenderInfoSize, packet.body.size());
  SenderReport report;
  const std::uint8_t* p = packet.body.data();
  report.ssrc = base::load_be32(p);
  report.info.ntp_timestamp = base::load_be64(p + 4);
  report.info.rtp_timestamp = base::load_be32(p + 12);
  report.info.packet_count = base::load_be32(p + 16);
  report.info.octet_count = base::load_be32(p + 20);
  auto blocks = report_blocks(packet, 4 + kSenderInfoSize, "SR");
  if (!blocks) return blocks.error();
  report.blocks = *blocks;
  return report;
}

base::Result<ReceiverReport> parse_receiver_report(const RtcpPacket& packet) {
  if (auto type = expect_type(packet, RtcpType::kReceiverReport, "an RR"); !type) return type.error();
  if (packet.body.size() < 4) return too_short("RR", 4, packet.body.size());
  ReceiverReport report;
  report.ssrc = base::load_be32(packet.body.data());
  auto blocks = report_blocks(packet, 4, "RR");
  if (!blocks) return blocks.error();
  report.blocks = *blocks;
  return report;
}

base::Result<Sdes> parse_sdes(const RtcpPacket& packet) {
  if (auto type = expect_type(packet, RtcpType::kSdes, "SDES"); !type) return type.error();
  const base::ByteView body = packet.body;
  std::size_t offset = 0;
  for (std::size_t chunk = 0; chunk < packet.count; ++chunk) {
    if (offset + 4 > body.size()) {
      return base::Error{base::ErrorCode::kTruncated, "SDES chunk " + std::to_string(chunk + 1) + " of " +
                                                          std::to_string(packet.count) + " runs past the packet"};
    }
    offset += 4;
    while (true) {
      if (offset >= body.size()) {
        return base::Error{base::ErrorCode::kMalformed, "SDES chunk " + std::to_string(chunk + 1) + " has no end item"};
      }
      if (body[offset] == 0) break;
      if (offset + 2 > body.size() || offset + 2 + body[offset + 1] > body.size()) {
        return base::Error{base::ErrorCode::kTruncated, "SDES item of chunk " + std::to_string(chunk + 1) + " runs past the packet"};
      }
      offset += 2 + body[offset + 1];
    }
    offset = (offset + 4) & ~std::size_t{3};
    if (offset > body.size()) {
      return base::Error{base::ErrorCode::kTruncated, "SDES chunk " + std::to_string(chunk + 1) + " padding runs past the packet"};
    }
  }
  return Sdes(body, packet.count);
}

std::optional<std::string_view> Sdes::cname(std::uint32_t ssrc) const {
  std::optional<std::string_view> found;
  for_each([&](std::uint32_t item_ssrc, const SdesItem& item) {
    if (item_ssrc == ssrc && item.type == kSdesCname && !found) found = item.text;
  });
  return found;
}

base::Result<Bye> parse_bye(const RtcpPacket& packet) {
  if (auto type = expect_type(packet, RtcpType::kBye, "BYE"); !type) return type.error();
  const std::size_t ssrc_size = 4 * std::size_t{packet.count};
  if (packet.body.size() < ssrc_size) return too_short("BYE", ssrc_size, packet.body.size());
  Bye bye;
  bye.ssrc_bytes = packet.body.first(ssrc_size);
  if (packet.body.size() > ssrc_size) {
    const std::size_t length = packet.body[ssrc_size];
    if (ssrc_size + 1 + length > packet.body.size()) {
      return base::Error{base::ErrorCode::kTruncated, "BYE reason of " + std::to_string(length) + " bytes runs past the packet"};
    }
    bye.reason = base::as_string_view(packet.body.subspan(ssrc_size + 1, length));
  }
  return bye;
}

base::Result<App> parse_app(const RtcpPacket& packet) {
  if (auto type = expect_type(packet, RtcpType::kApp, "APP"); !type) return type.error();
  if (packet.body.size() < 8) return too_short("APP", 8, packet.body.size());
  App app;
  app.subtype = packet.count;
  app.ssrc = base::load_be32(packet.body.data());
  app.name = base::as_string_view(packet.body.subspan(4, 4));
  app.data = packet.body.subspan(8);
  return app;
}

void write_sender_report(RtcpWriter& writer, std::uint32_t ssrc, const SenderInfo& info,
                         std::span<const ReportBlock> blocks) {
  if (too_many_blocks(writer, blocks)) return;
  base::MutableByteView body = writer.begin_packet(RtcpType::kSenderReport, static_cast<std::uint8_t>(blocks.size()),
                                                   4 + kSenderInfoSize + blocks.size() * kReportBlockSize);
  if (body.empty()) return;
  std::uint8_t* p = body.data();
  base::store_be32(p, ssrc);
  base::store_be64(p + 4, info.ntp_timestamp);
  base::store_be32(p + 12, info.rtp_timestamp);
  base::store_be32(p + 16, info.packet_count);
  base::store_be32(p + 20, info.octet_count);
  write_blocks(p + 4 + kSenderInfoSize, blocks);
}

void write_receiver_report(RtcpWriter& writer, std::uint32_t ssrc, std::span<const ReportBlock> blocks) {
  if (too_many_blocks(writer, blocks)) return;
  base::MutableByteView body = writer.begin_packet(RtcpType::kReceiverReport, static_cast<std::uint8_t>(blocks.size()),
                                                   4 + blocks.size() * kReportBlockSize);
  if (body.empty()) return;
  base::store_be32(body.data(), ssrc);
  write_blocks(body.data() + 4, blocks);
}

void write_sdes_cname(RtcpWriter& writer, std::uint32_t ssrc, std::string_view cname) {
  if (cname.empty() || cname.size() > 255) {
    writer.fail({base::ErrorCode::kInvalidArgument, "an SDES CNAME is 1-255 bytes"});
    return;
  }
  // SSRC, CNAME item, then 1-4 null bytes up to the next word.
  const std::size_t items = 4 + 2 + cname.size();
  const std::size_t size = (items + 4) & ~std::size_t{3};
  base::MutableByteView body = writer.begin_packet(RtcpType::kSdes, 1, size);
  if (body.empty()) return;
  base::store_be32(body.data(), ssrc);
  body[4] = kSdesCname;
  body[5] = static_cast<std::uint8_t>(cname.size());
  std::memcpy(body.data() + 6, cname.data(), cname.size());
  std::memset(body.data() + items, 0, size - items);
}

void write_bye(RtcpWriter& writer, std::span<const std::uint32_t> ssrcs, std::string_view reason) {
  if (ssrcs.size() > 31 || reason.size() > 255) {
    writer.fail({base::ErrorCode::kInvalidArgument, "a BYE carries at most 31 SSRCs and a reason of up to 255 bytes"});
    return;
  }
  const std::size_t fixed = 4 * ssrcs.size();
  const std::size_t size = reason.empty() ? fixed : (fixed + 1 + reason.size() + 3) & ~std::size_t{3};
  base::MutableByteView body = writer.begin_packet(RtcpType::kBye, static_cast<std::uint8_t>(ssrcs.size()), size);
  if (body.empty() && size != 0) return;
  for (std::size_t i = 0; i < ssrcs.size(); ++i) base::store_be32(body.data() + 4 * i, ssrcs[i]);
  if (reason.empty()) return;
  body[fixed] = static_cast<std::uint8_t>(reason.size());
  std::memcpy(body.data() + fixed + 1, reason.data(), reason.size());
  std::memset(body.data() + fixed + 1 + reason.size(), 0, size - fixed - 1 - reason.size());
}

void write_app(RtcpWriter& writer, std::uint8_t subtype, std::uint32_t ssrc, std::string_view name, base::ByteView data) {
  if (subtype > 31 || name.size() != 4 || data.size() % 4 != 0) {
    writer.fail({base::ErrorCode::kInvalidArgument, "APP needs a subtype 0-31, a 4-character name and whole words of data"});
    return;
  }
  base::MutableByteView body = writer.begin_packet(RtcpType::kApp, subtype, 8 + data.size());
  if (body.empty()) return;
  base::store_be32(body.data(), ssrc);
  std::memcpy(body.data() + 4, name.data(), 4);
  if (!data.empty()) std::memcpy(body.data() + 8, data.data(), data.size());
}

}  // namespace rtcstack::media
