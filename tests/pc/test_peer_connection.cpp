// Two sans-IO PeerConnections over the simulated network: JSEP, ICE -> DTLS -> SCTP, data
// channels, loss, consent, renegotiation, errors that change nothing.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "dtls/endpoint.h"
#include "pc_harness.h"
#include "sdp/session_description.h"
#include "pcapng.h"

using namespace rtcstack;
using pc::SdpType;
using pc::DataChannelState;
using testing::labelled;
using testing::PcPair;

namespace {

std::string text(const base::Buffer& buffer) { return std::string(base::as_string_view(buffer)); }

const base::IpAddress& ip_a() {
  static const base::IpAddress ip = *base::IpAddress::parse("192.0.2.1");
  return ip;
}
const base::IpAddress& ip_b() {
  static const base::IpAddress ip = *base::IpAddress::parse("192.0.2.2");
  return ip;
}

}  // namespace

TEST_CASE("two PeerConnections connect with trickle ICE and exchange on data channels", "[pc]") {
  PcPair pair(1);
  const auto chat = *pair.a.pc().create_data_channel(labelled("chat"));
  pc::DataChannelInit fixed = labelled("fixed");
  fixed.negotiated = true;
  fixed.id = 9;
  const auto a_fixed = *pair.a.pc().create_data_channel(fixed);
  const auto b_fixed = *pair.b.pc().create_data_channel(fixed);
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected() && !pair.b.incoming.empty() &&
                                pair.a.is(chat, DataChannelState::kOpen); }));

  CHECK(pair.a.signaling == std::vector<std::string>{"have-local-offer", "stable"});
  CHECK(pair.b.signaling == std::vector<std::string>{"have-remote-offer", "stable"});
  CHECK(pair.a.connection == std::vector<std::string>{"connecting", "connected"});
  CHECK(pair.b.connection == std::vector<std::string>{"connecting", "connected"});
  CHECK(pair.a.gathering == std::vector<std::string>{"gathering", "complete"});
  CHECK(pair.a.pc().dtls()->state() == dtls::State::kConnected);
  // The answerer chose a=setup:active, so it is the DTLS client: even stream ids.
  CHECK(*pair.a.pc().channel_id(chat) % 2 == 1);

  const auto [b_chat, init] = *pair.b.incoming.begin();
  CHECK(init.label == "chat");
  REQUIRE(pair.a.pc().send(chat, "hello from a").ok());
  REQUIRE(pair.b.pc().send(b_chat, "hello from b").ok());
  REQUIRE(pair.b.pc().send(b_fixed, std::vector<std::uint8_t>{0, 1}, true).ok());
  pair.a.drain();
  pair.b.drain();
  REQUIRE(pair.run([&] { return pair.b.messages[b_chat].size() == 1 && pair.a.messages[chat].size() == 1 &&
                                pair.a.messages[a_fixed].size() == 1; }));
  CHECK(text(pair.b.messages[b_chat][0]) == "hello from a");
  CHECK(text(pair.a.messages[chat][0]) == "hello from b");
  CHECK(pair.a.messages[a_fixed][0].size() == 2);
}

TEST_CASE("non-trickle: complete descriptions carry the candidates", "[pc]") {
  PcPair pair(2);
  pair.a.trickle = false;
  pair.b.trickle = false;
  const auto channel = *pair.a.pc().create_data_channel(labelled("x"));
  const base::Instant now = pair.network.now();
  REQUIRE(pair.a.pc().set_local_description(now, *pair.a.pc().create_offer()).ok());
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.a.pc().ice_gathering_state() == pc::IceGatheringState::kComplete; }));
  const auto offer = *pair.a.pc().local_description();
  CHECK(offer.sdp.find("a=candidate:") != std::string::npos);
  CHECK(offer.sdp.find("a=end-of-candidates") != std::string::npos);
  REQUIRE(pair.b.pc().set_remote_description(pair.network.now(), offer).ok());
  REQUIRE(pair.b.pc().set_local_description(pair.network.now(), *pair.b.pc().create_answer()).ok());
  pair.b.drain();
  REQUIRE(pair.run([&] { return pair.b.pc().ice_gathering_state() == pc::IceGatheringState::kComplete; }));
  REQUIRE(pair.a.pc().set_remote_description(pair.network.now(), *pair.b.pc().local_description()).ok());
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected() && pair.a.is(channel, DataChannelState::kOpen); }));
}

