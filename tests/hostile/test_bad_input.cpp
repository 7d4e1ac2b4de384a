// The bad-input catalogue: the bug classes other WebRTC stacks shipped (length fields
// that underflow or overrun, truncations, floods before a handshake, absurd counts),
// thrown at every layer from one table (catalogue.cpp). Each row must end in an error or
// a counted drop and change nothing: parsers return an error, a connected PeerConnection
// keeps its state and selected pair, counts the datagram in packetsDiscarded (records
// OpenSSL drops itself are not counted, so those rows check that nothing came out) and
// still carries data afterwards.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "catalogue.h"
#include "dtls/endpoint.h"
#include "pc_harness.h"
#include "sdp/session_description.h"
#include "srtp/session.h"

using namespace rtcstack;
using base::ErrorCode;
using testing::bytes_of;
using testing::dtls_record;
using testing::ConnectionRow;
using testing::ParserRow;


TEST_CASE("bad-input catalogue: every parser refuses every row", "[hostile]") {
  for (const ParserRow& row : testing::parser_rows()) {
    INFO(row.layer << ": " << row.name);
    const auto result = row.parse(row.bytes);
    CHECK_FALSE(result.ok());
    if (!result.ok()) CHECK_FALSE(result.error().message.empty());
  }
}

TEST_CASE("bad-input catalogue: SRTCP shorter than its minimum changes nothing", "[hostile]") {
  const srtp::Profile profile = srtp::Profile::kAes128CmSha1_80;
  const base::Buffer key(srtp::key_size(profile)), salt(srtp::salt_size(profile));
  auto sender = *srtp::Session::create(profile, srtp::Direction::kSend, key, salt);
  auto receiver = *srtp::Session::create(profile, srtp::Direction::kReceive, key, salt);
  // A receiver report of 8 bytes, protected: 8 + 4 (E and index) + 10 (tag).
  std::vector<std::uint8_t> report = {0x80, 201, 0, 1, 0, 0, 0, 7};
  report.resize(8 + srtp::kMaxOverhead);
  const auto protected_size = sender.protect_rtcp(report, 8);
  REQUIRE(protected_size.ok());
  REQUIRE(*protected_size == 22);
  for (std::size_t size = 0; size < *protected_size; ++size) {
    INFO("SRTCP of " << size << " bytes");
    std::vector<std::uint8_t> cut(report.begin(), report.begin() + static_cast<std::ptrdiff_t>(size));
    CHECK_FALSE(receiver.unprotect_rtcp(cut).ok());
  }
  // Nothing was remembered from them: the whole packet still opens, once.
  std::vector<std::uint8_t> whole(report.begin(), report.begin() + static_cast<std::ptrdiff_t>(*protected_size));
  auto again = whole;
  CHECK(receiver.unprotect_rtcp(whole).ok());
  CHECK_FALSE(receiver.unprotect_rtcp(again).ok());  // a replay
}

namespace {

// --- Connection rows: injected into b of a connected pair as if a had sent them -----

struct Connected {
  testing::PcPair pair{51};
  pc::ChannelHandle channel = 0;
  pc::TransceiverHandle audio = 0;

  Connected() {
    pc::DataChannelInit init;
    init.label = "catalogue";
    channel = *pair.a.pc().create_data_channel(init);
    audio = *pair.a.pc().add_transceiver(pc::MediaKind::kAudio, pc::RtpTransceiverDirection::kSendRecv);
    pair.negotiate(pair.a);
    REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected() && pair.a.is(channel, pc::DataChannelState::kOpen); }));
    pair.run([] { return false; }, base::Duration::milliseconds(100));
  }

  std::uint64_t transport(const char* member) {
    for (const pc::Stats& stats : pair.b.pc().get_stats(pair.network.now())) {
      if (stats.type != "transport") continue;
      if (const auto* value = stats.get(member)) return std::get<std::uint64_t>(*value);
    }
    return 0;
  }
  std::string selected_pair() {
    for (const pc::Stats& stats : pair.b.pc().get_stats(pair.network.now())) {
      if (stats.type != "transport") continue;
      if (const auto* value = stats.get("selectedCandidatePairId")) return std::get<std::string>(*value);
    }
    return {};
  }
  void inject(base::ByteView datagram) {
    pair.b.pc().handle_receive(pair.network.now(), pair.b.address(), pair.a.address(), datagram);
  }
  // A message from a still arrives at b, and b's answer at a.
  bool still_carries() {
    const std::size_t at_b = pair.b.messages.size() == 0 ? 0 : pair.b.messages.begin()->second.size();
    const std::vector<std::uint8_t> text = {'s', 't', 'i', 'l', 'l'};
    if (!pair.a.pc().send(channel, text, false)) return false;
    return pair.run([&] { return !pair.b.messages.empty() && pair.b.messages.begin()->second.size() == at_b + 1; },
                    base::Duration::seconds(5));
  }
};

}  // namespace

