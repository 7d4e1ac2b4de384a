// media::RtpSession sending and receiving simulcast (RFC 8853): three encodings of one
// stream, each on its own SSRC named by its rid (RFC 8852), received as layers told apart
// by the rid alone - browsers announce no SSRC - and repaired, reported and asked for key
// frames one layer at a time.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "media/encoder_bitrate.h"
#include "media/rtcp_feedback.h"
#include "media/rtcp_reports.h"
#include "media/rtp_session.h"
#include "rtp_session_pair.h"

using namespace rtcstack;
using namespace rtcstack::media;
using namespace rtcstack::media::testing;

namespace {

constexpr std::uint8_t kRidId = 10, kRepairedRidId = 11;
const std::vector<std::string> kRids = {"q", "h", "f"};

// a sends the three encodings of kVideo to b, which learns every SSRC from the packets.
struct SimulcastCall : Call {
  SimulcastCall() {
    SendParameters send = video_send(true);
    send.rids = kRids;
    send.rid_extension = kRidId;
    send.repaired_rid_extension = kRepairedRidId;
    a.session.set_send(kVideo, send);
    ReceiveParameters receive = video_receive();
    receive.rids = kRids;
    receive.rid_extension = kRidId;
    receive.repaired_rid_extension = kRepairedRidId;
    b.session.set_receive(kVideo, receive);
  }
  // One packet on each encoding, delivered.
  void send_each(base::Instant at, std::uint32_t timestamp) {
    for (std::size_t encoding = 0; encoding < kRids.size(); ++encoding) {
      const std::string payload = kRids[encoding] + "-" + std::to_string(timestamp);
      REQUIRE(a.session.send_rtp(at, kVideo, base::as_bytes(payload), timestamp, true, encoding).ok());
    }
    deliver(at, a, b);
  }
};

std::string rid_of(const RtpPacket& packet, std::uint8_t id) {
  const auto value = packet.extension(id);
  return value ? std::string(base::as_string_view(*value)) : std::string();
}

}  // namespace

TEST_CASE("each encoding has its SSRC and rid; the receiver tells the layers apart by rid alone", "[rtp-session][simulcast]") {
  SimulcastCall call;
  std::vector<std::uint32_t> ssrcs;
  for (std::size_t encoding = 0; encoding < kRids.size(); ++encoding) ssrcs.push_back(call.a.session.ssrc(kVideo, encoding));
  CHECK(ssrcs[0] != ssrcs[1]);
  CHECK(ssrcs[1] != ssrcs[2]);
  CHECK(call.a.session.ssrc(kVideo, 3) == 0);

  call.send_each(ms(0), 3000);
  REQUIRE(call.b.received.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const RtpReceived& received = call.b.received[i];
    CHECK(received.layer == i);
    const auto packet = RtpPacket::parse(received.packet);
    CHECK(packet->ssrc() == ssrcs[i]);
    CHECK(rid_of(*packet, kRidId) == kRids[i]);
    CHECK(base::as_string_view(packet->payload()) == kRids[i] + "-3000");
    const auto stats = call.b.session.receive_stats(kVideo, i);
    REQUIRE(stats);
    CHECK(stats->ssrc == ssrcs[i]);
    CHECK(stats->rid == kRids[i]);
    CHECK(call.a.session.send_stats(kVideo, i)->rid == kRids[i]);
  }

  // Once learned, an SSRC routes without the rid (senders stop stamping it).
  RtpHeader header;
  header.payload_type = kVp8;
  header.sequence_number = 999;
  header.ssrc = ssrcs[2];
  base::Buffer bare(64);
  bare.resize(write_rtp(header, base::as_bytes(std::string("x")), bare.mutable_view())->size());
  REQUIRE(call.b.session.handle_rtp(ms(5), std::move(bare)));
  call.b.drain();
  CHECK(call.b.received.back().layer == 2);

  // A new SSRC with a rid nobody negotiated, or with none at all, is nobody's layer.
  for (const std::string rid : {"x", ""}) {
    const std::string mid = "1";
    HeaderExtension extensions[2] = {{kMidId, base::as_bytes(mid)}, {kRidId, base::as_bytes(rid)}};
    header.ssrc = 0xabcdef;
    header.extensions = {extensions, rid.empty() ? std::size_t{1} : std::size_t{2}};
    base::Buffer stray(64);
    stray.resize(write_rtp(header, base::as_bytes(std::string("x")), stray.mutable_view())->size());
    CHECK_FALSE(call.b.session.handle_rtp(ms(6), std::move(stray)));
  }

  // An encoding the stream does not have is refused, not sent on the first.
  const auto refused = call.a.session.send_rtp(ms(7), kVideo, base::as_bytes(std::string("x")), 0, false, 3);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == base::ErrorCode::kInvalidArgument);
}