TEST_CASE("bad SDP and calls in the wrong state fail with a reason and change nothing", "[pc]") {
  PcPair pair(3);
  auto& a = pair.a.pc();
  const base::Instant now = pair.network.now();
  CHECK(a.create_answer().error().code == base::ErrorCode::kWrongState);
  CHECK(a.set_remote_description(now, {SdpType::kAnswer, "v=0\r\n"}).error().code == base::ErrorCode::kWrongState);
  const auto garbage = a.set_remote_description(now, {SdpType::kOffer, "v=0\r\nthis is not sdp\r\n"});
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().code == base::ErrorCode::kMalformed);
  CHECK_THAT(garbage.error().message, Catch::Contains("line"));
  // A well-formed offer without a data section.
  const auto audio_only = a.set_remote_description(
      now, {SdpType::kOffer, "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                             "a=mid:0\r\na=rtpmap:111 opus/48000/2\r\n"});
  CHECK(audio_only.error().code == base::ErrorCode::kInvalidArgument);
  CHECK(a.signaling_state() == pc::SignalingState::kStable);
  CHECK_FALSE(a.remote_description().has_value());
  CHECK(pair.a.signaling.empty());

  auto offer = *a.create_offer();
  auto munged = offer;
  munged.sdp.replace(munged.sdp.find("a=sctp-port:5000"), 16, "a=sctp-port:5001");
  CHECK(a.set_local_description(now, munged).error().code == base::ErrorCode::kInvalidArgument);
  REQUIRE(a.set_local_description(now, offer).ok());
  CHECK(a.signaling_state() == pc::SignalingState::kHaveLocalOffer);
  CHECK(a.set_remote_description(now, offer).error().code == base::ErrorCode::kWrongState);  // offer in have-local-offer
  // An answer that does not choose a DTLS role is refused.
  auto actpass_answer = offer;
  actpass_answer.type = SdpType::kAnswer;
  CHECK(a.set_remote_description(now, actpass_answer).error().code == base::ErrorCode::kInvalidArgument);
  CHECK(a.signaling_state() == pc::SignalingState::kHaveLocalOffer);
  // Rollback, then the exchange works as if nothing happened.
  REQUIRE(a.set_local_description(now, {SdpType::kRollback, ""}).ok());
  CHECK(a.signaling_state() == pc::SignalingState::kStable);
  CHECK(a.set_local_description(now, {SdpType::kRollback, ""}).error().code == base::ErrorCode::kWrongState);
  const auto channel = *a.create_data_channel(labelled("after rollback"));
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.a.is(channel, DataChannelState::kOpen); }));
}

TEST_CASE("ICE credentials that are not ice-chars make no offer: the description would be unreadable", "[pc]") {
  pc::Configuration configuration;
  configuration.ice.credentials = {"bad ufrag", "0123456789abcdefghijklmnop"};  // a space is not an ice-char
  PcPair pair(31, configuration);
  REQUIRE(pair.a.pc().create_data_channel(labelled("x")).ok());
  const auto offer = pair.a.pc().create_offer();
  REQUIRE_FALSE(offer.ok());
  CHECK(offer.error().code == base::ErrorCode::kInvalidArgument);
  CHECK_THAT(offer.error().message, Catch::Contains("ice-ufrag"));
  CHECK(pair.a.pc().signaling_state() == pc::SignalingState::kStable);
}

TEST_CASE("a connection over a lossy, reordering link carries 1 MiB", "[pc]") {
  PcPair pair(4);
  testing::LinkConditions link;
  link.delay = base::Duration::milliseconds(25);
  link.jitter = base::Duration::milliseconds(5);
  link.loss = 0.10;
  link.reorder = 0.05;
  pair.network.set_link_both_ways(ip_a(), ip_b(), link);
  const auto channel = *pair.a.pc().create_data_channel(labelled("bulk"));
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.is(channel, DataChannelState::kOpen) && !pair.b.incoming.empty(); }, base::Duration::seconds(60)));
  const auto b_channel = pair.b.incoming.begin()->first;
  std::size_t received = 0;
  pair.b.on_event = [&](const pc::Event& event) {
    if (const auto* message = std::get_if<pc::MessageEvent>(&event)) received += message->data.size();
  };
  const std::vector<std::uint8_t> message(64 * 1024, 0x42);
  for (int i = 0; i < 16; ++i) REQUIRE(pair.a.pc().send(channel, message, true).ok());
  pair.a.drain();
  REQUIRE(pair.run([&] { return received == 16 * message.size(); }, base::Duration::seconds(120)));
  CHECK(pair.b.messages[b_channel].size() == 16);
}

