// media::RtpSession on its own: two sessions joined back to back in simulated time, with
// a one-way delay, sending RTP and the RTCP that keeps it going (reports and round-trip
// time, NACK answered by RTX or by resending, PLI and FIR, BYE), and what it refuses.
#include <catch2/catch.hpp>

#include <deque>
#include <vector>

#include "base/random.h"
#include "media/encoder_bitrate.h"
#include "media/rtcp_feedback.h"
#include "media/rtcp_packet.h"
#include "media/rtcp_reports.h"
#include "media/rtp_packet.h"
#include "media/rtp_session.h"
#include "rtp_session_pair.h"

using namespace rtcstack;
using namespace rtcstack::media;
using namespace rtcstack::media::testing;

TEST_CASE("an RTP session sends packets with its SSRC, sequence and mid; the peer learns the stream", "[rtp-session]") {
  Call call;
  const std::string payload = "frame-0";
  REQUIRE(call.a.session.send_rtp(ms(0), kVideo, base::as_bytes(payload), 3000, true).ok());
  REQUIRE(call.a.session.send_rtp(ms(1), kVideo, base::as_bytes(std::string("frame-1")), 3000, false).ok());
  auto sent = call.a.take_sent();
  REQUIRE(sent.size() == 2);
  const auto first = RtpPacket::parse(sent[0].bytes);
  REQUIRE(first.ok());
  CHECK(first->ssrc() == call.a.session.ssrc(kVideo));
  CHECK(first->payload_type() == kVp8);
  CHECK(first->marker());
  CHECK(first->timestamp() == 3000);
  CHECK(base::as_string_view(*first->extension(kMidId)) == "1");
  CHECK(base::as_string_view(first->payload()) == payload);
  CHECK(RtpPacket::parse(sent[1].bytes)->sequence_number() == static_cast<std::uint16_t>(first->sequence_number() + 1));

  for (OutgoingPacket& packet : sent) REQUIRE(call.b.session.handle_rtp(ms(30), std::move(packet.bytes)));
  call.b.drain();
  REQUIRE(call.b.received.size() == 2);
  CHECK(call.b.received[0].stream == kVideo);
  CHECK(base::as_string_view(RtpPacket::parse(call.b.received[0].packet)->payload()) == payload);
  const auto stats = call.b.session.receive_stats(kVideo);
  REQUIRE(stats);
  CHECK(stats->ssrc == call.a.session.ssrc(kVideo));
  CHECK(stats->packets_received == 2);
  CHECK(stats->packets_lost == 0);
  const auto sent_stats = call.a.session.send_stats(kVideo);
  REQUIRE(sent_stats);
  CHECK(sent_stats->packets_sent == 2);
  CHECK(sent_stats->payload_bytes_sent == 14);
}

