// Receive statistics, retransmission (NACK, RTX) and the video jitter buffer, alone and
// together: a video stream of each codec over a lossy, reordering link in simulated time.
#include <catch2/catch.hpp>

#include <array>
#include <functional>
#include <map>
#include <random>
#include <vector>

#include "media/jitter_buffer.h"
#include "media/nack_tracker.h"
#include "media/receive_statistics.h"
#include "media/retransmission.h"
#include "media/rtcp_feedback.h"
#include "media/rtcp_packet.h"
#include "media/rtp_packet.h"
#include "media/send_statistics.h"
#include "media/frame_assembler.h"
#include "media/video_codec.h"
#include "media/video_payload.h"
#include "test_pattern.h"

using namespace rtcstack;
using namespace rtcstack::media;

namespace {

base::Instant ms(std::int64_t value) { return base::Instant::from_nanoseconds(value * 1'000'000); }

base::Buffer rtp(std::uint16_t sequence, std::uint32_t timestamp = 0, std::string_view payload = "data",
                 bool marker = false) {
  RtpHeader header;
  header.payload_type = 96;
  header.sequence_number = sequence;
  header.timestamp = timestamp;
  header.ssrc = 0xABCD;
  header.marker = marker;
  base::Buffer out(1500);
  auto written = write_rtp(header, base::as_bytes(payload), out.mutable_view());
  REQUIRE(written.ok());
  out.resize(written->size());
  return out;
}

}  // namespace

TEST_CASE("receive statistics follow RFC 3550 A.1: probation, wraps, loss, duplicates", "[repair][stats]") {
  ReceiveStatistics stats(90000);
  CHECK_FALSE(stats.on_packet(ms(0), 65530, 0));  // probation: one sequential packet is not enough
  CHECK_FALSE(stats.valid());
  CHECK(stats.on_packet(ms(1), 65531, 0));
  CHECK(stats.valid());
  // 65531 is the base. Up to 65535 + 100 more, with every tenth lost: 5 + 100 numbers.
  int lost = 0;
  for (std::uint32_t n = 65532; n < 65536 + 100; ++n) {
    if (n % 10 == 0) {
      ++lost;
      continue;
    }
    stats.on_packet(ms(2), static_cast<std::uint16_t>(n), 0);
  }
  CHECK(stats.extended_highest_sequence() == 65536 + 99);  // one wrap
  CHECK(stats.cumulative_lost() == lost);
  const ReportBlock block = stats.report(ms(100), 0xABCD);
  CHECK(block.ssrc == 0xABCD);
  CHECK(block.extended_highest_sequence == (1u << 16) + 99);
  CHECK(block.cumulative_lost == lost);
  CHECK(block.fraction_lost == lost * 256 / 105);
  // The next interval has no loss; a duplicate makes the cumulative loss drop by one.
  stats.on_packet(ms(200), 100, 0);
  stats.on_packet(ms(200), 100, 0);
  const ReportBlock next = stats.report(ms(300), 0xABCD);
  CHECK(next.fraction_lost == 0);
  CHECK(next.cumulative_lost == lost - 1);
  // A jump past MAX_DROPOUT is ignored once; two sequential packets there restart the stream.
  CHECK_FALSE(stats.on_packet(ms(400), 30000, 0));
  CHECK(stats.on_packet(ms(401), 30001, 0));
  CHECK(stats.extended_highest_sequence() == 30001);
  CHECK(stats.cumulative_lost() == 0);
}

