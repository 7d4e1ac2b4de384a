// RTP and RTCP on the media hot path, one core. A video packet as Chromium sends it over
// BUNDLE: one-byte extensions mid, abs-send-time and transport-wide CC, 1100 bytes of
// payload. Parsing includes reading the three extensions through the id map; building
// writes header and extensions in front of a payload already in place (no payload copy),
// as a packetizer does.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "media/rtcp_feedback.h"
#include "media/rtcp_packet.h"
#include "media/rtcp_reports.h"
#include "media/rtp_extensions.h"
#include "media/rtp_packet.h"

namespace {

using namespace rtcstack;
using namespace rtcstack::media;

constexpr std::size_t kPayload = 1100;

ExtensionMap chromium_map() {
  ExtensionMap map;
  map.set(ExtensionKind::kAbsSendTime, 2);
  map.set(ExtensionKind::kTransportWideCc, 4);
  map.set(ExtensionKind::kMid, 9);
  return map;
}

RtpHeader video_header(std::uint16_t sequence, std::span<const HeaderExtension> extensions) {
  RtpHeader header;
  header.payload_type = 96;
  header.sequence_number = sequence;
  header.timestamp = 90000u * sequence / 30;
  header.ssrc = 0x12345678;
  header.extensions = extensions;
  return header;
}

void rtp_parse(benchmark::State& state) {
  std::array<std::uint8_t, 1500> packet{};
  const auto abs = encode_abs_send_time(0x123456);
  const auto twcc = encode_transport_sequence_number(4242);
  const HeaderExtension extensions[] = {{9, base::as_bytes("0")}, {2, abs}, {4, twcc}};
  const std::size_t size = write_rtp(video_header(1, extensions), std::array<std::uint8_t, kPayload>{}, packet)->size();
  const ExtensionMap map = chromium_map();
  for (auto _ : state) {
    auto parsed = RtpPacket::parse({packet.data(), size});
    KnownExtensions known = read_extensions(*parsed, map);
    benchmark::DoNotOptimize(known);
    benchmark::DoNotOptimize(parsed->payload().data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(size);
}

void rtp_build(benchmark::State& state) {
  std::array<std::uint8_t, 1500> packet{};
  const ExtensionMap map = chromium_map();
  std::uint16_t sequence = 0;
  std::size_t size = 0;
  for (auto _ : state) {
    const auto abs = encode_abs_send_time(sequence * 33u);
    const auto twcc = encode_transport_sequence_number(sequence);
    const HeaderExtension extensions[] = {{*map.id(ExtensionKind::kMid), base::as_bytes("0")},
                                          {*map.id(ExtensionKind::kAbsSendTime), abs},
                                          {*map.id(ExtensionKind::kTransportWideCc), twcc}};
    const RtpHeader header = video_header(sequence++, extensions);
    const std::size_t header_size = rtp_header_size(header);
    auto written = write_rtp(header, {packet.data() + header_size, kPayload}, packet);
    size = written->size();
    benchmark::DoNotOptimize(written);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(size);
}

// A receiver's compound as browsers send it every second or so: RR with one block,
// SDES CNAME, a NACK; parsed and walked.
void rtcp_compound_parse(benchmark::State& state) {
  std::array<std::uint8_t, 256> out{};
  RtcpWriter writer(out);
  const ReportBlock block{0x12345678, 3, 17, 70000, 12, 0xABCD1234, 6553};
  const std::uint16_t lost[] = {100, 101, 107, 140};
  write_receiver_report(writer, 0x1111, {&block, 1});
  write_sdes_cname(writer, 0x1111, "4TOk42mSjXCkVIa6");
  write_nack(writer, 0x1111, 0x12345678, lost);
  const base::ByteView compound = *writer.finish();
  for (auto _ : state) {
    auto reader = RtcpReader::parse(compound);
    std::uint32_t sum = 0;
    while (auto packet = reader->next()) {
      if (packet->type == static_cast<std::uint8_t>(RtcpType::kReceiverReport)) {
        sum += parse_receiver_report(*packet)->blocks[0].extended_highest_sequence;
      } else if (packet->type == static_cast<std::uint8_t>(RtcpType::kTransportFeedback)) {
        parse_nack(*packet)->for_each_lost([&](std::uint16_t sequence) { sum += sequence; });
      } else if (packet->type == static_cast<std::uint8_t>(RtcpType::kSdes)) {
        sum += static_cast<std::uint32_t>(parse_sdes(*packet)->cname(0x1111)->size());
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(compound.size());
}

BENCHMARK(rtp_parse);
BENCHMARK(rtp_build);
BENCHMARK(rtcp_compound_parse);

}  // namespace