TEST_CASE("reports go out on RFC 3550's randomised interval and give the sender the round-trip time", "[rtp-session]") {
  Call call;
  // Before anything flowed, no compound goes out, but the timer runs.
  call.a.drain();
  CHECK(call.a.timeout.reason == RtpTimer::kReports);
  CHECK(call.a.timeout.at == ms(1000));
  call.a.session.handle_timeout(ms(1000));
  CHECK(call.a.take_sent().empty());

  // 25 ms each way, in steps of 1 ms: a sends media every 20 ms and its SRs, b reports
  // back in its RRs.
  std::deque<std::pair<base::Instant, OutgoingPacket>> to_b, to_a;
  const base::Duration delay = base::Duration::milliseconds(25);
  std::vector<base::Instant> report_times;
  for (std::int64_t t = 1001; t <= 9000; ++t) {
    const base::Instant now = ms(t);
    if (t % 20 == 0) {
      REQUIRE(call.a.session.send_rtp(now, kVideo, base::as_bytes(std::string("media")), static_cast<std::uint32_t>(90 * t),
                                      false).ok());
    }
    for (Side* side : {&call.a, &call.b}) {
      side->drain();
      if (now < side->timeout.at) continue;
      CHECK(side->timeout.reason == RtpTimer::kReports);
      side->session.handle_timeout(now);
      if (side == &call.a) report_times.push_back(now);
    }
    for (OutgoingPacket& packet : call.a.take_sent()) to_b.emplace_back(now + delay, std::move(packet));
    for (OutgoingPacket& packet : call.b.take_sent()) to_a.emplace_back(now + delay, std::move(packet));
    for (auto [link, side] : {std::pair{&to_b, &call.b}, std::pair{&to_a, &call.a}}) {
      while (!link->empty() && link->front().first <= now) {
        OutgoingPacket& packet = link->front().second;
        if (packet.rtcp) {
          REQUIRE(side->session.handle_rtcp(now, packet.bytes));
        } else {
          REQUIRE(side->session.handle_rtp(now, std::move(packet.bytes)));
        }
        link->pop_front();
      }
    }
  }
  REQUIRE(report_times.size() >= 5);
  for (std::size_t i = 1; i < report_times.size(); ++i) {
    const base::Duration gap = report_times[i] - report_times[i - 1];
    CHECK(gap >= base::Duration::milliseconds(500));
    CHECK(gap <= base::Duration::milliseconds(1500));
  }
  const auto stats = call.a.session.send_stats(kVideo);
  REQUIRE(stats);
  REQUIRE(stats->remote_report);
  CHECK(stats->remote_report->ssrc == call.a.session.ssrc(kVideo));
  CHECK(stats->remote_report->cumulative_lost == 0);
  REQUIRE(stats->round_trip_time);
  // 25 ms there and 25 ms back; b's delay in between is in the DLSR: 50 ms within the
  // resolution of compact NTP (1/65536 s) and of the 1 ms steps.
  CHECK(std::abs(stats->round_trip_time->as_seconds() - 0.050) < 0.0015);
}

TEST_CASE("a NACK is answered from the history on the RTX SSRC; the receiver restores the original", "[rtp-session]") {
  Call call;
  std::vector<base::Buffer> originals;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(call.a.session.send_rtp(ms(i), kVideo, base::as_bytes("packet " + std::to_string(i)), 100 * i, false).ok());
  }
  for (OutgoingPacket& packet : call.a.take_sent()) originals.push_back(packet.bytes);
  // b gets all but the third.
  for (std::size_t i = 0; i < originals.size(); ++i) {
    if (i != 2) REQUIRE(call.b.session.handle_rtp(ms(10), base::Buffer(originals[i].view())));
  }
  call.b.drain();
  const std::uint16_t lost = RtpPacket::parse(originals[2])->sequence_number();
  REQUIRE(call.b.session.send_nack(kVideo, {&lost, 1}).ok());
  Call::deliver(ms(20), call.b, call.a);
  auto resent = call.a.take_sent();
  REQUIRE(resent.size() == 1);
  const auto rtx = RtpPacket::parse(resent[0].bytes);
  REQUIRE(rtx.ok());
  CHECK(rtx->ssrc() == call.a.session.rtx_ssrc(kVideo));
  CHECK(rtx->payload_type() == kRtx);
  REQUIRE(call.b.session.handle_rtp(ms(30), std::move(resent[0].bytes)));
  call.b.drain();
  REQUIRE(call.b.received.size() == 5);
  CHECK(call.b.received.back().packet == originals[2]);  // restored byte for byte
  CHECK(call.a.session.send_stats(kVideo)->retransmitted == 1);
  CHECK(call.a.session.send_stats(kVideo)->nacks_received == 1);
  CHECK(call.b.session.receive_stats(kVideo)->nacks_sent == 1);

  // RTX padding (an RTX packet without payload: bandwidth probing) is taken, not delivered.
  RtpHeader header;
  header.payload_type = kRtx;
  header.ssrc = call.a.session.rtx_ssrc(kVideo);
  base::Buffer padding(64);
  padding.resize(write_rtp(header, {}, padding.mutable_view())->size());
  CHECK(call.b.session.handle_rtp(ms(40), std::move(padding)));
  call.b.drain();
  CHECK(call.b.received.size() == 5);
}

