// Security checks at the PeerConnection: a certificate that does not match the signalled
// fingerprint fails the connection with nothing delivered; forged STUN never changes the
// selected pair or nominates; replayed and tampered SRTP never reaches the application.
// (That no password reaches the log is checked against coturn, in
// tests/interop/test_ice_turn.cpp, where TURN credentials are really used.)
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "catalogue.h"
#include "ice/check_messages.h"
#include "pc_harness.h"

using namespace rtcstack;
using testing::ufrag_of;

namespace {

std::string selected_pair(testing::PcEndpoint& endpoint, base::Instant now) {
  for (const pc::Stats& stats : endpoint.pc().get_stats(now)) {
    if (stats.type != "transport") continue;
    if (const auto* value = stats.get("selectedCandidatePairId")) return std::get<std::string>(*value);
  }
  return {};
}

std::size_t count_of(testing::PcEndpoint& endpoint, base::Instant now, const char* type) {
  std::size_t count = 0;
  for (const pc::Stats& stats : endpoint.pc().get_stats(now)) count += stats.type == type;
  return count;
}

// A nominating Binding request for `to` from `from`'s credentials, signed with `password`.
base::Buffer forged_check(testing::PcEndpoint& to, testing::PcEndpoint& from, const std::string& password) {
  base::Buffer buffer(ice::kMaxCheckSize);
  const std::string to_ufrag = ufrag_of(to.pc().local_description()->sdp);
  const std::string from_ufrag = ufrag_of(from.pc().local_description()->sdp);
  const ice::CheckRequest request{to_ufrag, from_ufrag, password, 0x7effffff, ice::Role::kControlling, ~0ull, true};
  auto bytes = ice::build_check_request(buffer.mutable_view(), stun::TransactionId{}, request);
  REQUIRE(bytes.ok());
  return base::Buffer(*bytes);
}

}  // namespace

TEST_CASE("a certificate that does not match the SDP fingerprint: failed, nothing delivered", "[security]") {
  testing::PcPair pair(61);
  pc::DataChannelInit init;
  init.label = "never";
  const auto channel = *pair.a.pc().create_data_channel(init);
  const base::Instant now = pair.network.now();
  auto offer = *pair.a.pc().create_offer();
  REQUIRE(pair.a.pc().set_local_description(now, offer).ok());
  REQUIRE(pair.b.pc().set_remote_description(now, offer).ok());
  auto answer = *pair.b.pc().create_answer();
  REQUIRE(pair.b.pc().set_local_description(now, answer).ok());
  // The answer a receives names another certificate than the one b will present.
  const std::size_t at = answer.sdp.find("a=fingerprint:sha-256 ");
  REQUIRE(at != std::string::npos);
  char& digit = answer.sdp[at + 22];
  digit = digit == '0' ? '1' : '0';
  REQUIRE(pair.a.pc().set_remote_description(now, answer).ok());
  pair.a.drain();
  pair.b.drain();
  REQUIRE(pair.run([&] { return pair.a.pc().connection_state() == pc::PeerConnectionState::kFailed; }));
  CHECK_THAT(pair.a.failure_reason, Catch::Contains("fingerprint"));
  // b's certificate was refused: a fatal alert ends its connection too, at once.
  REQUIRE(pair.run([&] { return pair.b.pc().connection_state() == pc::PeerConnectionState::kFailed; },
                   base::Duration::seconds(1)));
  CHECK_THAT(pair.b.failure_reason, Catch::Contains("fatal alert 42"));
  pair.run([] { return false; }, base::Duration::seconds(5));
  CHECK_FALSE(pair.a.is(channel, pc::DataChannelState::kOpen));
  CHECK(pair.b.incoming.empty());  // b never learnt of the channel: no SCTP reached it
  CHECK(pair.a.messages.empty());
  CHECK(pair.b.messages.empty());
  CHECK_FALSE(pair.a.pc().send(channel, std::vector<std::uint8_t>{1}, true));
}

