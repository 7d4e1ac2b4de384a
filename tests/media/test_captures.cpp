// RTP and RTCP headers of real SRTP traffic (aiortc and Chromium sending to Pion). SRTP
// encrypts payloads, not headers, so every RTP header and extension parses as sent; of an
// SRTCP packet the first RTCP header and SSRC are in the clear.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "media/rtcp_packet.h"
#include "media/rtp_extensions.h"
#include "media/rtp_packet.h"
#include "pcapng.h"

using namespace rtcstack;
using namespace rtcstack::media;

namespace {

// RFC 7983 §7: RTP and RTCP start with 128-191; RFC 5761 §4: RTCP packet types 192-223
// put 64-95 in the RTP payload-type position.
bool is_rtp_or_rtcp(base::ByteView bytes) { return bytes.size() >= 12 && bytes[0] >= 128 && bytes[0] <= 191; }
bool is_rtcp(base::ByteView bytes) { return (bytes[1] & 0x7F) >= 64 && (bytes[1] & 0x7F) <= 95; }

struct Counts {
  int rtp = 0;
  int rtcp = 0;
  int reports = 0;  // RTCP datagrams that start with SR or RR
  std::map<std::uint32_t, int> per_ssrc;
};

}  // namespace

TEST_CASE("aiortc and Pion send no header extensions when the answer negotiated none", "[media][captures]") {
  const auto datagrams = testing::read_pcapng_udp(testing::test_data_path("pcap/aiortc-pion-media.pcapng"));
  REQUIRE(datagrams.ok());
  // aiortc-pion-media.offer.sdp offers mid and abs-send-time (video), mid and audio level
  // (audio); Pion's answer has no a=extmap, so RFC 8285 §6 leaves no extension to send.
  // SSRCs and payload types from the two SDP files: aiortc video 3486793503 (VP8 97, RTX
  // 98 on 1933654079) and audio 3287826094 (Opus 96); Pion video 1340697525, audio 2474869140.
  const std::map<std::uint32_t, std::set<int>> payload_types = {{3486793503u, {97}}, {1933654079u, {98}},
                                                                {3287826094u, {96}}, {1340697525u, {97}},
                                                                {2474869140u, {96}}};
  Counts counts;
  for (const auto& datagram : *datagrams) {
    if (!is_rtp_or_rtcp(datagram.payload)) continue;
    if (is_rtcp(datagram.payload)) {
      ++counts.rtcp;
      // SRTCP: only the first packet's header and SSRC are in the clear; it frames alone.
      const std::size_t first = 4 * (std::size_t{datagram.payload[2]} << 8 | datagram.payload[3]) + 4;
      REQUIRE(first <= datagram.payload.size());
      auto reader = RtcpReader::parse(datagram.payload.view().first(first));
      REQUIRE(reader.ok());
      const auto packet = reader->next();
      REQUIRE(packet.has_value());
      // RFC 3550 §6.1 starts a compound with SR or RR; real stacks also send a lone BYE
      // (aiortc on close) or a lone feedback message (Pion), which rtcstack must accept.
      INFO("first RTCP type " << int(packet->type));
      CHECK(std::set<int>{200, 201, 203, 205, 206}.count(packet->type) == 1);
      if (packet->type == 200 || packet->type == 201) ++counts.reports;
      continue;
    }
    auto packet = RtpPacket::parse(datagram.payload);
    INFO(datagram.from.to_string() << " -> " << datagram.to.to_string());
    REQUIRE(packet.ok());
    ++counts.rtp;
    ++counts.per_ssrc[packet->ssrc()];
    CHECK_FALSE(packet->has_extension());
    const auto expected = payload_types.find(packet->ssrc());
    REQUIRE(expected != payload_types.end());
    CHECK(expected->second.count(packet->payload_type()) == 1);
  }
  CHECK(counts.rtp > 100);
  CHECK(counts.reports > 0);
  CHECK(counts.per_ssrc[3486793503u] > 0);
  CHECK(counts.per_ssrc[3287826094u] > 0);
  CHECK(counts.per_ssrc[1340697525u] > 0);
  CHECK(counts.per_ssrc[2474869140u] > 0);
}

TEST_CASE("Chromium and Pion number every packet in one transport-wide sequence per direction", "[media][captures]") {
  const auto datagrams = testing::read_pcapng_udp(testing::test_data_path("pcap/chromium-pion-media.pcapng"));
  REQUIRE(datagrams.ok());
  // Chromium's offers bind transport-wide CC to id 4 (tests/data/sdp/chromium-offer-2.sdp),
  // and it is the one extension both ends send here.
  ExtensionMap map;
  map.set(ExtensionKind::kTransportWideCc, 4);
  std::map<std::string, std::set<std::uint16_t>> sequence_numbers;  // per sending address
  std::map<std::string, int> packets;
  int rtcp = 0, padded = 0;
  for (const auto& datagram : *datagrams) {
    if (!is_rtp_or_rtcp(datagram.payload)) continue;
    if (is_rtcp(datagram.payload)) {
      ++rtcp;
      continue;
    }
    base::Buffer bytes = datagram.payload;
    // SRTP encrypts RTP padding with the payload, so the padding count of a padded
    // packet cannot be read here; its header can, with the P bit cleared.
    if (bytes[0] & 0x20) {
      bytes[0] = static_cast<std::uint8_t>(bytes[0] & ~0x20);
      ++padded;
    }
    auto packet = RtpPacket::parse(bytes);
    REQUIRE(packet.ok());
    REQUIRE(packet->has_rfc8285_extensions());
    const KnownExtensions known = read_extensions(*packet, map);
    REQUIRE(known.transport_sequence_number.has_value());
    const std::string from = datagram.from.to_string();
    CHECK(sequence_numbers[from].insert(*known.transport_sequence_number).second);  // no number twice
    ++packets[from];
  }
  REQUIRE(sequence_numbers.size() >= 2);  // both ends (one used two local ports as ICE moved)
  for (const auto& [from, numbers] : sequence_numbers) {
    INFO(from);
    CHECK(packets[from] > 20);
    // Consecutive over audio, video, retransmissions and padding alike (no wrap in this capture).
    CHECK(*numbers.rbegin() - *numbers.begin() + 1 == static_cast<int>(numbers.size()));
  }
  CHECK(rtcp > 0);
  CHECK(padded > 0);
}
