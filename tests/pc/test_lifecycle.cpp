// How a connection's state is told and how it ends: the W3C aggregation rules as tables,
// the setup deadline, a peer's clean close (SCTP ABORT, then close_notify), failures,
// and the resources an ended connection gives back at once.
#include <catch2/catch.hpp>

#include <set>
#include <vector>

#include "pc_harness.h"
#include "sctp/association.h"

using namespace rtcstack;
using pc::IceConnectionState;
using pc::DtlsTransportState;
using pc::EndCause;
using pc::PeerConnectionState;
using pc::DataChannelState;
using testing::labelled;
using testing::PcPair;

namespace {

// Offer and answer without candidates, as a non-trickle peer that never starts ICE
// leaves them (Chromium offers POSTed and abandoned): nothing can ever connect.
void negotiate_without_candidates(PcPair& pair) {
  pair.a.trickle = pair.b.trickle = false;
  pair.negotiate(pair.a);
}

}  // namespace

TEST_CASE("RTCPeerConnectionState follows the W3C aggregation rules for every ICE and DTLS state", "[pc][lifecycle]") {
  using P = PeerConnectionState;
  constexpr P n = P::kNew, c = P::kConnecting, C = P::kConnected, d = P::kDisconnected, f = P::kFailed;
  const IceConnectionState ice[] = {IceConnectionState::kNew,    IceConnectionState::kChecking,     IceConnectionState::kConnected,
                                 IceConnectionState::kCompleted, IceConnectionState::kFailed, IceConnectionState::kDisconnected,
                                 IceConnectionState::kClosed};
  const DtlsTransportState dtls[] = {DtlsTransportState::kNew, DtlsTransportState::kConnecting,
                                     DtlsTransportState::kConnected, DtlsTransportState::kClosed,
                                     DtlsTransportState::kFailed};
  // Rows: ICE new, checking, connected, completed, failed, disconnected, closed.
  // Columns: DTLS new, connecting, connected, closed, failed.
  const P expected[7][5] = {
      {n, c, c, n, f},  // new: "new" needs every DTLS transport new or closed
      {c, c, c, c, f},  // checking
      {c, c, C, C, f},  // connected: "connected" needs every DTLS transport connected or closed
      {c, c, C, C, f},  // completed
      {f, f, f, f, f},  // failed
      {d, d, d, d, f},  // disconnected
      {c, c, c, c, f},  // closed (only with [[IsClosed]], which wins; here none of the rules fit)
  };
  for (std::size_t i = 0; i < std::size(ice); ++i) {
    for (std::size_t j = 0; j < std::size(dtls); ++j) {
      INFO("ICE " << ice::to_string(ice[i]) << ", DTLS " << pc::to_string(dtls[j]));
      const DtlsTransportState one[] = {dtls[j]};
      CHECK(pc::aggregate_connection_state(false, ice[i], one) == expected[i][j]);
      CHECK(pc::aggregate_connection_state(true, ice[i], one) == P::kClosed);
    }
  }
  // No transports yet: new. Two DTLS transports: one failed fails the connection, one
  // closed beside a connected one stays connected.
  CHECK(pc::aggregate_connection_state(false, IceConnectionState::kChecking, {}) == P::kNew);
  const DtlsTransportState failed_and_up[] = {DtlsTransportState::kConnected, DtlsTransportState::kFailed};
  CHECK(pc::aggregate_connection_state(false, IceConnectionState::kConnected, failed_and_up) == P::kFailed);
  const DtlsTransportState closed_and_up[] = {DtlsTransportState::kClosed, DtlsTransportState::kConnected};
  CHECK(pc::aggregate_connection_state(false, IceConnectionState::kConnected, closed_and_up) == P::kConnected);
  const DtlsTransportState connecting_and_up[] = {DtlsTransportState::kConnecting, DtlsTransportState::kConnected};
  CHECK(pc::aggregate_connection_state(false, IceConnectionState::kConnected, connecting_and_up) == P::kConnecting);
}

TEST_CASE("RTCIceConnectionState follows the W3C aggregation rules", "[pc][lifecycle]") {
  using S = IceConnectionState;
  struct Row {
    std::vector<S> transports;
    S expected;
  };
  const Row rows[] = {
      {{S::kNew}, S::kNew},
      {{S::kChecking}, S::kChecking},
      {{S::kConnected}, S::kConnected},
      {{S::kCompleted}, S::kCompleted},
      {{S::kFailed}, S::kFailed},
      {{S::kDisconnected}, S::kDisconnected},
      {{S::kClosed}, S::kNew},  // a closed transport alone: "all new or closed"
      {{}, S::kNew},
      {{S::kConnected, S::kCompleted}, S::kConnected},
      {{S::kCompleted, S::kClosed}, S::kCompleted},
      {{S::kNew, S::kConnected}, S::kChecking},
      {{S::kFailed, S::kConnected}, S::kFailed},
      {{S::kDisconnected, S::kChecking}, S::kDisconnected},
      {{S::kFailed, S::kDisconnected}, S::kFailed},
      {{S::kClosed, S::kClosed}, S::kNew},
      {{S::kConnected, S::kClosed}, S::kConnected},
  };
  for (const Row& row : rows) {
    INFO("row " << (&row - rows));
    CHECK(pc::aggregate_ice_connection_state(false, row.transports) == row.expected);
    CHECK(pc::aggregate_ice_connection_state(true, row.transports) == S::kClosed);
  }
}