TEST_CASE("losing the path: disconnected, then failed when consent expires", "[pc]") {
  PcPair pair(5);
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  testing::LinkConditions cut;
  cut.loss = 1.0;
  pair.network.set_link_both_ways(ip_a(), ip_b(), cut);
  REQUIRE(pair.run([&] { return pair.a.pc().connection_state() == pc::PeerConnectionState::kDisconnected; }));
  REQUIRE(pair.run([&] { return pair.a.pc().connection_state() == pc::PeerConnectionState::kFailed; },
                   base::Duration::seconds(60)));
  CHECK(pair.a.connection.back() == "failed");
  CHECK_FALSE(pair.a.failure_reason.empty());
}

TEST_CASE("renegotiation keeps the transport and the DTLS roles", "[pc]") {
  PcPair pair(6);
  const auto first = *pair.a.pc().create_data_channel(labelled("first"));
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.is(first, DataChannelState::kOpen); }));
  const auto* dtls_before = pair.a.pc().dtls();
  // The other side offers this time; nothing restarts.
  pair.negotiate(pair.b);
  const auto second = *pair.b.pc().create_data_channel(labelled("second"));
  pair.b.drain();
  REQUIRE(pair.run([&] { return pair.b.is(second, DataChannelState::kOpen) && pair.a.incoming.size() == 1; }));
  CHECK(pair.a.pc().dtls() == dtls_before);
  CHECK(pair.a.signaling.back() == "stable");
  CHECK(pair.b.pc().local_description()->sdp.find("a=setup:active") != std::string::npos);  // b stays the client
  CHECK(pair.a.connection == std::vector<std::string>{"connecting", "connected"});
}

TEST_CASE("close() ends everything quietly here and closes the peer's channels", "[pc]") {
  PcPair pair(7);
  const auto channel = *pair.a.pc().create_data_channel(labelled("x"));
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.is(channel, DataChannelState::kOpen) && !pair.b.incoming.empty(); }));
  const auto b_channel = pair.b.incoming.begin()->first;
  const auto events_before = pair.a.connection.size();
  pair.a.pc().close();
  pair.a.drain();
  CHECK(pair.a.pc().connection_state() == pc::PeerConnectionState::kClosed);
  CHECK(pair.a.pc().signaling_state() == pc::SignalingState::kClosed);
  CHECK(pair.a.connection.size() == events_before);  // no events after close()
  CHECK(pair.a.pc().create_offer().error().code == base::ErrorCode::kWrongState);
  REQUIRE(pair.run([&] { return pair.b.is(b_channel, DataChannelState::kClosed); }));
}

TEST_CASE("an answer to Chromium's audio+video+data offer takes the data and receives the media", "[pc]") {
  std::ifstream file(testing::test_data_path("sdp/chromium-offer-av-data.sdp"));
  std::stringstream contents;
  contents << file.rdbuf();
  REQUIRE_FALSE(contents.str().empty());
  base::SeededRandom random(8);
  pc::Configuration configuration;
  configuration.ice.host_addresses = {*base::SocketAddress::parse("192.0.2.1:4000")};
  auto peer = std::move(pc::PeerConnection::create(configuration, random)).value();
  const base::Instant now{};
  REQUIRE(peer->set_remote_description(now, {SdpType::kOffer, contents.str()}).ok());
  // W3C: each offered audio and video section gets a recvonly transceiver and a track.
  std::vector<pc::TrackEvent> tracks;
  while (true) {
    pc::Output output = peer->poll_output();
    if (std::holds_alternative<pc::Timeout>(output)) break;
    if (auto* event = std::get_if<pc::Event>(&output)) {
      if (auto* track = std::get_if<pc::TrackEvent>(event)) tracks.push_back(*track);
    }
  }
  REQUIRE(tracks.size() == 2);
  const auto answer = peer->create_answer();
  REQUIRE(answer.ok());
  const auto parsed = sdp::SessionDescription::parse(answer->sdp);
  REQUIRE(parsed.ok());
  const auto offer = *sdp::SessionDescription::parse(contents.str());
  REQUIRE(parsed->media.size() == offer.media.size());
  std::vector<std::string> mids;
  for (std::size_t i = 0; i < offer.media.size(); ++i) {
    CHECK(parsed->media[i].mid() == offer.media[i].mid());
    mids.emplace_back(*offer.media[i].mid());
    CHECK(parsed->media[i].media_line.port != 0);
    CHECK(parsed->media[i].setup() == sdp::Setup::kActive);
    if (offer.media[i].media_line.media == "application") {
      CHECK(parsed->media[i].sctp_port() == 5000);
    } else {
      CHECK(parsed->media[i].direction() == pc::RtpTransceiverDirection::kRecvOnly);
      CHECK(parsed->media[i].rtpmaps().size() >= 1);
      CHECK(parsed->media[i].ssrcs().empty());  // nothing to send
    }
  }
  REQUIRE(parsed->bundle_group().has_value());
  CHECK(parsed->bundle_group()->mids == mids);
  REQUIRE(peer->set_local_description(now, *answer).ok());
  CHECK(peer->signaling_state() == pc::SignalingState::kStable);
}