TEST_CASE("without RTX a NACK resends the packet as it was; packets no longer held are not", "[rtp-session]") {
  Call call(false);
  REQUIRE(call.a.session.send_rtp(ms(0), kVideo, base::as_bytes(std::string("only")), 0, false).ok());
  const base::Buffer original = call.a.take_sent().front().bytes;
  REQUIRE(call.b.session.handle_rtp(ms(1), base::Buffer(original.view())));
  call.b.drain();
  const std::uint16_t sequence = RtpPacket::parse(original)->sequence_number();
  const std::uint16_t unknown = static_cast<std::uint16_t>(sequence + 100);
  const std::uint16_t lost[] = {sequence, unknown};
  REQUIRE(call.b.session.send_nack(kVideo, lost).ok());
  Call::deliver(ms(2), call.b, call.a);
  auto resent = call.a.take_sent();
  REQUIRE(resent.size() == 1);
  CHECK(resent[0].bytes == original);
  // A second later the history has let it go (history_age).
  REQUIRE(call.b.session.send_nack(kVideo, {&sequence, 1}).ok());
  Call::deliver(ms(1500), call.b, call.a);
  CHECK(call.a.take_sent().empty());
}

TEST_CASE("PLI and FIR from the peer become key-frame requests of the stream", "[rtp-session]") {
  Call call;
  REQUIRE(call.a.session.send_rtp(ms(0), kVideo, base::as_bytes(std::string("key")), 0, true).ok());
  Call::deliver(ms(1), call.a, call.b);
  REQUIRE(call.b.session.request_key_frame(kVideo).ok());
  const auto compound = call.b.take_sent();
  REQUIRE(compound.size() == 1);
  const auto packets = packets_of(compound[0]);
  REQUIRE(packets.size() == 3);  // RR, SDES, PLI (RFC 3550 §6.1 order)
  CHECK(parse_receiver_report(packets[0]).ok());
  CHECK(parse_sdes(packets[1])->cname(call.b.session.ssrc(kVideo)) == "bob");
  CHECK(parse_pli(packets[2])->media_ssrc == call.a.session.ssrc(kVideo));
  REQUIRE(call.a.session.handle_rtcp(ms(2), compound[0].bytes));

  // A FIR naming our SSRC, as a compound the peer writes.
  base::Buffer fir(256);
  RtcpWriter writer(fir.mutable_view());
  write_receiver_report(writer, 0x1234, {});
  const FirEntry entry{call.a.session.ssrc(kVideo), 1};
  write_fir(writer, 0x1234, {&entry, 1});
  REQUIRE(call.a.session.handle_rtcp(ms(3), *writer.finish()));
  call.a.drain();
  CHECK(call.a.key_frame_requests == std::vector<StreamId>{kVideo, kVideo});
  CHECK(call.a.session.send_stats(kVideo)->key_frames_requested == 2);
  CHECK(call.b.session.receive_stats(kVideo)->plis_sent == 1);
}

TEST_CASE("removing a stream that carried media says BYE; one that never did goes quietly", "[rtp-session]") {
  Call call;
  REQUIRE(call.a.session.send_rtp(ms(0), kVideo, base::as_bytes(std::string("x")), 0, false).ok());
  call.a.take_sent();
  const std::uint32_t ssrc = call.a.session.ssrc(kVideo);
  call.a.session.remove_stream(kVideo);
  const auto compound = call.a.take_sent();
  REQUIRE(compound.size() == 1);
  const auto packets = packets_of(compound[0]);
  REQUIRE(packets.size() == 3);
  const auto bye = parse_bye(packets.back());
  REQUIRE(bye.ok());
  CHECK(bye->ssrc(0) == ssrc);
  CHECK(call.a.session.ssrc(kVideo) == 0);
  CHECK_FALSE(call.a.session.send_stats(kVideo));
  CHECK(call.a.session.send_rtp(ms(1), kVideo, base::as_bytes(std::string("x")), 0, false).error().code ==
        base::ErrorCode::kInvalidArgument);

  call.b.session.remove_stream(kVideo);  // received nothing yet: nothing to say
  CHECK(call.b.take_sent().empty());
}

