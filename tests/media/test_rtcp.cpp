#include <catch2/catch.hpp>

#include <array>
#include <set>
#include <string>
#include <vector>

#include "hex_bytes.h"
#include "media/rtcp_feedback.h"
#include "media/rtcp_packet.h"
#include "media/rtcp_reports.h"

using namespace rtcstack;
using namespace rtcstack::media;
using testing::hex_bytes;

namespace {

std::vector<RtcpPacket> packets_of(base::ByteView compound) {
  auto reader = RtcpReader::parse(compound);
  REQUIRE(reader.ok());
  std::vector<RtcpPacket> packets;
  while (auto packet = reader->next()) packets.push_back(*packet);
  return packets;
}

std::vector<std::uint16_t> lost_of(const Nack& nack) {
  std::vector<std::uint16_t> lost;
  nack.for_each_lost([&](std::uint16_t sequence) { lost.push_back(sequence); });
  return lost;
}

}  // namespace

TEST_CASE("a compound SR + SDES as a sender sends it round trips", "[rtcp]") {
  const ReportBlock blocks[] = {
      {0x11111111, 25, 1234, (3u << 16) | 40000, 77, 0xAABBCCDD, 65536},
      {0x22222222, 255, -5, 7, 0, 0, 0},  // duplicates make cumulative loss negative
  };
  const SenderInfo info{0xE1234567'89ABCDEFull, 160000, 1000, 120000};
  std::array<std::uint8_t, 256> out{};
  RtcpWriter writer(out);
  write_sender_report(writer, 0xCAFEBABE, info, blocks);
  write_sdes_cname(writer, 0xCAFEBABE, "rtcstack-cname");
  auto compound = writer.finish();
  REQUIRE(compound.ok());
  CHECK(compound->size() % 4 == 0);

  const auto packets = packets_of(*compound);
  REQUIRE(packets.size() == 2);
  auto sr = parse_sender_report(packets[0]);
  REQUIRE(sr.ok());
  CHECK(sr->ssrc == 0xCAFEBABE);
  CHECK(sr->info == info);
  REQUIRE(sr->blocks.size() == 2);
  CHECK(sr->blocks[0] == blocks[0]);
  CHECK(sr->blocks[1] == blocks[1]);
  CHECK(sr->blocks[1].cumulative_lost == -5);
  auto sdes = parse_sdes(packets[1]);
  REQUIRE(sdes.ok());
  CHECK(sdes->chunk_count() == 1);
  CHECK(sdes->cname(0xCAFEBABE) == "rtcstack-cname");
  CHECK_FALSE(sdes->cname(1).has_value());
  CHECK(compact_ntp(info.ntp_timestamp) == 0x456789AB);
}

TEST_CASE("RR, BYE and APP round trip; SDES with several chunks and items", "[rtcp]") {
  const ReportBlock block{0x01020304, 1, 0x7FFFFF, 0xFFFFFFFF, 1, 2, 3};
  const std::uint32_t gone[] = {5, 6};
  std::array<std::uint8_t, 256> out{};
  RtcpWriter writer(out);
  write_receiver_report(writer, 42, {&block, 1});
  write_bye(writer, gone, "moving on");
  write_app(writer, 3, 42, "rtcs", base::as_bytes("12345678"));
  write_receiver_report(writer, 43, {});
  auto compound = writer.finish();
  REQUIRE(compound.ok());
  const auto packets = packets_of(*compound);
  REQUIRE(packets.size() == 4);
  auto rr = parse_receiver_report(packets[0]);
  REQUIRE(rr.ok());
  CHECK(rr->ssrc == 42);
  REQUIRE(rr->blocks.size() == 1);
  CHECK(rr->blocks[0] == block);
  auto bye = parse_bye(packets[1]);
  REQUIRE(bye.ok());
  REQUIRE(bye->ssrc_count() == 2);
  CHECK(bye->ssrc(1) == 6);
  CHECK(bye->reason == "moving on");
  auto app = parse_app(packets[2]);
  REQUIRE(app.ok());
  CHECK(app->subtype == 3);
  CHECK(app->name == "rtcs");
  CHECK(base::as_string_view(app->data) == "12345678");
  auto empty_rr = parse_receiver_report(packets[3]);
  REQUIRE(empty_rr.ok());
  CHECK(empty_rr->blocks.size() == 0);

  // Two chunks: CNAME + NAME, then CNAME alone; each ends with null bytes to a word.
  const base::Buffer sdes_bytes = hex_bytes(
      "82 CA 00 07"
      "00 00 00 01  01 03 61 62 63  02 01 78  00 00 00 00"  // 4 + 5 + 3 = 12 bytes, then 4 nulls
      "00 00 00 02  01 02 78 79  00 00 00 00");
  const auto sdes_packets = packets_of(sdes_bytes);
  REQUIRE(sdes_packets.size() == 1);
  auto sdes = parse_sdes(sdes_packets[0]);
  REQUIRE(sdes.ok());
  std::vector<std::string> seen;
  sdes->for_each([&](std::uint32_t ssrc, const SdesItem& item) {
    seen.push_back(std::to_string(ssrc) + ":" + std::to_string(item.type) + ":" + std::string(item.text));
  });
  CHECK(seen == std::vector<std::string>{"1:1:abc", "1:2:x", "2:1:xy"});
  CHECK(sdes->cname(2) == "xy");
}

TEST_CASE("reduced-size RTCP, unknown types and padding on the last packet", "[rtcp]") {
  // RFC 5506: a lone PLI is a valid RTCP datagram.
  const base::Buffer pli_bytes = hex_bytes("81 CE 00 02  00 00 00 01  00 00 00 02");
  const auto pli = packets_of(pli_bytes);
  REQUIRE(pli.size() == 1);
  auto feedback = parse_pli(pli[0]);
  REQUIRE(feedback.ok());
  CHECK(feedback->sender_ssrc == 1);
  CHECK(feedback->media_ssrc == 2);

  // An RR, an unknown type 210, an XR: all handed out; the caller skips what it does not know.
  const base::Buffer mixed_bytes = hex_bytes(
      "80 C9 00 01  00 00 00 09"
      "80 D2 00 01  DE AD BE EF"
      "80 CF 00 01  00 00 00 09");
  const auto mixed = packets_of(mixed_bytes);
  REQUIRE(mixed.size() == 3);
  CHECK(mixed[1].type == 210);
  CHECK(mixed[2].type == static_cast<std::uint8_t>(RtcpType::kExtendedReport));
  CHECK(parse_sender_report(mixed[1]).error().code == base::ErrorCode::kInvalidArgument);

  // Padding (P bit) on the last packet is removed from its body.
  const base::Buffer padded_bytes = hex_bytes("80 C9 00 01  00 00 00 09  A0 CB 00 02  00 00 00 07  00 00 00 04");
  const auto padded = packets_of(padded_bytes);
  REQUIRE(padded.size() == 2);
  auto bye = parse_bye(padded[1]);
  REQUIRE(bye.ok());
  CHECK(bye->ssrc_count() == 0);  // count 0; the body was all padding but the SSRC word
  CHECK(padded[1].body.size() == 4);
}

TEST_CASE("RTCP framing errors are reported with the packet they are in", "[rtcp][malformed]") {
  struct Case {
    const char* name;
    const char* hex;
    base::ErrorCode code;
  };
  const Case cases[] = {
      {"shorter than a header", "80 C9 00", base::ErrorCode::kTruncated},
      {"length past the datagram", "80 C9 00 02 00 00 00 01", base::ErrorCode::kTruncated},
      {"second packet cut", "80 C9 00 01 00 00 00 01 80 C8", base::ErrorCode::kTruncated},
      {"version 1", "40 C9 00 01 00 00 00 01", base::ErrorCode::kMalformed},
      {"padding on a packet that is not last", "A0 C9 00 01 00 00 00 01 80 C9 00 01 00 00 00 01",
       base::ErrorCode::kMalformed},
      {"padding count 0", "A0 C9 00 01 00 00 00 00", base::ErrorCode::kMalformed},
      {"padding past the body", "A0 C9 00 01 00 00 00 09", base::ErrorCode::kMalformed},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    auto reader = RtcpReader::parse(hex_bytes(c.hex));
    REQUIRE_FALSE(reader.ok());
    CHECK(reader.error().code == c.code);
    CHECK(reader.error().message.find("RTCP packet") != std::string::npos);
  }
}

TEST_CASE("typed RTCP parsers reject counts their packet cannot hold", "[rtcp][malformed]") {
  struct Case {
    const char* name;
    const char* hex;
  };
  const Case cases[] = {
      {"SR without sender info", "80 C8 00 01 00 00 00 01"},
      {"SR announcing a block it lacks", "81 C8 00 06 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"},
      {"RR announcing two blocks with one", "82 C9 00 07 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"},
      {"SDES item past the end", "81 CA 00 02 00 00 00 01 01 09 61 62"},
      {"SDES chunk without its end", "81 CA 00 02 00 00 00 01 01 02 61 62"},
      {"SDES counting two chunks", "82 CA 00 02 00 00 00 01 01 01 61 00"},
      {"BYE counting SSRCs it lacks", "83 CB 00 01 00 00 00 01"},
      {"BYE reason past the end", "81 CB 00 02 00 00 00 01 09 61 62 63"},
      {"APP without its name", "80 CC 00 01 00 00 00 01"},
      {"NACK without FCI", "81 CD 00 02 00 00 00 01 00 00 00 02"},
      {"FIR entry cut", "84 CE 00 03 00 00 00 01 00 00 00 00 00 00 00 05"},
      {"feedback without media SSRC", "81 CE 00 01 00 00 00 01"},
      {"REMB listing SSRCs it lacks", "8F CE 00 04 00 00 00 01 00 00 00 00 52 45 4D 42 03 00 00 01"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const base::Buffer bytes = hex_bytes(c.hex);
    const auto packets = packets_of(bytes);
    REQUIRE(packets.size() == 1);
    const RtcpPacket& packet = packets[0];
    bool failed = false;
    switch (static_cast<RtcpType>(packet.type)) {
      case RtcpType::kSenderReport: failed = !parse_sender_report(packet).ok(); break;
      case RtcpType::kReceiverReport: failed = !parse_receiver_report(packet).ok(); break;
      case RtcpType::kSdes: failed = !parse_sdes(packet).ok(); break;
      case RtcpType::kBye: failed = !parse_bye(packet).ok(); break;
      case RtcpType::kApp: failed = !parse_app(packet).ok(); break;
      case RtcpType::kTransportFeedback: failed = !parse_nack(packet).ok(); break;
      case RtcpType::kPayloadFeedback:
        failed = packet.count == kFmtFir ? !parse_fir(packet).ok()
                 : packet.count == kFmtPli ? !parse_pli(packet).ok()
                                           : !parse_remb(packet).ok();
        break;
      default: FAIL("unexpected type");
    }
    CHECK(failed);
  }
}

TEST_CASE("generic NACK packs lost sequence numbers into PID+BLP pairs and back", "[rtcp][nack]") {
  const std::uint16_t lost[] = {5, 6, 8, 21, 22, 30, 65535, 0, 3};
  std::array<std::uint8_t, 64> out{};
  RtcpWriter writer(out);
  write_nack(writer, 1, 2, lost);
  auto compound = writer.finish();
  REQUIRE(compound.ok());
  // 5 with 6, 8, 21 (distance 16); 22 with 30; 65535 with 0 and 3 (across the wrap).
  CHECK(base::bytes_equal(*compound, hex_bytes("81 CD 00 05  00 00 00 01  00 00 00 02  00 05 80 05  00 16 00 80  FF FF 00 09")));
  auto nack = parse_nack(packets_of(*compound)[0]);
  REQUIRE(nack.ok());
  CHECK(nack->sender_ssrc == 1);
  CHECK(nack->media_ssrc == 2);
  CHECK(lost_of(*nack) == std::vector<std::uint16_t>(std::begin(lost), std::end(lost)));

  // Any order still reports every number (only less compactly).
  const std::uint16_t shuffled[] = {30, 5, 8, 5, 100};
  RtcpWriter writer2(out);
  write_nack(writer2, 1, 2, shuffled);
  auto nack2 = parse_nack(packets_of(*writer2.finish())[0]);
  REQUIRE(nack2.ok());
  const auto got = lost_of(*nack2);
  CHECK(std::set<std::uint16_t>(got.begin(), got.end()) == std::set<std::uint16_t>{5, 8, 30, 100});
}

TEST_CASE("PLI, FIR and REMB round trip", "[rtcp]") {
  const FirEntry entries[] = {{0xAAAA0001, 7}, {0xAAAA0002, 255}};
  const std::uint32_t remb_ssrcs[] = {0x12345678, 0x9ABCDEF0};
  std::array<std::uint8_t, 128> out{};
  RtcpWriter writer(out);
  write_pli(writer, 10, 20);
  write_fir(writer, 10, entries);
  write_remb(writer, 10, 2'500'000, remb_ssrcs);
  auto compound = writer.finish();
  REQUIRE(compound.ok());
  const auto packets = packets_of(*compound);
  REQUIRE(packets.size() == 3);
  auto pli = parse_pli(packets[0]);
  REQUIRE(pli.ok());
  CHECK(pli->media_ssrc == 20);
  CHECK(pli->fci.empty());
  auto fir = parse_fir(packets[1]);
  REQUIRE(fir.ok());
  REQUIRE(fir->size() == 2);
  CHECK(fir->sender_ssrc == 10);
  CHECK(fir->operator[](0) == entries[0]);
  CHECK(fir->operator[](1) == entries[1]);
  auto remb = parse_remb(packets[2]);
  REQUIRE(remb.ok());
  // 2 500 000 = 0x2625A0 needs 22 bits: exponent 4, mantissa 156250, exact.
  CHECK(remb->bitrate_bps == 2'500'000);
  REQUIRE(remb->ssrc_count() == 2);
  CHECK(remb->ssrc(1) == 0x9ABCDEF0);
  CHECK(parse_pli(packets[1]).error().code == base::ErrorCode::kInvalidArgument);

  // Rounding down: an odd bitrate past 18 bits loses its low bits.
  RtcpWriter writer2(out);
  write_remb(writer2, 1, (1ull << 40) + 12345, {});
  auto rounded = parse_remb(packets_of(*writer2.finish())[0]);
  REQUIRE(rounded.ok());
  CHECK(rounded->bitrate_bps <= (1ull << 40) + 12345);
  CHECK(rounded->bitrate_bps >= (1ull << 40) - (1ull << 23));
  // A REMB written by hand: 1 SSRC, exponent 3, mantissa 0x34240.
  const base::Buffer remb_bytes = hex_bytes("8F CE 00 05 00 00 00 01 00 00 00 00 52 45 4D 42 01 0F 42 40 00 00 30 39");
  const auto captured = packets_of(remb_bytes);
  auto remb2 = parse_remb(captured[0]);
  REQUIRE(remb2.ok());
  CHECK(remb2->bitrate_bps == (std::uint64_t{0x34240} << 3));
  CHECK(remb2->ssrc(0) == 12345);
  // Application-layer feedback that is not REMB is unsupported, not malformed.
  const base::Buffer other_bytes = hex_bytes("8F CE 00 03 00 00 00 01 00 00 00 00 41 42 43 44");
  const auto other = packets_of(other_bytes);
  CHECK(parse_remb(other[0]).error().code == base::ErrorCode::kUnsupported);
}

TEST_CASE("the writer fails on the first thing that does not fit and stays failed", "[rtcp]") {
  std::array<std::uint8_t, 40> out{};
  RtcpWriter writer(out);
  write_receiver_report(writer, 1, {});  // 8 bytes
  CHECK_FALSE(writer.failed());
  const ReportBlock blocks[2] = {};
  write_receiver_report(writer, 1, blocks);  // 56 bytes: does not fit
  CHECK(writer.failed());
  write_pli(writer, 1, 2);  // would fit, but the writer has failed
  CHECK(writer.size() == 8);
  auto compound = writer.finish();
  REQUIRE_FALSE(compound.ok());
  CHECK(compound.error().code == base::ErrorCode::kResourceExhausted);

  std::array<std::uint8_t, 1024> big{};
  RtcpWriter invalid(big);
  write_sdes_cname(invalid, 1, "");
  CHECK(invalid.finish().error().code == base::ErrorCode::kInvalidArgument);
  RtcpWriter no_loss(big);
  write_nack(no_loss, 1, 2, {});
  CHECK(no_loss.finish().error().code == base::ErrorCode::kInvalidArgument);
}

TEST_CASE("every prefix of a real-shaped compound fails framing or parses", "[rtcp][malformed]") {
  const ReportBlock block{1, 2, 3, 4, 5, 6, 7};
  const std::uint16_t lost[] = {100, 101, 140};
  std::array<std::uint8_t, 256> out{};
  RtcpWriter writer(out);
  write_sender_report(writer, 9, SenderInfo{1, 2, 3, 4}, {&block, 1});
  write_sdes_cname(writer, 9, "cname");
  write_nack(writer, 9, 1, lost);
  write_pli(writer, 9, 1);
  const base::ByteView compound = *writer.finish();
  for (std::size_t size = 0; size < compound.size(); ++size) {
    auto reader = RtcpReader::parse(compound.first(size));
    if (!reader.ok()) continue;
    // A prefix that frames correctly ends exactly on a packet boundary.
    std::size_t total = 0;
    while (auto packet = reader->next()) total += packet->bytes.size();
    CHECK(total == size);
  }
}