TEST_CASE("offers from Chromium, aiortc, Pion and werift with a data section are answered", "[pc]") {
  for (const char* name : {"aiortc-maxbundle-offer-0", "aiortc-offer-1", "aiortc-offer-3", "chromium-offer-0",
                           "chromium-offer-1", "chromium-offer-3", "pion-offer-0", "pion-offer-3", "werift-offer-0",
                           "werift-offer-3"}) {
    INFO(name);
    std::ifstream file(testing::test_data_path(std::string("sdp/") + name + ".sdp"));
    std::stringstream contents;
    contents << file.rdbuf();
    REQUIRE_FALSE(contents.str().empty());
    base::SeededRandom random(9);
    pc::Configuration configuration;
    configuration.ice.host_addresses = {*base::SocketAddress::parse("192.0.2.1:4000")};
    auto peer = std::move(pc::PeerConnection::create(configuration, random)).value();
    REQUIRE(peer->set_remote_description(base::Instant{}, {SdpType::kOffer, contents.str()}).ok());
    const auto answer = peer->create_answer();
    REQUIRE(answer.ok());
    REQUIRE(sdp::SessionDescription::parse(answer->sdp).ok());
    REQUIRE(peer->set_local_description(base::Instant{}, *answer).ok());
    CHECK(peer->signaling_state() == pc::SignalingState::kStable);
  }
}

TEST_CASE("Chromium's active TCP candidates are kept, never checked; our TCP candidates are signalled with tcptype",
          "[pc][tcp]") {
  std::ifstream file(testing::test_data_path("sdp/chromium-offer-0.sdp"));
  std::stringstream contents;
  contents << file.rdbuf();
  REQUIRE(contents.str().find("tcptype active") != std::string::npos);
  base::SeededRandom random(9);
  pc::Configuration configuration;
  configuration.ice.host_addresses = {*base::SocketAddress::parse("127.0.0.1:4000")};
  configuration.ice.tcp_listen_addresses = {*base::SocketAddress::parse("127.0.0.1:4001")};
  configuration.ice.tcp_active_addresses = {base::IpAddress::v4(127, 0, 0, 1)};
  configuration.ice.allow_loopback = true;
  auto peer = std::move(pc::PeerConnection::create(configuration, random)).value();
  REQUIRE(peer->set_remote_description(base::Instant{}, {SdpType::kOffer, contents.str()}).ok());
  const auto answer = peer->create_answer();
  REQUIRE(answer.ok());
  REQUIRE(peer->set_local_description(base::Instant{}, *answer).ok());
  const std::string local = peer->local_description()->sdp;
  CHECK(local.find(" tcp ") != std::string::npos);
  CHECK(local.find("127.0.0.1 4001 typ host tcptype passive") != std::string::npos);
  CHECK(local.find("127.0.0.1 9 typ host tcptype active") != std::string::npos);
  int tcp_remote = 0;
  for (const pc::Stats& stats : peer->get_stats(base::Instant{})) {
    if (stats.type == "remote-candidate" && std::get<std::string>(*stats.get("protocol")) == "tcp") {
      ++tcp_remote;
      CHECK(std::get<std::string>(*stats.get("tcpType")) == "active");
      CHECK(std::get<std::uint64_t>(*stats.get("port")) == 9);
    }
  }
  CHECK(tcp_remote >= 1);
  // A remote active candidate is reached only over the connection it opens: no pair yet,
  // and a TCP candidate without tcptype is refused.
  CHECK(peer->add_ice_candidate(base::Instant{}, "candidate:1 1 tcp 1518214911 127.0.0.1 5000 typ host").error().code ==
        base::ErrorCode::kInvalidArgument);
}