TEST_CASE("bad-input catalogue: a handshake message announced larger than 16 KiB fails the handshake at once",
          "[hostile]") {
  // OpenSSL would otherwise buffer fragments of up to 100 KB per message for a peer that
  // has proven nothing.
  dtls::Config config;
  config.role = dtls::Role::kServer;
  config.certificate = *dtls::Certificate::generate(dtls::KeyType::kEcdsaP256);
  dtls::Endpoint server(config);
  server.start(base::Instant{});
  base::Buffer body = bytes_of({1, 0, 0xc3, 0x50, 0, 0, 0, 0, 0, 0, 0, 100});  // ClientHello of 50 000 bytes
  body.append(base::Buffer(100));
  server.handle_receive(base::Instant{}, dtls_record(22, 0, static_cast<std::uint16_t>(body.size()), body));
  CHECK(server.state() == dtls::State::kFailed);
}

TEST_CASE("bad-input catalogue: floods before the DTLS handshake are dropped and change nothing", "[hostile]") {
  const auto server_certificate = *dtls::Certificate::generate(dtls::KeyType::kEcdsaP256);
  const auto client_certificate = *dtls::Certificate::generate(dtls::KeyType::kEcdsaP256);
  dtls::Config server_config;
  server_config.role = dtls::Role::kServer;
  server_config.certificate = server_certificate;
  server_config.remote_fingerprint = *client_certificate->fingerprint();
  dtls::Config client_config;
  client_config.role = dtls::Role::kClient;
  client_config.certificate = client_certificate;
  client_config.remote_fingerprint = *server_certificate->fingerprint();
  dtls::Endpoint server(server_config), client(client_config);
  const base::Instant now{};
  server.start(now);  // "connecting": a server waits for its ClientHello
  while (!std::holds_alternative<dtls::Timeout>(server.poll_output())) {
  }
  // Before any ClientHello: application data and zero-length and overlapping handshake
  // fragments under the next epoch (OpenSSL holds at most 100 such records), records of
  // a content type DTLS does not have, records longer than their datagram. (A spoofed
  // epoch-0 record with a high sequence number is another matter: OpenSSL's replay window
  // then drops the real ClientHello; only a sender that fakes the peer's exact address
  // and port, which ICE has checked, can do that.)
  std::uint64_t flood = 0;
  for (int i = 0; i < 5000; ++i, ++flood) server.handle_receive(now, dtls_record(23, 1, 64, base::Buffer(64)));
  for (std::uint32_t seq = 1000; seq < 1100; ++seq) {
    for (const auto& [offset, length] : {std::pair{0u, 0u}, {0u, 40u}, {20u, 40u}}) {
      base::Buffer body = bytes_of({2, 0, 0, 64, static_cast<int>(seq >> 8), static_cast<int>(seq & 0xff), 0, 0,
                                    static_cast<int>(offset), 0, 0, static_cast<int>(length)});
      body.append(base::Buffer(length));
      server.handle_receive(now, dtls_record(22, 1, static_cast<std::uint16_t>(body.size()), body));
      ++flood;
    }
  }
  const std::uint64_t filtered_before = server.dropped();
  for (int i = 0; i < 100; ++i) {
    server.handle_receive(now, dtls_record(30, 0, 8, base::Buffer(8)));
    server.handle_receive(now, dtls_record(22, 0, 400, base::Buffer(8)));
  }
  CHECK(server.dropped() - filtered_before == 200);  // never given to OpenSSL
  std::size_t out = 0;
  for (dtls::Output output = server.poll_output(); !std::holds_alternative<dtls::Timeout>(output); output = server.poll_output()) {
    ++out;
  }
  CHECK(out == 0);  // no answer, no data, no state change to report
  CHECK(server.state() == dtls::State::kConnecting);  // as start() left it

  // The real handshake still completes, and only the real data comes out.
  client.start(now);
  std::vector<base::Buffer> delivered;
  const auto carry = [&](dtls::Endpoint& from, dtls::Endpoint& to) {
    bool moved = false;
    for (dtls::Output output = from.poll_output(); !std::holds_alternative<dtls::Timeout>(output); output = from.poll_output()) {
      if (auto* datagram = std::get_if<dtls::Datagram>(&output)) {
        to.handle_receive(now, datagram->bytes);
        moved = true;
      } else if (auto* event = std::get_if<dtls::Event>(&output)) {
        if (auto* data = std::get_if<dtls::ApplicationDataEvent>(event)) delivered.push_back(data->data);
      }
    }
    return moved;
  };
  for (int round = 0; round < 20 && (carry(client, server) | carry(server, client)); ++round) {
  }
  REQUIRE(client.state() == dtls::State::kConnected);
  REQUIRE(server.state() == dtls::State::kConnected);
  REQUIRE(client.send(base::as_bytes("real")).ok());
  carry(client, server);
  carry(server, client);
  REQUIRE(delivered.size() == 1);
  CHECK(base::bytes_equal(delivered[0], base::as_bytes("real")));
}