TEST_CASE("STUN with a bad MESSAGE-INTEGRITY never changes the selected pair or nomination", "[security]") {
  testing::PcPair pair(62);
  pc::DataChannelInit init;
  init.label = "c";
  const auto channel = *pair.a.pc().create_data_channel(init);
  pair.negotiate(pair.a);
  // An attacker on another address sends nominating checks with a guessed password while
  // the checks run, and after the connection is up; so does someone spoofing a's address.
  const base::SocketAddress attacker = *base::SocketAddress::parse("192.0.2.66:4444");
  const base::Buffer forged = forged_check(pair.b, pair.a, "guessed-password-0000000");
  const auto attack = [&] {
    pair.b.pc().handle_receive(pair.network.now(), pair.b.address(), attacker, forged);
    pair.b.pc().handle_receive(pair.network.now(), pair.b.address(), pair.a.address(), forged);
    pair.b.drain();
  };
  const std::size_t remote_before = count_of(pair.b, pair.network.now(), "remote-candidate");
  attack();
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected() && pair.a.is(channel, pc::DataChannelState::kOpen); }));
  const std::string selected = selected_pair(pair.b, pair.network.now());
  REQUIRE_FALSE(selected.empty());
  CHECK(selected.find("192.0.2.66") == std::string::npos);
  for (int i = 0; i < 20; ++i) {
    attack();
    pair.run([] { return false; }, base::Duration::milliseconds(50));
  }
  CHECK(selected_pair(pair.b, pair.network.now()) == selected);
  // No peer-reflexive candidate was learnt from the attacker.
  CHECK(count_of(pair.b, pair.network.now(), "remote-candidate") == remote_before);
  for (const pc::Stats& stats : pair.b.pc().get_stats(pair.network.now())) {
    if (stats.type == "remote-candidate") CHECK(std::get<std::string>(*stats.get("address")) != "192.0.2.66");
  }
  CHECK(pair.b.connected());
}

TEST_CASE("replayed and tampered SRTP never reach the application", "[security]") {
  testing::PcPair pair(63);
  const auto audio = *pair.a.pc().add_transceiver(pc::MediaKind::kAudio, pc::RtpTransceiverDirection::kSendOnly);
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  pair.run([] { return false; }, base::Duration::milliseconds(100));
  std::size_t delivered = 0;
  pair.b.on_event = [&](const pc::Event& event) { delivered += std::holds_alternative<pc::RtpPacketEvent>(event); };

  // One packet, taken from a's outputs before its endpoint sends it.
  const std::vector<std::uint8_t> payload(160, 0x11);
  REQUIRE(pair.a.pc().send_rtp(audio, payload, 960, false).ok());
  base::Buffer packet;
  for (pc::Output output = pair.a.pc().poll_output(); !std::holds_alternative<pc::Timeout>(output);
       output = pair.a.pc().poll_output()) {
    if (auto* transmit = std::get_if<pc::Transmit>(&output); transmit && packet.empty() && transmit->bytes.size() > 12 + 160) {
      packet = transmit->bytes;
    }
  }
  REQUIRE(packet.size() > 12 + 160);
  const auto deliver = [&](base::ByteView bytes) {
    pair.b.pc().handle_receive(pair.network.now(), pair.b.address(), pair.a.address(), bytes);
    pair.b.drain();
  };
  const auto discarded = [&] {
    for (const pc::Stats& stats : pair.b.pc().get_stats(pair.network.now())) {
      if (stats.type == "transport") return std::get<std::uint64_t>(*stats.get("packetsDiscarded"));
    }
    return std::uint64_t{0};
  };
  // Tampered first (every region: header, payload, tag), then the original, then it again.
  const std::uint64_t before = discarded();
  for (const std::size_t at : {std::size_t{1}, std::size_t{8}, std::size_t{20}, packet.size() - 1}) {
    base::Buffer tampered = packet;
    tampered[at] ^= 0x40;
    deliver(tampered);
  }
  CHECK(delivered == 0);
  CHECK(discarded() == before + 4);
  deliver(packet);
  CHECK(delivered == 1);
  deliver(packet);
  deliver(packet);
  CHECK(delivered == 1);
  CHECK(discarded() == before + 6);
}