TEST_CASE("a connection that never connects fails at the setup deadline and frees its transports",
          "[pc][lifecycle]") {
  PcPair pair(41);
  negotiate_without_candidates(pair);
  const base::Instant negotiated = pair.network.now();
  const base::Duration timeout = pc::Configuration{}.setup_timeout;
  REQUIRE(pair.run([&] { return pair.a.pc().ended() && pair.b.pc().ended(); }, timeout + base::Duration::seconds(5)));
  // At the deadline exactly, for both sides, with the reason and the transport to blame.
  CHECK(pair.network.now() == negotiated + timeout);
  for (testing::PcEndpoint* side : {&pair.a, &pair.b}) {
    CHECK(side->pc().connection_state() == PeerConnectionState::kFailed);
    CHECK(side->pc().end_cause() == EndCause::kSetupTimeout);
    CHECK_THAT(side->failure_reason, Catch::Contains("not connected within 30 s") &&
                                         Catch::Contains("no ICE candidate pair worked"));
    CHECK(side->ice_connection.back() == "failed");
    // a (the DTLS server) was connecting; b (the client) waits for ICE, so it was new.
    CHECK(side->connection.back() == "failed");
    CHECK(side->connection.size() == (side == &pair.a ? 2 : 1));
    CHECK(side->pc().ended());
    CHECK(side->pc().dtls() == nullptr);
    CHECK(side->pc().sctp() == nullptr);
    CHECK(std::get<pc::Timeout>(side->pc().poll_output()).at == base::Instant::max());
    // It still answers: queries, stats, and errors that say why for calls that need it.
    CHECK_FALSE(side->pc().get_stats(pair.network.now()).empty());
    const auto offer = side->pc().create_offer();
    REQUIRE_FALSE(offer.ok());
    CHECK(offer.error().code == base::ErrorCode::kWrongState);
    CHECK_THAT(offer.error().message, Catch::Contains("not connected within"));
  }
}

TEST_CASE("a connection that connects in time is not touched by the setup deadline", "[pc][lifecycle]") {
  PcPair pair(42);
  const auto channel = *pair.a.pc().create_data_channel(labelled("x"));
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.is(channel, DataChannelState::kOpen); }));
  pair.network.run_for(pc::Configuration{}.setup_timeout + base::Duration::seconds(10));
  CHECK(pair.a.connection == std::vector<std::string>{"connecting", "connected"});
  CHECK(pair.b.connection == std::vector<std::string>{"connecting", "connected"});
  CHECK(pair.a.pc().end_cause() == EndCause::kNone);
}

TEST_CASE("every wake-up a connection asks for says which layer wants it", "[pc][lifecycle]") {
  const auto timeout_of = [](pc::PeerConnection& connection) {
    for (;;) {
      pc::Output output = connection.poll_output();
      if (auto* timeout = std::get_if<pc::Timeout>(&output)) return *timeout;
    }
  };
  PcPair pair(43);
  const pc::Timeout idle = timeout_of(pair.a.pc());
  CHECK(idle.at == base::Instant::max());
  CHECK(idle.reason == pc::TimerReason::kNone);
  const auto channel = *pair.a.pc().create_data_channel(labelled("x"));
  pair.negotiate(pair.a);
  // Before anything is connected: ICE paces its checks long before the setup deadline.
  const pc::Timeout setup = timeout_of(pair.a.pc());
  CHECK(setup.reason == pc::TimerReason::kIce);
  CHECK(setup.at < pair.network.now() + pc::Configuration{}.setup_timeout);
  REQUIRE(pair.run([&] { return pair.a.is(channel, DataChannelState::kOpen); }));
  // Connected with a channel: usrsctp's tick comes first (ICE's consent every few seconds).
  const pc::Timeout connected = timeout_of(pair.a.pc());
  CHECK(connected.reason == pc::TimerReason::kSctp);
  CHECK(to_string(connected.reason) == "sctp");
  pair.a.pc().close();
  const pc::Timeout closed = timeout_of(pair.a.pc());
  CHECK(closed.reason == pc::TimerReason::kNone);
  CHECK(closed.at == base::Instant::max());
}