TEST_CASE("a NACK of one layer is answered on its encoding's RTX SSRC with the repaired rid", "[rtp-session][simulcast]") {
  SimulcastCall call;
  std::vector<base::Buffer> originals;
  for (std::uint32_t i = 0; i < 3; ++i) {
    REQUIRE(call.a.session.send_rtp(ms(i), kVideo, base::as_bytes("h" + std::to_string(i)), 100 * i, false, 1).ok());
  }
  for (OutgoingPacket& packet : call.a.take_sent()) originals.push_back(packet.bytes);
  REQUIRE(call.b.session.handle_rtp(ms(10), base::Buffer(originals[0].view())));
  REQUIRE(call.b.session.handle_rtp(ms(10), base::Buffer(originals[2].view())));
  call.b.drain();
  const std::uint16_t lost = RtpPacket::parse(originals[1])->sequence_number();
  // Layer 0 has received nothing: there is nobody to ask.
  CHECK_FALSE(call.b.session.send_nack(kVideo, {&lost, 1}, 0).ok());
  REQUIRE(call.b.session.send_nack(kVideo, {&lost, 1}, 1).ok());
  Call::deliver(ms(20), call.b, call.a);
  auto resent = call.a.take_sent();
  REQUIRE(resent.size() == 1);
  const auto rtx = RtpPacket::parse(resent[0].bytes);
  CHECK(rtx->ssrc() == call.a.session.rtx_ssrc(kVideo, 1));
  CHECK(rid_of(*rtx, kRidId).empty());
  CHECK(rid_of(*rtx, kRepairedRidId) == "h");
  // b has not seen the RTX SSRC: the repaired rid names its layer; restored, the packet
  // is the original byte for byte, its rid back in place.
  REQUIRE(call.b.session.handle_rtp(ms(30), std::move(resent[0].bytes)));
  call.b.drain();
  REQUIRE(call.b.received.size() == 3);
  CHECK(call.b.received.back().layer == 1);
  CHECK(call.b.received.back().packet == originals[1]);
  CHECK(call.a.session.send_stats(kVideo, 1)->retransmitted == 1);
  CHECK(call.a.session.send_stats(kVideo, 0) == std::nullopt);  // never sent
  CHECK(call.b.session.receive_stats(kVideo, 1)->nacks_sent == 1);
}

TEST_CASE("PLI asks one layer for a key frame; every encoding sends its SR, every layer gets a report block",
          "[rtp-session][simulcast]") {
  SimulcastCall call;
  call.send_each(ms(0), 0);
  REQUIRE(call.b.session.request_key_frame(kVideo, 2).ok());
  Call::deliver(ms(1), call.b, call.a);
  REQUIRE(call.a.key_frame_requests == std::vector<StreamId>{kVideo});
  CHECK(call.a.key_frame_encodings == std::vector<std::size_t>{2});
  CHECK(call.a.session.send_stats(kVideo, 2)->key_frames_requested == 1);
  CHECK(call.b.session.receive_stats(kVideo, 2)->plis_sent == 1);
  CHECK_FALSE(call.b.session.request_key_frame(kVideo, 3).ok());

  // Past the report interval (at most 1.5 s): a sends an SR from each encoding's SSRC; b one
  // RR with a block about each layer.
  call.send_each(ms(100), 9000);
  call.a.session.handle_timeout(ms(1600));
  call.b.session.handle_timeout(ms(1600));
  std::vector<std::uint32_t> reporters;
  for (const OutgoingPacket& compound : call.a.take_sent()) {
    const auto sr = parse_sender_report(packets_of(compound).front());
    REQUIRE(sr.ok());
    reporters.push_back(sr->ssrc);
  }
  CHECK(reporters == std::vector<std::uint32_t>{call.a.session.ssrc(kVideo, 0), call.a.session.ssrc(kVideo, 1),
                                                call.a.session.ssrc(kVideo, 2)});
  const auto reports = call.b.take_sent();
  REQUIRE(reports.size() == 1);
  const auto rr = parse_receiver_report(packets_of(reports[0]).front());
  REQUIRE(rr.ok());
  REQUIRE(rr->blocks.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(rr->blocks[i].ssrc == call.a.session.ssrc(kVideo, i));
}

TEST_CASE("renegotiated simulcast keeps what was learned of a rid; fewer encodings forget the others",
          "[rtp-session][simulcast]") {
  SimulcastCall call;
  call.send_each(ms(0), 0);
  const std::uint32_t h = call.a.session.ssrc(kVideo, 1);
  ReceiveParameters receive = video_receive();
  receive.rids = {"h"};
  receive.rid_extension = kRidId;
  call.b.session.set_receive(kVideo, receive);
  CHECK(call.b.session.receive_stats(kVideo, 0)->ssrc == h);
  CHECK(call.b.session.receive_stats(kVideo, 1) == std::nullopt);

  SendParameters send = video_send(true);
  send.rids = {"q"};
  send.rid_extension = kRidId;
  call.a.session.set_send(kVideo, send);
  CHECK(call.a.session.ssrc(kVideo, 1) == 0);
  // Without simulcast the stream sends on its first SSRC, as before.
  call.a.session.set_send(kVideo, video_send(true));
  CHECK(call.a.session.send_rtp(ms(10), kVideo, base::as_bytes(std::string("x")), 0, false).ok());
  CHECK_FALSE(call.a.session.send_rtp(ms(10), kVideo, base::as_bytes(std::string("x")), 0, false, 1).ok());
}

TEST_CASE("a video target is shared by simulcast encodings lowest first, each up to its maximum", "[media][simulcast]") {
  const std::uint64_t maxima[] = {150'000, 500'000, 1'500'000};
  std::uint64_t out[3] = {};
  media::split_simulcast(3'000'000, maxima, out);
  CHECK(out[0] == 150'000);
  CHECK(out[1] == 500'000);
  CHECK(out[2] == 1'500'000);  // the rest stays unused
  media::split_simulcast(1'000'000, maxima, out);
  CHECK(out[2] == 350'000);
  // Too little for the top layer's minimum: it pauses; too little for the lowest: all do.
  media::split_simulcast(680'000, maxima, out);
  CHECK(out[1] == 500'000);
  CHECK(out[2] == 0);
  media::split_simulcast(40'000, maxima, out);
  CHECK(out[0] == 0);
  CHECK(out[1] == 0);
  // No maximum: the layer takes what is left.
  const std::uint64_t open[] = {100'000, 0};
  std::uint64_t two[2] = {};
  media::split_simulcast(800'000, open, two);
  CHECK(two[1] == 700'000);
}