TEST_CASE("get_stats() reports transport, pairs, candidates, certificates and channels by W3C names", "[pc]") {
  PcPair pair(10);
  const auto channel = *pair.a.pc().create_data_channel(labelled("stats"));
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.is(channel, DataChannelState::kOpen) && !pair.b.incoming.empty(); }));
  REQUIRE(pair.a.pc().send(channel, "12345").ok());
  pair.a.drain();
  const auto b_channel = pair.b.incoming.begin()->first;
  REQUIRE(pair.run([&] { return pair.b.messages[b_channel].size() == 1; }));

  const auto report = pair.a.pc().get_stats(pair.network.now());
  auto find = [&](std::string_view id) -> const pc::Stats* {
    for (const auto& stats : report) {
      if (stats.id == id) return &stats;
    }
    return nullptr;
  };
  auto text_of = [](const pc::Stats& stats, std::string_view name) {
    const auto* value = stats.get(name);
    return value != nullptr && std::holds_alternative<std::string>(*value) ? std::get<std::string>(*value) : std::string();
  };
  const auto* transport = find("T01");
  REQUIRE(transport != nullptr);
  CHECK(transport->type == "transport");
  CHECK(text_of(*transport, "dtlsState") == "connected");
  CHECK(text_of(*transport, "iceState") == "completed");
  CHECK(text_of(*transport, "dtlsRole") == "server");  // b answered active
  CHECK(std::get<std::uint64_t>(*transport->get("bytesSent")) > 0);
  const auto* selected = find(text_of(*transport, "selectedCandidatePairId"));
  REQUIRE(selected != nullptr);
  CHECK(selected->type == "candidate-pair");
  CHECK(text_of(*selected, "state") == "succeeded");
  CHECK(std::get<bool>(*selected->get("nominated")));
  const auto* local = find(text_of(*selected, "localCandidateId"));
  const auto* remote = find(text_of(*selected, "remoteCandidateId"));
  REQUIRE(local != nullptr);
  REQUIRE(remote != nullptr);
  CHECK(text_of(*local, "address") == "192.0.2.1");
  CHECK(text_of(*remote, "address") == "192.0.2.2");
  CHECK(text_of(*local, "protocol") == "udp");
  CHECK(text_of(*local, "usernameFragment") == pair.a.pc().local_ufrag());
  CHECK(local->get("url") == nullptr);  // a host candidate comes from no server
  // The pair's own counters: the checks both ways, their round trips, the data it carried
  // (the DTLS handshake, SCTP and the message; the transport counts the checks too).
  const auto count = [&](std::string_view name) { return std::get<std::uint64_t>(*selected->get(name)); };
  CHECK(count("requestsSent") >= 1);
  CHECK(count("responsesReceived") >= 1);
  CHECK(count("requestsReceived") >= 1);
  CHECK(count("responsesSent") == count("requestsReceived"));
  CHECK(count("packetsSent") >= 3);
  CHECK(count("packetsReceived") >= 3);
  CHECK(count("bytesSent") > 5);
  CHECK(count("bytesSent") < std::get<std::uint64_t>(*transport->get("bytesSent")));
  CHECK(std::get<double>(*selected->get("totalRoundTripTime")) >= 0);
  REQUIRE(selected->get("currentRoundTripTime") != nullptr);
  const auto* certificate = find(text_of(*transport, "localCertificateId"));
  REQUIRE(certificate != nullptr);
  CHECK(text_of(*certificate, "fingerprintAlgorithm") == "sha-256");
  CHECK_FALSE(text_of(*certificate, "base64Certificate").empty());
  bool found_channel = false;
  for (const auto& stats : report) {
    if (stats.type != "data-channel") continue;
    found_channel = true;
    CHECK(text_of(stats, "label") == "stats");
    CHECK(text_of(stats, "state") == "open");
    CHECK(std::get<std::uint64_t>(*stats.get("messagesSent")) == 1);
    CHECK(std::get<std::uint64_t>(*stats.get("bytesSent")) == 5);
  }
  CHECK(found_channel);
  CHECK(std::get<std::uint64_t>(*find("P01")->get("dataChannelsOpened")) == 1);
}