TEST_CASE("a peer's clean close: its SCTP ABORT closes the channels, its close_notify closes the connection",
          "[pc][lifecycle]") {
  PcPair pair(43);
  const auto channel = *pair.a.pc().create_data_channel(labelled("x"));
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.is(channel, DataChannelState::kOpen) && !pair.b.incoming.empty(); }));
  CHECK(pair.a.pc().dtls_transport_state() == DtlsTransportState::kConnected);
  // b closes; its datagrams reach a one by one: the SCTP ABORT first, then close_notify.
  pair.b.pc().close();
  std::vector<pc::Transmit> goodbyes;
  for (pc::Output output = pair.b.pc().poll_output(); !std::holds_alternative<pc::Timeout>(output);
       output = pair.b.pc().poll_output()) {
    goodbyes.push_back(std::move(std::get<pc::Transmit>(output)));
  }
  REQUIRE(goodbyes.size() >= 2);
  const auto deliver = [&](const pc::Transmit& transmit) {
    pair.a.pc().handle_receive(pair.network.now(), transmit.remote, transmit.local, transmit.bytes);
    pair.a.drain();
  };
  for (std::size_t i = 0; i + 1 < goodbyes.size(); ++i) deliver(goodbyes[i]);
  // SCTP is gone, the transport is not: the channel closed, the connection did not.
  CHECK(pair.a.is(channel, DataChannelState::kClosed));
  CHECK(pair.a.pc().connection_state() == PeerConnectionState::kConnected);
  CHECK(pair.a.pc().dtls_transport_state() == DtlsTransportState::kConnected);
  deliver(goodbyes.back());
  CHECK(pair.a.pc().connection_state() == PeerConnectionState::kClosed);
  CHECK(pair.a.connection.back() == "closed");
  CHECK(pair.a.ice_connection.back() == "closed");
  CHECK(pair.a.signaling.back() == "closed");
  CHECK(pair.a.pc().end_cause() == EndCause::kPeerClosed);
  CHECK_THAT(pair.a.failure_reason, Catch::Contains("close_notify"));
  CHECK(pair.a.pc().dtls_transport_state() == DtlsTransportState::kClosed);
  CHECK(pair.a.pc().ended());
  CHECK(std::get<pc::Timeout>(pair.a.pc().poll_output()).at == base::Instant::max());
  // Anything that still arrives is ignored, and nothing is sent.
  const auto sent_before = pair.network.stats().sent;
  for (const auto& goodbye : goodbyes) deliver(goodbye);
  pair.network.run_for(base::Duration::seconds(40));
  CHECK(pair.network.stats().sent == sent_before);
  CHECK(pair.a.connection.back() == "closed");
}

TEST_CASE("a peer that closes while the path is whole is seen closed at once, over the network", "[pc][lifecycle]") {
  PcPair pair(44);
  const auto channel = *pair.a.pc().create_data_channel(labelled("x"));
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.is(channel, DataChannelState::kOpen) && !pair.b.incoming.empty(); }));
  const base::Instant closed_at = pair.network.now();
  pair.b.pc().close();
  pair.b.drain();
  REQUIRE(pair.run([&] { return pair.a.pc().connection_state() == PeerConnectionState::kClosed; },
                   base::Duration::seconds(1)));
  CHECK(pair.network.now() - closed_at < base::Duration::seconds(1));
  CHECK(pair.a.channel_states[channel].back() == DataChannelState::kClosed);
  CHECK(pair.b.connection.back() == "connected");  // close() itself tells nothing
}

