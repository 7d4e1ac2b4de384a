// Two media::RtpSessions joined back to back in simulated time, for the RTP session tests:
// each side keeps what its session sent and the events it raised.
#pragma once

#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "base/random.h"
#include "media/rtcp_packet.h"
#include "media/rtp_packet.h"
#include "media/rtp_session.h"

namespace rtcstack::media::testing {

inline base::Instant ms(std::int64_t value) { return base::Instant::from_nanoseconds(value * 1'000'000); }

constexpr StreamId kVideo = 7;
constexpr std::uint8_t kVp8 = 96, kRtx = 97, kMidId = 4;

struct Side {
  explicit Side(std::uint64_t seed, std::string cname) : random(seed), session(config(std::move(cname)), random, pool) {}
  static RtpSessionConfig config(std::string cname) {
    RtpSessionConfig config;
    config.cname = std::move(cname);
    return config;
  }
  base::SeededRandom random;
  base::BufferPool pool;
  RtpSession session;
  std::vector<OutgoingPacket> sent;
  std::vector<RtpReceived> received;
  std::vector<StreamId> key_frame_requests;
  std::vector<std::size_t> key_frame_encodings;  // beside key_frame_requests
  RtpTimeout timeout;

  void drain() {
    for (;;) {
      RtpSessionOutput output = session.poll_output();
      if (auto* t = std::get_if<RtpTimeout>(&output)) {
        timeout = *t;
        return;
      }
      if (auto* packet = std::get_if<OutgoingPacket>(&output)) {
        sent.push_back(std::move(*packet));
        continue;
      }
      auto& event = std::get<RtpSessionEvent>(output);
      if (auto* rtp = std::get_if<RtpReceived>(&event)) received.push_back(std::move(*rtp));
      if (auto* request = std::get_if<KeyFrameRequested>(&event)) {
        key_frame_requests.push_back(request->stream);
        key_frame_encodings.push_back(request->encoding);
      }
    }
  }
  std::vector<OutgoingPacket> take_sent() {
    drain();
    return std::exchange(sent, {});
  }
};

inline SendParameters video_send(bool rtx) {
  SendParameters send;
  send.codec = {kVp8, 90000, rtx ? std::optional<std::uint8_t>(kRtx) : std::nullopt};
  send.mid_extension = kMidId;
  send.mid = "1";
  return send;
}

inline ReceiveParameters video_receive() {
  ReceiveParameters receive;
  receive.codecs = {{kVp8, 90000, kRtx}};
  receive.mid_extension = kMidId;
  receive.mid = "1";
  return receive;
}

/// a sends video to b (b announces nothing: it learns a's SSRCs from the mid extension and
/// the RTX payload type); both have started.
struct Call {
  explicit Call(bool rtx = true) {
    a.session.add_stream(kVideo);
    b.session.add_stream(kVideo);
    a.session.set_send(kVideo, video_send(rtx));
    b.session.set_receive(kVideo, video_receive());
    a.session.start(ms(0));
    b.session.start(ms(0));
  }
  Side a{1, "alice"}, b{2, "bob"};
  /// Everything `from` queued reaches `to`, which queues what it answers.
  static void deliver(base::Instant at, Side& from, Side& to) {
    for (OutgoingPacket& packet : from.take_sent()) {
      if (packet.rtcp) {
        REQUIRE(to.session.handle_rtcp(at, packet.bytes));
      } else {
        REQUIRE(to.session.handle_rtp(at, std::move(packet.bytes)));
      }
    }
    to.drain();
  }
};

inline std::vector<RtcpPacket> packets_of(const OutgoingPacket& compound) {
  REQUIRE(compound.rtcp);
  auto reader = RtcpReader::parse(compound.bytes);
  REQUIRE(reader.ok());
  std::vector<RtcpPacket> packets;
  while (auto packet = reader->next()) packets.push_back(*packet);
  return packets;
}


}  // namespace rtcstack::media::testing
