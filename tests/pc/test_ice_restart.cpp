// ICE restarts between two sans-IO PeerConnections over the simulated network: W3C
// restartIce() on either side, a peer's restart offer, rollbacks of both, and a restart
// nobody answers. The call is a reliable channel carrying numbered messages throughout;
// none may be lost, duplicated or reordered, and DTLS must never shake hands again.
#include <catch2/catch.hpp>

#include "dtls/endpoint.h"
#include "pc_harness.h"
#include "sdp/candidate.h"

using namespace rtcstack;
using base::Duration;
using pc::DataChannelState;
using testing::labelled;
using testing::PcPair;

namespace {

base::SocketAddress address(const char* text) { return *base::SocketAddress::parse(text); }

// A call from a to b on a reliable channel and a video transceiver; run_for() keeps
// numbered messages and RTP packets flowing from a every 20 ms, and all_received() says
// whether b got every message, in order.
struct Call {
  explicit Call(std::uint64_t seed, pc::Configuration b_configuration = {}) : pair(seed, {}, std::move(b_configuration)) {
    channel = *pair.a.pc().create_data_channel(labelled("call"));
    video = *pair.a.pc().add_transceiver(pc::MediaKind::kVideo, pc::RtpTransceiverDirection::kSendOnly);
    pair.b.on_event = [this](const pc::Event& event) {
      if (std::holds_alternative<pc::RtpPacketEvent>(event)) ++rtp_received;
    };
    pair.a.on_event = [this](const pc::Event& event) {
      if (const auto* change = std::get_if<pc::SelectedCandidatePairChangeEvent>(&event)) {
        selected_remote.push_back(sdp::Candidate::parse(change->remote)->address);
      }
    };
    pair.negotiate(pair.a);
    REQUIRE(pair.run([&] { return pair.a.is(channel, DataChannelState::kOpen) && !pair.b.incoming.empty(); }));
  }

  void run_for(Duration duration) {
    const base::Instant end = pair.network.now() + duration;
    while (pair.network.now() < end) {
      if (pair.a.pc().send(channel, std::to_string(sent)).ok()) ++sent;
      const std::uint8_t frame[100] = {0x10};  // a VP8 payload descriptor and some bytes
      if (pair.a.pc().send_rtp(video, frame, static_cast<std::uint32_t>(rtp_sent * 3000), true).ok()) ++rtp_sent;
      pair.a.drain();
      pair.network.run_for(Duration::milliseconds(20));
    }
  }
  /// Every message sent so far arrived at b once, in order.
  bool all_received() {
    const auto& got = pair.b.messages[pair.b.incoming.begin()->first];
    if (got.size() != sent) return false;
    for (std::size_t i = 0; i < got.size(); ++i) {
      if (base::as_string_view(got[i]) != std::to_string(i)) return false;
    }
    return true;
  }
  bool states_include(const std::vector<std::string>& states, const std::string& state) const {
    return std::find(states.begin(), states.end(), state) != states.end();
  }

  PcPair pair;
  pc::ChannelHandle channel = 0;
  pc::TransceiverHandle video = 0;
  std::size_t sent = 0;
  std::size_t rtp_sent = 0, rtp_received = 0;
  std::vector<std::string> selected_remote;  // a's selected pair's remote IP, at each change
};

}  // namespace

