// Fuzzes RTCP compound parsing and every typed parser (SR, RR, SDES, BYE, APP, NACK, PLI,
// FIR, REMB, transport-wide CC): no crash, no read outside the datagram, and the reports
// and feedback it accepts are rewritten into packets that parse to the same values.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <vector>

#include "media/rtcp_feedback.h"
#include "media/rtcp_packet.h"
#include "media/rtcp_reports.h"
#include "media/transport_cc.h"

using namespace rtcstack;
using namespace rtcstack::media;

namespace {

std::vector<ReportBlock> blocks_of(const ReportBlocks& blocks) {
  std::vector<ReportBlock> out;
  for (std::size_t i = 0; i < blocks.size(); ++i) out.push_back(blocks[i]);
  return out;
}

std::set<std::uint16_t> lost_of(const Nack& nack) {
  std::set<std::uint16_t> lost;
  nack.for_each_lost([&](std::uint16_t sequence) { lost.insert(sequence); });
  return lost;
}

// Writes one packet with `write`, reads it back as the only packet of its compound.
template <typename Write>
RtcpPacket rewrite(std::vector<std::uint8_t>& out, Write&& write) {
  RtcpWriter writer(out);
  write(writer);
  const auto compound = writer.finish();
  if (!compound.ok()) std::abort();
  auto reader = RtcpReader::parse(*compound);
  if (!reader.ok()) std::abort();
  const auto packet = reader->next();
  if (!packet) std::abort();
  return *packet;
}

void check(bool condition) {
  if (!condition) std::abort();
}

void fuzz_packet(const RtcpPacket& packet, std::vector<std::uint8_t>& out) {
  switch (static_cast<RtcpType>(packet.type)) {
    case RtcpType::kSenderReport:
      if (auto sr = parse_sender_report(packet)) {
        const auto blocks = blocks_of(sr->blocks);
        auto again = parse_sender_report(rewrite(out, [&](RtcpWriter& w) { write_sender_report(w, sr->ssrc, sr->info, blocks); }));
        check(again.ok() && again->ssrc == sr->ssrc && again->info == sr->info && blocks_of(again->blocks) == blocks);
      }
      break;
    case RtcpType::kReceiverReport:
      if (auto rr = parse_receiver_report(packet)) {
        const auto blocks = blocks_of(rr->blocks);
        auto again = parse_receiver_report(rewrite(out, [&](RtcpWriter& w) { write_receiver_report(w, rr->ssrc, blocks); }));
        check(again.ok() && again->ssrc == rr->ssrc && blocks_of(again->blocks) == blocks);
      }
      break;
    case RtcpType::kSdes:
      if (auto sdes = parse_sdes(packet)) {
        std::size_t items = 0;
        sdes->for_each([&](std::uint32_t, const SdesItem& item) { items += item.text.size() + 1; });
        (void)sdes->cname(0);
      }
      break;
    case RtcpType::kBye:
      if (auto bye = parse_bye(packet)) {
        for (std::size_t i = 0; i < bye->ssrc_count(); ++i) (void)bye->ssrc(i);
      }
      break;
    case RtcpType::kApp: (void)parse_app(packet); break;
    case RtcpType::kTransportFeedback:
      if (packet.count == kFmtNack) {
        if (auto nack = parse_nack(packet)) {
          const auto lost = lost_of(*nack);
          const std::vector<std::uint16_t> ascending(lost.begin(), lost.end());
          auto again = parse_nack(rewrite(out, [&](RtcpWriter& w) { write_nack(w, nack->sender_ssrc, nack->media_ssrc, ascending); }));
          check(again.ok() && lost_of(*again) == lost);
        }
      } else if (packet.count == kFmtTransportCc) {
        if (auto feedback = TransportCc::parse(packet)) {
          std::size_t reported = 0;
          feedback->for_each([&](std::uint16_t, std::optional<std::int64_t>) { ++reported; });
          check(reported == feedback->status_count);
        }
      }
      break;
    case RtcpType::kPayloadFeedback:
      if (packet.count == kFmtFir) {
        if (auto fir = parse_fir(packet)) {
          std::vector<FirEntry> entries;
          for (std::size_t i = 0; i < fir->size(); ++i) entries.push_back((*fir)[i]);
          auto again = parse_fir(rewrite(out, [&](RtcpWriter& w) { write_fir(w, fir->sender_ssrc, entries); }));
          check(again.ok() && again->size() == entries.size());
        }
      } else if (packet.count == kFmtApplicationLayer) {
        if (auto remb = parse_remb(packet); remb && remb->bitrate_bps != UINT64_MAX) {
          std::vector<std::uint32_t> ssrcs;
          for (std::size_t i = 0; i < remb->ssrc_count(); ++i) ssrcs.push_back(remb->ssrc(i));
          auto again = parse_remb(rewrite(out, [&](RtcpWriter& w) { write_remb(w, remb->sender_ssrc, remb->bitrate_bps, ssrcs); }));
          check(again.ok() && again->bitrate_bps == remb->bitrate_bps && again->ssrc_count() == ssrcs.size());
        }
      } else {
        (void)parse_pli(packet);
      }
      break;
    default: break;  // unknown and XR: skipped, as a receiver does
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> bytes(data, data + size);  // exact size: overreads are reports
  auto reader = RtcpReader::parse(bytes);
  if (!reader.ok()) return 0;
  std::vector<std::uint8_t> out(size + 64);  // a rewrite is never longer than its input + NACK repacking slack
  std::size_t total = 0;
  while (auto packet = reader->next()) {
    total += packet->bytes.size();
    fuzz_packet(*packet, out);
  }
  check(total == size);
  return 0;
}