TEST_CASE("bad-input catalogue: a connected PeerConnection drops every row and carries on", "[hostile]") {
  Connected c;
  const std::string selected = c.selected_pair();
  REQUIRE_FALSE(selected.empty());
  for (const ConnectionRow& row : testing::connection_rows(c.pair.b.pc().local_description()->sdp, c.pair.a.pc().local_description()->sdp)) {
    INFO(row.layer << ": " << row.name);
    const std::uint64_t discarded = c.transport("packetsDiscarded");
    const std::size_t events_before = c.pair.b.connection.size();
    const auto datagrams = row.datagrams();
    for (const base::Buffer& datagram : datagrams) c.inject(datagram);
    if (row.counted) CHECK(c.transport("packetsDiscarded") == discarded + datagrams.size());
    c.pair.b.drain();
    CHECK(c.pair.b.connected());
    CHECK(c.pair.b.connection.size() == events_before);  // no state change
    CHECK(c.selected_pair() == selected);
    CHECK(c.pair.b.pc().get_stats(c.pair.network.now()).size() > 0);
    CHECK(c.still_carries());
  }
}

TEST_CASE("bad-input catalogue: descriptions beyond the limits change nothing", "[hostile]") {
  testing::PcPair pair(52);
  pc::DataChannelInit init;
  init.label = "x";
  REQUIRE(pair.a.pc().create_data_channel(init).ok());
  auto offer = pair.a.pc().create_offer();
  REQUIRE(offer.ok());
  const base::Instant now = pair.network.now();
  SECTION("a description over the size, line or section limits is refused whole") {
    for (const std::string& extra : {std::string("a=tool:") + std::string(sdp::Limits::kMaxLineBytes, 'x') + "\r\n",
                                     std::string(sdp::Limits::kMaxBytes, ' ')}) {
      pc::SessionDescriptionInit hostile{pc::SdpType::kOffer, offer->sdp + extra};
      const auto result = pair.b.pc().set_remote_description(now, hostile);
      REQUIRE_FALSE(result.ok());
      CHECK(result.error().code == ErrorCode::kResourceExhausted);
      CHECK(pair.b.pc().signaling_state() == pc::SignalingState::kStable);
      CHECK_FALSE(pair.b.pc().remote_description().has_value());
    }
  }
  SECTION("ten thousand candidates: the agent keeps max_remote_candidates and counts the rest") {
    std::string candidates;
    for (int i = 0; i < 10'000; ++i) {
      candidates += "a=candidate:" + std::to_string(i) + " 1 udp 100 10." + std::to_string(i / 65536 % 256) + "." +
                    std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) + " 9 typ host\r\n";
    }
    pc::SessionDescriptionInit crowded{pc::SdpType::kOffer, offer->sdp + candidates};
    REQUIRE(crowded.sdp.size() < sdp::Limits::kMaxBytes);
    REQUIRE(pair.b.pc().set_remote_description(now, crowded).ok());
    std::size_t remote = 0;
    for (const pc::Stats& stats : pair.b.pc().get_stats(now)) remote += stats.type == "remote-candidate";
    CHECK(remote == ice::AgentConfig{}.max_remote_candidates);
    // One more by trickle: refused, counted.
    const auto trickled = pair.b.pc().add_ice_candidate(now, "candidate:x 1 udp 100 192.0.2.200 9 typ host");
    REQUIRE_FALSE(trickled.ok());
    CHECK(trickled.error().code == ErrorCode::kResourceExhausted);
  }
  SECTION("candidates at multicast, broadcast, unspecified addresses and port 0: refused, counted, never checked") {
    REQUIRE(pair.b.pc().set_remote_description(now, *offer).ok());
    const char* targets[] = {"224.0.0.251 5353", "255.255.255.255 9", "0.0.0.0 9", "192.0.2.1 0", "ff02::fb 5353", ":: 9"};
    for (const char* target : targets) {
      const auto added = pair.b.pc().add_ice_candidate(now, std::string("candidate:m 1 udp 100 ") + target + " typ host");
      REQUIRE_FALSE(added.ok());
      CHECK(added.error().code == ErrorCode::kInvalidArgument);
    }
    std::uint64_t refused = 0;
    for (const pc::Stats& stats : pair.b.pc().get_stats(now)) {
      for (const auto& [name, value] : stats.members) {
        if (name == "remoteCandidatesRefused") refused = std::get<std::uint64_t>(value);
      }
    }
    CHECK(refused == std::size(targets));
    auto answer = *pair.b.pc().create_answer();
    REQUIRE(pair.b.pc().set_local_description(now, answer).ok());
    pair.b.drain();
    pair.network.run_for(base::Duration::seconds(5));
    for (const auto& event : pair.network.trace()) {
      CHECK_FALSE(event.to.ip().is_multicast());
      CHECK_FALSE(event.to.ip().is_broadcast());
      CHECK_FALSE(event.to.ip().is_unspecified());
      CHECK(event.to.port() != 0);
    }
  }
}