TEST_CASE("restart_ice() moves a call off a path that died: new credentials, new pair, nothing lost, no new DTLS",
          "[pc][restart]") {
  // b has two addresses; the call starts on one of them, then that path goes dark.
  pc::Configuration b_configuration;
  b_configuration.ice.host_addresses = {address("192.0.2.2:40000"), address("192.0.2.3:40000")};
  Call call(81, b_configuration);
  call.run_for(Duration::milliseconds(500));
  REQUIRE(call.selected_remote.size() == 1);
  const std::string first = call.selected_remote.back();
  const std::string other = first == "192.0.2.2" ? "192.0.2.3" : "192.0.2.2";
  const dtls::Endpoint* a_dtls = call.pair.a.pc().dtls();
  const dtls::Endpoint* b_dtls = call.pair.b.pc().dtls();
  const std::string a_ufrag = call.pair.a.pc().local_ufrag(), b_ufrag = call.pair.b.pc().local_ufrag();

  testing::LinkConditions dark;
  dark.loss = 1.0;
  call.pair.network.set_link_both_ways(*base::IpAddress::parse("192.0.2.1"), *base::IpAddress::parse(first), dark);
  call.run_for(Duration::seconds(1));
  const std::size_t rtp_before = call.rtp_received;
  call.pair.a.pc().restart_ice();
  const auto offer = call.pair.a.pc().create_offer();
  REQUIRE(offer.ok());
  CHECK(offer->sdp.find("a=ice-ufrag:" + a_ufrag) == std::string::npos);
  REQUIRE(call.pair.a.pc().set_local_description(call.pair.network.now(), *offer).ok());
  REQUIRE(call.pair.b.pc().set_remote_description(call.pair.network.now(), *offer).ok());
  const auto answer = call.pair.b.pc().create_answer();
  REQUIRE(answer.ok());
  CHECK(answer->sdp.find("a=ice-ufrag:" + b_ufrag) == std::string::npos);  // the answerer restarts too
  REQUIRE(call.pair.b.pc().set_local_description(call.pair.network.now(), *answer).ok());
  REQUIRE(call.pair.a.pc().set_remote_description(call.pair.network.now(), *answer).ok());
  call.pair.a.drain();
  call.pair.b.drain();
  call.run_for(Duration::seconds(2));

  CHECK(call.pair.a.pc().local_ufrag() != a_ufrag);
  CHECK(call.pair.b.pc().local_ufrag() != b_ufrag);
  REQUIRE(call.selected_remote.size() == 2);
  CHECK(call.selected_remote.back() == other);
  // What was sent into the dark path came over the new one (SCTP retransmitted it).
  REQUIRE(call.pair.run([&] { return call.all_received(); }, Duration::seconds(5)));
  CHECK(call.sent > 150);
  // Media sent into the dark path is lost (RTP is not retransmitted here); over the new
  // path it flows again: most of the last two seconds' 100 packets.
  CHECK(call.rtp_received > rtp_before + 80);
  CHECK(call.pair.a.pc().dtls() == a_dtls);
  CHECK(call.pair.b.pc().dtls() == b_dtls);
  CHECK(call.pair.a.connection == std::vector<std::string>{"connecting", "connected"});
  CHECK(call.pair.b.connection == std::vector<std::string>{"connecting", "connected"});
  CHECK(call.pair.a.gathering == std::vector<std::string>{"gathering", "complete", "gathering", "complete"});
}

TEST_CASE("the peer's restart offer is answered with new credentials; the call does not pause", "[pc][restart]") {
  Call call(82);
  call.run_for(Duration::milliseconds(500));
  const std::string a_ufrag = call.pair.a.pc().local_ufrag(), b_ufrag = call.pair.b.pc().local_ufrag();
  call.pair.b.pc().restart_ice();
  call.pair.negotiate(call.pair.b);
  CHECK(call.pair.a.pc().local_ufrag() != a_ufrag);
  CHECK(call.pair.b.pc().local_ufrag() != b_ufrag);
  call.run_for(Duration::seconds(2));
  CHECK(call.selected_remote.size() == 2);  // the same addresses, selected again through new checks
  // The old pair carried the call until then: every message arrived within the next
  // round trip, none waited for a retransmission, and every RTP packet came through SRTP
  // with the keys of the one DTLS handshake.
  CHECK(call.all_received());
  CHECK(call.rtp_sent > 100);
  CHECK(call.rtp_received == call.rtp_sent);
  CHECK(call.pair.a.connection == std::vector<std::string>{"connecting", "connected"});
  CHECK_FALSE(call.states_include(call.pair.a.ice_connection, "disconnected"));
  CHECK_FALSE(call.states_include(call.pair.b.ice_connection, "disconnected"));
  // A later renegotiation without restart_ice() keeps the new credentials.
  const std::string restarted = call.pair.a.pc().local_ufrag();
  call.pair.negotiate(call.pair.a);
  CHECK(call.pair.a.pc().local_ufrag() == restarted);
}