TEST_CASE("an RTP session refuses what it cannot do and drops what is not its own", "[rtp-session][hostile]") {
  Call call;
  const std::string big(1401, 'x');
  CHECK(call.a.session.send_rtp(ms(0), kVideo, base::as_bytes(big), 0, false).error().code ==
        base::ErrorCode::kInvalidArgument);
  CHECK(call.a.session.send_rtp(ms(0), 99, base::as_bytes(std::string("x")), 0, false).error().code ==
        base::ErrorCode::kInvalidArgument);
  CHECK(call.b.session.send_rtp(ms(0), kVideo, base::as_bytes(std::string("x")), 0, false).error().code ==
        base::ErrorCode::kWrongState);  // b's half does not send
  CHECK(call.b.session.request_key_frame(kVideo).error().code == base::ErrorCode::kWrongState);  // nothing received
  const std::uint16_t none = 1;
  CHECK(call.b.session.send_nack(kVideo, {}).error().code == base::ErrorCode::kInvalidArgument);
  CHECK(call.a.session.send_nack(kVideo, {&none, 1}).error().code == base::ErrorCode::kWrongState);  // a does not receive

  // Garbage, truncated RTCP and a packet of another mid and payload type: dropped, and
  // the stream has still learned nothing.
  const std::uint8_t garbage[] = {0x00, 0x01, 0x02};
  CHECK_FALSE(call.b.session.handle_rtp(ms(1), base::Buffer(base::ByteView(garbage))));
  CHECK_FALSE(call.b.session.handle_rtcp(ms(1), base::ByteView(garbage)));
  RtpHeader header;
  header.payload_type = 111;
  header.ssrc = 0xFEED;
  const std::string other_mid = "0";
  const HeaderExtension mid{kMidId, base::as_bytes(other_mid)};
  header.extensions = {&mid, 1};
  base::Buffer stranger(256);
  stranger.resize(write_rtp(header, base::as_bytes(std::string("x")), stranger.mutable_view())->size());
  CHECK_FALSE(call.b.session.handle_rtp(ms(1), std::move(stranger)));
  call.b.drain();
  CHECK(call.b.received.empty());
  CHECK_FALSE(call.b.session.receive_stats(kVideo));
}

TEST_CASE("announced SSRCs route packets without a mid; close() stops reports and frees histories", "[rtp-session]") {
  Call call;
  ReceiveParameters announced = video_receive();
  announced.mid_extension.reset();
  announced.ssrc = call.a.session.ssrc(kVideo);
  call.b.session.set_receive(kVideo, announced);
  SendParameters plain = video_send(true);
  plain.mid_extension.reset();
  call.a.session.set_send(kVideo, plain);
  REQUIRE(call.a.session.send_rtp(ms(0), kVideo, base::as_bytes(std::string("x")), 0, false).ok());
  auto sent = call.a.take_sent();
  CHECK_FALSE(RtpPacket::parse(sent[0].bytes)->has_extension());
  CHECK(call.b.session.handle_rtp(ms(1), std::move(sent[0].bytes)));

  call.a.session.close();
  call.a.drain();
  CHECK(call.a.timeout.reason == RtpTimer::kNone);
  CHECK(call.a.timeout.at == base::Instant::max());
  CHECK(call.a.session.send_rtp(ms(2), kVideo, base::as_bytes(std::string("x")), 0, false).error().code ==
        base::ErrorCode::kWrongState);
  CHECK(call.a.session.send_stats(kVideo)->packets_sent == 1);  // statistics stay for queries
}