TEST_CASE("consent expiry and a fingerprint mismatch end the connection with their cause", "[pc][lifecycle]") {
  SECTION("consent") {
    PcPair pair(45);
    const auto channel = *pair.a.pc().create_data_channel(labelled("x"));
    pair.negotiate(pair.a);
    REQUIRE(pair.run([&] { return pair.a.is(channel, DataChannelState::kOpen); }));
    testing::LinkConditions cut;
    cut.loss = 1.0;
    pair.network.set_link_both_ways(pair.a.address().ip(), pair.b.address().ip(), cut);
    REQUIRE(pair.run([&] { return pair.a.pc().connection_state() == PeerConnectionState::kFailed; },
                     base::Duration::seconds(60)));
    CHECK(pair.a.pc().end_cause() == EndCause::kConsentExpired);
    CHECK_THAT(pair.a.failure_reason, Catch::Contains("consent"));
    CHECK(pair.a.connection == std::vector<std::string>{"connecting", "connected", "disconnected", "failed"});
    // The open channel is told it closed; the transports are gone.
    CHECK(pair.a.channel_states[channel].back() == DataChannelState::kClosed);
    CHECK(pair.a.pc().ended());
    CHECK(pair.a.pc().sctp() == nullptr);
  }
  SECTION("fingerprint") {
    PcPair pair(46);
    (void)pair.a.pc().create_data_channel(labelled("x"));
    auto offer = *pair.a.pc().create_offer();
    REQUIRE(pair.a.pc().set_local_description(pair.network.now(), offer).ok());
    // b is told another certificate's fingerprint.
    const auto other = *dtls::Certificate::generate();
    const std::string real = pair.a.pc().certificate().fingerprint()->to_string();
    const std::string forged = other->fingerprint()->to_string();
    offer.sdp.replace(offer.sdp.find(real), real.size(), forged);
    REQUIRE(pair.b.pc().set_remote_description(pair.network.now(), offer).ok());
    auto answer = *pair.b.pc().create_answer();
    REQUIRE(pair.b.pc().set_local_description(pair.network.now(), answer).ok());
    REQUIRE(pair.a.pc().set_remote_description(pair.network.now(), answer).ok());
    pair.a.drain();
    pair.b.drain();
    REQUIRE(pair.run([&] { return pair.b.pc().connection_state() == PeerConnectionState::kFailed; }));
    CHECK(pair.b.pc().end_cause() == EndCause::kFingerprintMismatch);
    CHECK(pair.b.pc().dtls_transport_state() == DtlsTransportState::kFailed);
  }
}

TEST_CASE("a shared budget for buffered bytes turns into backpressure across connections, not growth",
          "[pc][lifecycle][budget]") {
  auto budget = std::make_shared<base::ByteBudget>(1 << 20);
  pc::Configuration shared;
  shared.buffer_budget = budget;
  PcPair first(47, shared, shared), second(48, shared, shared);
  std::vector<std::pair<PcPair*, pc::ChannelHandle>> channels;
  for (PcPair* pair : {&first, &second}) {
    const auto channel = *pair->a.pc().create_data_channel(labelled("bulk"));
    pair->negotiate(pair->a);
    REQUIRE(pair->run([&] { return pair->a.is(channel, DataChannelState::kOpen); }));
    channels.emplace_back(pair, channel);
    // The peer stops acknowledging: whatever is sent stays with the sender.
    testing::LinkConditions cut;
    cut.loss = 1.0;
    pair->network.set_link_both_ways(pair->a.address().ip(), pair->b.address().ip(), cut);
  }
  const std::vector<std::uint8_t> message(64 * 1024, 7);
  std::set<PcPair*> refused;
  for (int round = 0; round < 200 && refused.size() < 2; ++round) {
    for (auto& [pair, channel] : channels) {
      const auto sent = pair->a.pc().send(channel, message, true);
      if (!sent) {
        CHECK(sent.error().code == base::ErrorCode::kResourceExhausted);
        CHECK_THAT(sent.error().message, Catch::Contains("budget"));
        refused.insert(pair);
      }
      pair->a.drain();
    }
    CHECK(budget->used() <= budget->limit());
  }
  // Both connections met the one budget; together they hold no more than it allows.
  CHECK(refused.size() == 2);
  CHECK(budget->used() > budget->limit() - message.size());
  // The queues give their bytes back as their connections end.
  for (auto& [pair, channel] : channels) pair->a.pc().close();
  CHECK(budget->used() == 0);
}

TEST_CASE("a peer's graceful SCTP SHUTDOWN closes the channels; the connection stays connected", "[pc][lifecycle]") {
  PcPair pair(49);
  const auto channel = *pair.a.pc().create_data_channel(labelled("x"));
  const auto audio = *pair.a.pc().add_transceiver(pc::MediaKind::kAudio);
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.is(channel, DataChannelState::kOpen) && !pair.b.incoming.empty(); }));
  // No W3C call shuts SCTP down alone; other stacks may (RFC 9260 §9.2). Do it on b's
  // association directly, as such a peer would.
  const_cast<sctp::Association*>(pair.b.pc().sctp())->close();
  pair.b.pc().handle_timeout(pair.network.now());  // b's pump sends the SHUTDOWN
  pair.b.drain();
  REQUIRE(pair.run([&] { return pair.a.is(channel, DataChannelState::kClosed); }, base::Duration::seconds(5)));
  pair.network.run_for(base::Duration::seconds(2));
  CHECK(pair.a.pc().connection_state() == PeerConnectionState::kConnected);
  CHECK(pair.a.pc().dtls_transport_state() == DtlsTransportState::kConnected);
  CHECK(pair.a.connection == std::vector<std::string>{"connecting", "connected"});
  // Media still flows over the transport.
  CHECK(pair.a.pc().send_rtp(audio, std::vector<std::uint8_t>(10, 1), 960, false).ok());
}