TEST_CASE("interarrival jitter (A.8) and LSR/DLSR round-trip time", "[repair][stats]") {
  ReceiveStatistics steady(90000);
  for (int i = 0; i < 100; ++i) steady.on_packet(ms(i * 33), static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i * 2970));
  CHECK(steady.jitter() == 0);  // 33 ms on the wire is 2970 ticks: transit never changes

  ReceiveStatistics jumpy(90000);
  for (int i = 0; i < 400; ++i) {
    // Arrivals alternate 10 ms early and late around a steady clock: |D| = 20 ms = 1800 ticks.
    const std::int64_t arrival = i * 40 + (i % 2 ? 10 : -10) + 1000;
    jumpy.on_packet(ms(arrival), static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i * 3600));
  }
  CHECK(jumpy.jitter() == Approx(1800).epsilon(0.02));

  // The sender's SR at NTP time T; the receiver reports 250 ms after it arrived; the report
  // reaches the sender 100 ms after that, with 50 ms each way: RTT 100 ms.
  const NtpClock sender_clock(ms(0), 0xE0000000'00000000ull);
  ReceiveStatistics receiver(48000);
  receiver.on_packet(ms(0), 1, 0);
  receiver.on_packet(ms(20), 2, 960);
  const std::uint64_t sr_ntp = sender_clock.ntp(ms(1000));
  receiver.on_sender_report(ms(1050), sr_ntp);
  const ReportBlock block = receiver.report(ms(1300), 1);
  CHECK(block.last_sender_report == compact_ntp(sr_ntp));
  CHECK(block.delay_since_last_sender_report == 16384);  // 250 ms in 1/65536 s
  const auto rtt = round_trip_time(compact_ntp(sender_clock.ntp(ms(1350))), block);
  REQUIRE(rtt.has_value());
  CHECK(rtt->as_microseconds() == Approx(100'000).margin(100));
  CHECK_FALSE(round_trip_time(5, ReportBlock{}).has_value());  // no SR cited
}

TEST_CASE("an SR pairs NTP time with the RTP timestamp of the same instant; the RR answer gives the RTT", "[repair][stats]") {
  const NtpClock clock(ms(0), 0xE0000000'00000000ull);
  SendStatistics sender(90000);
  CHECK_FALSE(sender.sender_info(ms(0), clock).has_value());  // nothing sent yet: RR, not SR
  for (int i = 0; i < 30; ++i) sender.on_sent(ms(i * 33), 1000 + static_cast<std::uint32_t>(i) * 2970, 1000);
  const auto info = sender.sender_info(ms(29 * 33 + 100), clock);  // 100 ms after the last packet
  REQUIRE(info.has_value());
  CHECK(info->packet_count == 30);
  CHECK(info->octet_count == 30000);
  CHECK(info->rtp_timestamp == 1000 + 29 * 2970 + 9000);
  CHECK(info->ntp_timestamp == clock.ntp(ms(29 * 33 + 100)));
  CHECK(clock.ntp(ms(1500)) - clock.ntp(ms(500)) == 1ull << 32);  // one second is 2^32

  // The SR goes out in a compound; the receiver answers 200 ms later; 30 ms each way.
  std::array<std::uint8_t, 128> out{};
  RtcpWriter writer(out);
  write_sender_report(writer, 0x1000, *info, {});
  const auto sr = parse_sender_report(*RtcpReader::parse(*writer.finish())->next());
  REQUIRE(sr.ok());
  ReceiveStatistics receiver(90000);
  receiver.on_packet(ms(0), 1, 0);
  receiver.on_packet(ms(1), 2, 0);
  const base::Instant sr_sent = ms(29 * 33 + 100);
  receiver.on_sender_report(sr_sent + base::Duration::milliseconds(30), sr->info.ntp_timestamp);
  const ReportBlock block = receiver.report(sr_sent + base::Duration::milliseconds(230), 0x1000);
  const auto rtt = round_trip_time(compact_ntp(clock.ntp(sr_sent + base::Duration::milliseconds(260))), block);
  REQUIRE(rtt.has_value());
  CHECK(rtt->as_microseconds() == Approx(60'000).margin(100));
}

TEST_CASE("the retransmission buffer finds recent packets and forgets old ones", "[repair][rtx]") {
  RetransmissionBuffer buffer(8, 200, base::Duration::milliseconds(500));
  for (std::uint16_t s = 0; s < 12; ++s) buffer.store(ms(s), *RtpPacket::parse(rtp(s)));
  CHECK_FALSE(buffer.find(ms(20), 3).has_value());  // overwritten by 11
  const auto found = buffer.find(ms(20), 11);
  REQUIRE(found.has_value());
  CHECK(RtpPacket::parse(*found)->sequence_number() == 11);
  CHECK_FALSE(buffer.find(ms(600), 11).has_value());  // too old
  const std::string big(300, 'x');
  buffer.store(ms(30), *RtpPacket::parse(rtp(19, 0, big)));  // too large: not kept, and 11's slot is freed
  CHECK_FALSE(buffer.find(ms(31), 19).has_value());
  CHECK_FALSE(buffer.find(ms(31), 11).has_value());
}

TEST_CASE("the retransmission buffer takes memory as it fills, not up front", "[repair][rtx]") {
  RetransmissionBuffer buffer(512, 1500);
  CHECK(buffer.allocated_bytes() == 0);
  buffer.store(ms(0), *RtpPacket::parse(rtp(1000)));
  buffer.store(ms(1), *RtpPacket::parse(rtp(1001)));
  CHECK(buffer.allocated_bytes() == 8 * 1500);  // one chunk of 8 slots holds both
  for (std::uint16_t s = 0; s < 600; ++s) buffer.store(ms(2 + s), *RtpPacket::parse(rtp(static_cast<std::uint16_t>(1002 + s))));
  CHECK(buffer.allocated_bytes() == 512 * 1500);  // full: and no more than the capacity
  const auto found = buffer.find(ms(700), 1601);
  REQUIRE(found.has_value());
  CHECK(RtpPacket::parse(*found)->sequence_number() == 1601);
}

TEST_CASE("RTX (RFC 4588) carries the original sequence number and restores the packet exactly", "[repair][rtx]") {
  const HeaderExtension extensions[] = {{1, base::as_bytes("0")}, {4, base::as_bytes("\x12\x34")}};
  const std::uint32_t csrcs[] = {77};
  RtpHeader header;
  header.marker = true;
  header.payload_type = 96;
  header.sequence_number = 4242;
  header.timestamp = 123456;
  header.ssrc = 0x1111;
  header.csrcs = csrcs;
  header.extensions = extensions;
  std::array<std::uint8_t, 200> original_bytes{};
  const auto original = RtpPacket::parse(*write_rtp(header, base::as_bytes("the payload"), original_bytes));
  REQUIRE(original.ok());
  std::array<std::uint8_t, 200> rtx_bytes{};
  auto rtx_written = write_rtx(*original, 97, 0x2222, 7, rtx_bytes);
  REQUIRE(rtx_written.ok());
  const auto rtx = RtpPacket::parse(*rtx_written);
  REQUIRE(rtx.ok());
  CHECK(rtx->payload_type() == 97);
  CHECK(rtx->ssrc() == 0x2222);
  CHECK(rtx->sequence_number() == 7);
  CHECK(rtx->timestamp() == 123456);
  const auto carried = parse_rtx(*rtx);
  REQUIRE(carried.ok());
  CHECK(carried->original_sequence == 4242);
  CHECK(base::as_string_view(carried->payload) == "the payload");
  std::array<std::uint8_t, 200> restored_bytes{};
  auto restored = restore_from_rtx(*rtx, 96, 0x1111, restored_bytes);
  REQUIRE(restored.ok());
  CHECK(base::bytes_equal(*restored, original->bytes()));
  CHECK(parse_rtx(*RtpPacket::parse(rtp(1, 0, "x"))).error().code == base::ErrorCode::kTruncated);
}

TEST_CASE("the NACK tracker asks at once, again each RTT, and gives up by retries, age or width", "[repair][nack]") {
  NackConfig config;
  config.max_retries = 3;
  config.max_age = base::Duration::milliseconds(1000);
  config.max_missing = 50;
  NackTracker tracker(config);
  std::array<std::uint16_t, 64> out{};
  const auto rtt = base::Duration::milliseconds(100);
  tracker.on_packet(ms(0), 65534);
  tracker.on_packet(ms(1), 2);  // 65535, 0, 1 missing (across the wrap)
  CHECK(tracker.missing() == 3);
  REQUIRE(tracker.poll(ms(1), rtt, out) == 3);
  CHECK(std::vector<std::uint16_t>(out.begin(), out.begin() + 3) == std::vector<std::uint16_t>{65535, 0, 1});
  CHECK(tracker.poll(ms(50), rtt, out) == 0);  // asked less than an RTT ago
  CHECK(tracker.next_poll(rtt) == ms(101));
  tracker.on_packet(ms(60), 0);  // repaired
  CHECK(tracker.recovered() == 1);
  CHECK(tracker.poll(ms(101), rtt, out) == 2);
  CHECK(tracker.poll(ms(201), rtt, out) == 2);
  CHECK(tracker.poll(ms(301), rtt, out) == 0);  // three tries each: given up
  CHECK(tracker.given_up() == 2);
  CHECK(tracker.missing() == 0);
  CHECK_FALSE(tracker.next_poll(rtt).has_value());

  tracker.on_packet(ms(400), 10);  // 3..9 missing
  CHECK(tracker.poll(ms(400), rtt, out) == 7);
  CHECK(tracker.poll(ms(1500), base::Duration::milliseconds(10), out) == 0);  // older than max_age
  CHECK(tracker.given_up() == 9);
  tracker.on_packet(ms(1600), 200);  // 189 missing: wider than max_missing, given up whole
  CHECK(tracker.missing() == 0);
  CHECK(tracker.given_up() == 9 + 189);
  tracker.on_packet(ms(1601), 150);  // old and not missing: nothing happens
  CHECK(tracker.recovered() == 1);
}

TEST_CASE("the jitter buffer releases in order, waits for repair, then skips the gap", "[repair][jitter]") {
  JitterBufferConfig config;
  config.capacity = 16;
  config.max_wait = base::Duration::milliseconds(100);
  VideoJitterBuffer buffer(config);
  std::vector<std::uint16_t> released;
  const auto take = [&](const RtpPacket& packet) { released.push_back(packet.sequence_number()); };
  for (std::uint16_t s : {65535, 0, 65534, 2}) buffer.insert(ms(0), *RtpPacket::parse(rtp(s)));
  buffer.release(ms(0), take);
  CHECK(released.empty());  // the start delay: 65534 could still come before 65535
  buffer.release(ms(20), take);
  CHECK(released == std::vector<std::uint16_t>{65534, 65535, 0});  // 1 is missing: 2 waits
  CHECK(buffer.held() == 1);
  CHECK(buffer.next_release() == ms(100));
  buffer.insert(ms(50), *RtpPacket::parse(rtp(1)));  // the retransmission arrives
  buffer.insert(ms(50), *RtpPacket::parse(rtp(1)));  // twice
  buffer.release(ms(50), take);
  CHECK(released.back() == 2);
  CHECK(buffer.dropped() == 1);
  buffer.insert(ms(60), *RtpPacket::parse(rtp(5)));
  buffer.release(ms(100), take);
  CHECK(released.back() == 2);  // 3 and 4 may still come
  buffer.release(ms(161), take);
  CHECK(released.back() == 5);  // they did not: skipped
  CHECK(buffer.gaps_skipped() == 1);
  buffer.insert(ms(170), *RtpPacket::parse(rtp(3)));  // too late now
  CHECK(buffer.dropped() == 2);
  buffer.insert(ms(170), *RtpPacket::parse(rtp(6 + 16)));  // past the window
  CHECK(buffer.dropped() == 3);
}

namespace {

// A VP8 sender and receiver joined by a link with loss, delay and jitter (reordering), in
// simulated time, with generic NACK + RTX and PLI between them.
struct LossyCall {
  struct InFlight {
    std::int64_t at_us;
    std::uint64_t order;
    bool to_receiver;
    base::Buffer bytes;
  };
  std::mt19937 random{2024};
  double loss = 0.05;
  std::int64_t delay_us = 20'000, jitter_us = 8'000;
  std::multimap<std::pair<std::int64_t, std::uint64_t>, InFlight> link;
  std::uint64_t sent_order = 0;
  std::function<bool(const base::Buffer&, bool)> drop_rule;  // extra losses chosen by a test
  int lost_to_receiver = 0;  // RTP packets (originals and RTX) the random loss took

  void send(std::int64_t now_us, bool to_receiver, base::ByteView bytes) {
    base::Buffer copy(bytes);
    if (drop_rule && drop_rule(copy, to_receiver)) return;
    if (std::uniform_real_distribution<double>(0, 1)(random) < loss) {
      lost_to_receiver += to_receiver;
      return;
    }
    const std::int64_t at = now_us + delay_us + std::uniform_int_distribution<std::int64_t>(-jitter_us, jitter_us)(random);
    link.emplace(std::make_pair(at, sent_order), InFlight{at, sent_order, to_receiver, std::move(copy)});
    ++sent_order;
  }
};

struct CallResult {
  int frames_sent = 0;
  int frames_decoded = 0;
  int key_frames = 0;
  int plis = 0;
  std::uint64_t nacked = 0;
  std::uint64_t retransmitted = 0;
  std::uint64_t recovered = 0;
  std::uint64_t given_up = 0;
  std::uint64_t gaps_skipped = 0;
  std::uint64_t frames_dropped = 0;
};

CallResult run_call(LossyCall& call, int frames, VideoCodec codec, bool rtx_enabled = true) {
  constexpr std::uint32_t kSsrc = 0x1000, kRtxSsrc = 0x2000;
  VideoEncoderConfig config;
  config.width = 160;
  config.height = 120;
  config.bitrate_kbps = 800;
  auto encoder = create_video_encoder(codec, config);
  REQUIRE(encoder.ok());
  auto decoder = create_video_decoder(codec);
  REQUIRE(decoder.ok());
  const auto packetizer = make_packetizer(codec);
  RetransmissionBuffer history;
  NackTracker nack;
  VideoJitterBuffer jitter;
  FrameAssembler assembler(codec);
  CallResult result;
  support::TestPattern pattern(160, 120);
  std::uint16_t sequence = 1000, rtx_sequence = 0;
  bool key_frame_requested = false;
  std::int64_t last_pli_us = -1'000'000;
  const auto rtt = base::Duration::milliseconds(45);
  std::array<std::uint8_t, 1500> scratch{};
  std::array<std::uint8_t, 1500> rtcp{};
  std::array<std::uint16_t, 256> lost{};

  const auto to_assembler = [&](const RtpPacket& packet) {
    auto frame = assembler.push(packet);
    if (!frame || !frame->decodable) return;
    if ((*decoder)->decode(frame->bytes).ok()) ++result.frames_decoded;
  };
  const std::int64_t frame_us = 33'333;
  std::int64_t next_frame_us = 0;
  const std::int64_t end_us = frames * frame_us + 1'000'000;
  for (std::int64_t now_us = 0; now_us < end_us; now_us += 1000) {
    const base::Instant now = base::Instant::from_nanoseconds(now_us * 1000);
    // The sender: a new frame every 33 ms.
    if (now_us >= next_frame_us && result.frames_sent < frames) {
      const int index = result.frames_sent++;
      auto encoded = (*encoder)->encode(pattern.draw(index), static_cast<std::uint32_t>(index * 3000), key_frame_requested);
      key_frame_requested = false;
      REQUIRE(encoded.ok());
      REQUIRE(encoded->has_value());
      result.key_frames += (*encoded)->key_frame;
      REQUIRE(packetizer->start((*encoded)->bytes, (*encoded)->key_frame, 400).ok());
      std::array<std::uint8_t, 400> payload{};
      while (auto next = packetizer->next(payload)) {
        RtpHeader header;
        header.payload_type = 96;
        header.sequence_number = sequence++;
        header.timestamp = static_cast<std::uint32_t>(index * 3000);
        header.ssrc = kSsrc;
        header.marker = packetizer->last_was_final();
        auto bytes = write_rtp(header, *next, scratch);
        REQUIRE(bytes.ok());
        history.store(now, *RtpPacket::parse(*bytes));
        call.send(now_us, true, *bytes);
      }
      next_frame_us += frame_us;
    }
    // Deliveries due now.
    while (!call.link.empty() && call.link.begin()->first.first <= now_us) {
      LossyCall::InFlight item = std::move(call.link.begin()->second);
      call.link.erase(call.link.begin());
      if (item.to_receiver) {
        auto packet = RtpPacket::parse(item.bytes);
        REQUIRE(packet.ok());
        if (packet->ssrc() == kRtxSsrc) {
          auto restored = restore_from_rtx(*packet, 96, kSsrc, scratch);
          REQUIRE(restored.ok());
          auto original = RtpPacket::parse(*restored);
          nack.on_packet(now, original->sequence_number());
          jitter.insert(now, *original);
        } else {
          nack.on_packet(now, packet->sequence_number());
          jitter.insert(now, *packet);
        }
        continue;
      }
      // The sender gets RTCP: NACKs answered from history by RTX, PLIs by a key frame.
      auto reader = RtcpReader::parse(item.bytes);
      REQUIRE(reader.ok());
      while (auto rtcp_packet = reader->next()) {
        if (auto pli = parse_pli(*rtcp_packet)) {
          key_frame_requested = true;
          continue;
        }
        auto request = parse_nack(*rtcp_packet);
        REQUIRE(request.ok());
        request->for_each_lost([&](std::uint16_t s) {
          const auto stored = history.find(now, s);
          if (!stored || !rtx_enabled) return;
          auto rtx = write_rtx(*RtpPacket::parse(*stored), 97, kRtxSsrc, rtx_sequence++, scratch);
          REQUIRE(rtx.ok());
          ++result.retransmitted;
          call.send(now_us, true, *rtx);
        });
      }
    }
    // The receiver: release what can go on, ask for what is missing, ask for a key frame.
    jitter.release(now, to_assembler);
    const std::size_t count = nack.poll(now, rtt, lost);
    if (count > 0) {
      RtcpWriter writer(rtcp);
      write_nack(writer, 1, kSsrc, {lost.data(), count});
      result.nacked += count;
      call.send(now_us, false, *writer.finish());
    }
    // A key frame is asked for once a stream exists and a loss broke its chain (at most
    // every 200 ms: the answer needs a round trip and a frame).
    if (assembler.needs_key_frame() && now_us - last_pli_us > 200'000 && assembler.frames_completed() > 0) {
      RtcpWriter writer(rtcp);
      write_pli(writer, 1, kSsrc);
      ++result.plis;
      last_pli_us = now_us;
      call.send(now_us, false, *writer.finish());
    }
  }
  result.recovered = nack.recovered();
  result.given_up = nack.given_up();
  result.gaps_skipped = jitter.gaps_skipped();
  result.frames_dropped = assembler.frames_dropped();
  return result;
}

}  // namespace

TEST_CASE("with 5% loss and reordering, NACK and RTX repair every video frame", "[repair][video][sim]") {
  const VideoCodec codec = GENERATE(VideoCodec::kVp8, VideoCodec::kH264, VideoCodec::kVp9, VideoCodec::kAv1);
  INFO(to_string(codec));
  LossyCall call;
  const CallResult result = run_call(call, 150, codec);
  INFO("decoded " << result.frames_decoded << "/" << result.frames_sent << ", nacked " << result.nacked << ", rtx "
                  << result.retransmitted << ", recovered " << result.recovered << ", plis " << result.plis << ", given up "
                  << result.given_up << ", gaps skipped " << result.gaps_skipped << ", frames dropped " << result.frames_dropped);
  INFO("packets lost on the way to the receiver " << call.lost_to_receiver);
  CHECK(call.lost_to_receiver >= 5);
  CHECK(result.retransmitted >= static_cast<std::uint64_t>(call.lost_to_receiver) / 2);
  CHECK(result.recovered >= result.retransmitted / 2);
  // Every frame but perhaps the last: if the last packet of the stream is lost, no later
  // packet shows the gap, so nothing asks for it (here it was).
  CHECK(result.frames_decoded >= result.frames_sent - 1);
  CHECK(result.given_up == 0);
  CHECK(result.gaps_skipped == 0);
  CHECK(result.frames_dropped == 0);
  CHECK(result.plis == 0);
}

TEST_CASE("a key frame lost beyond repair is replaced: PLI brings a new one", "[repair][video][sim]") {
  const VideoCodec codec = GENERATE(VideoCodec::kVp8, VideoCodec::kH264, VideoCodec::kVp9, VideoCodec::kAv1);
  INFO(to_string(codec));
  LossyCall call;
  call.loss = 0;
  // Every packet of frame 30 (timestamp 90000) is lost, retransmissions included.
  call.drop_rule = [](const base::Buffer& bytes, bool to_receiver) {
    if (!to_receiver) return false;
    const auto packet = RtpPacket::parse(bytes);
    return packet.ok() && packet->timestamp() == 90000;
  };
  const CallResult result = run_call(call, 90, codec);
  INFO("decoded " << result.frames_decoded << "/" << result.frames_sent << ", plis " << result.plis << ", key frames "
                  << result.key_frames);
  // Lost: frame 30, the frames queued behind its gap while the jitter buffer waited for a
  // repair (max_wait, 300 ms = 9 frames), and those sent before the PLI's key frame came.
  CHECK(result.plis == 1);
  CHECK(result.key_frames == 2);
  CHECK(result.frames_decoded >= 74);
  CHECK(result.frames_decoded < 89);
}
