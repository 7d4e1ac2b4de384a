// Fuzzes RTCP compound parsing and every typed parser (SR, RR, SDES, BYE, APP, NACK, PLI,
// FIR, REMB, transport-wide CC): no crash, no read outside the datagram, and the reports
// and feedback it accepts are rewritten into packets that parse to the same values. The
// feedback is also fed to a congestion controller that has sent 64 packets: whatever it
// says, the target stays within its limits and every report is taken or counted.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <vector>

#include "media/congestion_control.h"
#include "media/rtcp_feedback.h"
#include "media/rtcp_packet.h"
#include "media/rtcp_reports.h"
#include "media/rtp_packet.h"
#include "media/transport_cc.h"

using namespace rtcstack;
using namespace rtcstack::media;

namespace {

void check(bool condition);

constexpr std::uint8_t kTransportSequenceId = 3;
const base::Instant kStart = base::Instant{} + base::Duration::seconds(100);

// A controller that has sent 64 packets, 5 ms apart, with transport-wide sequence numbers
// 0-63 (what feedback in the corpus names).
struct Controller {
  CongestionControl control;
  base::Instant now = kStart;
  Controller() {
    control.start(now);
    static constexpr std::uint8_t kZeros[2] = {};
    const HeaderExtension slot{kTransportSequenceId, base::ByteView(kZeros, 2)};
    std::uint8_t payload[200] = {};
    for (int i = 0; i < 64; ++i) {
      RtpHeader header;
      header.payload_type = 96;
      header.sequence_number = static_cast<std::uint16_t>(i);
      header.ssrc = 1;
      header.extensions = {&slot, 1};
      base::Buffer bytes(400);
      const auto written = write_rtp(header, payload, bytes.mutable_view());
      check(written.ok());
      bytes.resize(written->size());
      check(control.enqueue(now, bytes, cc::PacketPriority::kVideo, {kTransportSequenceId, 0}));
      while (control.next_timeout(now) <= now) {
        (void)control.next_packet(now);
        control.handle_timeout(now);
        if (control.padding_wanted(now) != 0) control.cancel_probe();
      }
      now = now + base::Duration::milliseconds(5);
    }
  }
  void check_limits() const {
    const auto& estimate = control.estimate();
    const cc::RateLimits limits;
    check(estimate.target_bps >= limits.min_bps && estimate.target_bps <= limits.max_bps);
  }
};

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

void fuzz_packet(const RtcpPacket& packet, Controller& controller, std::vector<std::uint8_t>& out) {
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
          const auto before = controller.control.counters().feedback;
          controller.now = controller.now + base::Duration::milliseconds(20);
          controller.control.on_transport_feedback(controller.now, *feedback);
          controller.control.handle_timeout(controller.now);
          const auto after = controller.control.counters().feedback;
          // Every report is taken, or refused and counted (implausible arrival times are
          // among the taken ones, counted again as such).
          check(after.reports + after.unknown + after.duplicates - before.reports - before.unknown - before.duplicates ==
                reported);
          controller.check_limits();
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
          controller.control.on_receiver_estimate(controller.now, remb->bitrate_bps);
          controller.check_limits();
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
  Controller controller;
  while (auto packet = reader->next()) {
    total += packet->bytes.size();
    fuzz_packet(*packet, controller, out);
  }
  check(total == size);
  return 0;
}