TEST_CASE("a target split between Opus and video as the docs recommend", "[media][congestion]") {
  // 2 Mbit/s: Opus at its 32 kbit/s ceiling (about 60 kbit/s on the wire), video the rest.
  const auto wide = media::split_target(2'000'000);
  CHECK(wide.audio_payload_bps == 32'000);
  CHECK(wide.video_wire_bps == 2'000'000 - media::wire_bitrate(32'000, 50));
  // 200 kbit/s: a tenth to audio.
  CHECK(media::split_target(200'000).audio_payload_bps == 20'000);
  // 50 kbit/s: audio at its floor (40 kbit/s on the wire), video what is left.
  const auto narrow = media::split_target(50'000);
  CHECK(narrow.audio_payload_bps == 12'000);
  CHECK(narrow.video_wire_bps == 10'000);
  CHECK(media::split_target(30'000).video_wire_bps == 0);
  // The payload a wire rate carries in 1100-byte packets, and back.
  CHECK(media::payload_bitrate(1'170'000, 1100) == 1'100'000);
  CHECK(media::wire_bitrate(32'000, 50) == 60'000);
}

TEST_CASE("transport-wide CC between two sessions: numbered as they leave the pacer, reported within 100 ms",
          "[rtp-session][congestion]") {
  constexpr std::uint8_t kTransportCcId = 5;
  Side a{3, "alice"}, b{4, "bob"};
  a.session.add_stream(kVideo);
  b.session.add_stream(kVideo);
  SendParameters send = video_send(true);
  send.transport_cc = true;
  send.transport_cc_extension = kTransportCcId;
  a.session.set_send(kVideo, send);
  ReceiveParameters receive = video_receive();
  receive.transport_cc_extension = kTransportCcId;
  b.session.set_receive(kVideo, receive);
  a.session.start(ms(0));
  b.session.start(ms(0));

  // Ten 1000-byte packets at once: the pacer (300 kbit/s at the start, 2.5x) lets out 5 ms
  // worth and the rest as its timer comes - plus the initial probes' padding.
  const std::vector<std::uint8_t> payload(1000, 0x11);
  for (int i = 0; i < 10; ++i) REQUIRE(a.session.send_rtp(ms(0), kVideo, payload, 0, i == 9).ok());
  std::vector<OutgoingPacket> out = a.take_sent();
  CHECK(out.size() < 10);
  for (int step = 0; step < 100 && a.timeout.reason == RtpTimer::kPacer; ++step) {
    a.session.handle_timeout(a.timeout.at);
    for (auto& packet : a.take_sent()) out.push_back(std::move(packet));
  }
  std::vector<std::uint16_t> numbers;
  std::size_t media = 0;
  for (const OutgoingPacket& packet : out) {
    if (packet.rtcp) continue;
    const auto parsed = RtpPacket::parse(packet.bytes);
    REQUIRE(parsed.ok());
    const auto value = parsed->extension(kTransportCcId);
    REQUIRE(value);  // media and padding alike carry one
    numbers.push_back(static_cast<std::uint16_t>((*value)[0] << 8 | (*value)[1]));
    media += parsed->payload_type() == kVp8;
  }
  CHECK(media == 10);
  for (std::size_t i = 0; i < numbers.size(); ++i) CHECK(numbers[i] == i);  // in the order they left

  // b reports what arrived 50 ms after the first arrival: 10 packets or more (the probes'
  // padding among them) need not wait the full 100 ms.
  REQUIRE(numbers.size() >= 10);
  for (OutgoingPacket& packet : out) {
    if (!packet.rtcp) (void)b.session.handle_rtp(ms(30), std::move(packet.bytes));
  }
  b.drain();
  CHECK(b.timeout.reason == RtpTimer::kFeedback);
  CHECK(b.timeout.at == ms(80));
  b.session.handle_timeout(ms(80));
  const auto feedback = b.take_sent();
  REQUIRE(feedback.size() == 1);
  CHECK(b.session.transport_feedback_sent() == 1);
  REQUIRE(a.session.handle_rtcp(ms(150), feedback.front().bytes));
  const auto counters = a.session.congestion_counters();
  CHECK(counters.feedback.messages == 1);
  CHECK(counters.feedback.reports == numbers.size());
  CHECK(counters.feedback.unknown == 0);
  CHECK(a.session.bandwidth_estimate().has_value());

  // Arrivals not yet reported when the session closes are dropped with it: no timer stays.
  REQUIRE(a.session.send_rtp(ms(200), kVideo, payload, 3000, true).ok());
  for (OutgoingPacket& packet : a.take_sent()) {
    if (!packet.rtcp) (void)b.session.handle_rtp(ms(230), std::move(packet.bytes));
  }
  b.drain();
  CHECK(b.timeout.reason != RtpTimer::kNone);
  b.session.close();
  b.drain();
  CHECK(b.timeout.at == base::Instant::max());
  CHECK(b.sent.empty());
}