TEST_CASE("a rolled-back restart returns to the old credentials and the call goes on", "[pc][restart]") {
  Call call(83);
  call.run_for(Duration::milliseconds(500));
  const std::string a_ufrag = call.pair.a.pc().local_ufrag(), b_ufrag = call.pair.b.pc().local_ufrag();
  const auto now = [&] { return call.pair.network.now(); };

  SECTION("our own restart offer, rolled back") {
    call.pair.a.pc().restart_ice();
    REQUIRE(call.pair.a.pc().set_local_description(now(), *call.pair.a.pc().create_offer()).ok());
    CHECK(call.pair.a.pc().local_ufrag() != a_ufrag);
    REQUIRE(call.pair.a.pc().set_local_description(now(), {pc::SdpType::kRollback, ""}).ok());
    CHECK(call.pair.a.pc().local_ufrag() == a_ufrag);
    call.pair.a.drain();
    // The restart is still wanted: the next offer carries new credentials.
    const auto again = call.pair.a.pc().create_offer();
    REQUIRE(again.ok());
    CHECK(again->sdp.find("a=ice-ufrag:" + a_ufrag) == std::string::npos);
  }
  SECTION("the peer's restart offer, rolled back on both sides (glare)") {
    call.pair.b.pc().restart_ice();
    const auto offer = call.pair.b.pc().create_offer();
    REQUIRE(call.pair.b.pc().set_local_description(now(), *offer).ok());
    REQUIRE(call.pair.a.pc().set_remote_description(now(), *offer).ok());
    CHECK(call.pair.a.pc().local_ufrag() != a_ufrag);
    REQUIRE(call.pair.a.pc().set_remote_description(now(), {pc::SdpType::kRollback, ""}).ok());
    REQUIRE(call.pair.b.pc().set_local_description(now(), {pc::SdpType::kRollback, ""}).ok());
    CHECK(call.pair.a.pc().local_ufrag() == a_ufrag);
    CHECK(call.pair.b.pc().local_ufrag() == b_ufrag);
    call.pair.a.drain();
    call.pair.b.drain();
  }
  // Past the old pair's consent expiry: checks with the old credentials found it again.
  call.run_for(Duration::seconds(40));
  CHECK(call.pair.a.connected());
  CHECK(call.pair.b.connected());
  CHECK(call.all_received());
  CHECK(call.pair.a.connection == std::vector<std::string>{"connecting", "connected"});
}

TEST_CASE("a restart the peer never answers: disconnected without consent, failed when it expires", "[pc][restart]") {
  Call call(84);
  call.run_for(Duration::milliseconds(500));
  const base::Instant restarted = call.pair.network.now();
  call.pair.a.pc().restart_ice();
  REQUIRE(call.pair.a.pc().set_local_description(restarted, *call.pair.a.pc().create_offer()).ok());
  call.pair.a.drain();
  // The offer never reaches b: b's consent checks name a's old ufrag and go unanswered,
  // and a has no credentials of b's to check with.
  REQUIRE(call.pair.run([&] { return call.pair.a.pc().connection_state() == pc::PeerConnectionState::kDisconnected; }));
  CHECK(call.pair.network.now() - restarted < Duration::seconds(9));
  REQUIRE(call.pair.run([&] { return call.pair.a.pc().connection_state() == pc::PeerConnectionState::kFailed; },
                        Duration::seconds(40)));
  CHECK(call.pair.network.now() - restarted < Duration::seconds(31));
  CHECK(call.pair.a.pc().ended());
}
