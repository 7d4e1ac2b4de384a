// ice::TurnClient against a real TURN server (coturn, started by with_coturn.sh with
// nonces that go stale after 3 s): allocation through the 401 challenge, data both ways
// through a channel and through Send/Data indications, a stale nonce recovered, a wrong
// password reported clearly, and deallocation.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "base/random.h"
#include "ice/turn_client.h"
#include "interop_env.h"
#include "udp_socket.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;
using ice::TurnClient;
using ice::TurnState;
using testing::UdpSocket;

namespace {

base::SocketAddress turn_server() { return testing::turn_server_address(); }
Instant now() { return testing::wall_now(); }

struct Received {
  base::SocketAddress peer;
  std::string data;
};

// Moves datagrams between the client and its socket until `done()` or `limit` passes.
template <class Done>
bool drive(TurnClient& client, UdpSocket& socket, Done done, std::vector<Received>& received,
           Duration limit = Duration::seconds(5)) {
  const Instant deadline = now() + limit;
  while (true) {
    while (auto datagram = client.poll_transmit()) socket.send_to(client.server().address, *datagram);
    if (done()) return true;
    const Instant at = now();
    if (at >= deadline) return false;
    const Duration wait = std::min(Duration::milliseconds(20), std::max(Duration::zero(), client.poll_timeout() - at));
    if (auto datagram = socket.receive(wait)) {
      if (auto data = client.handle_receive(now(), datagram->bytes)) {
        received.push_back({data->peer, std::string(base::as_string_view(data->data))});
      }
    }
    client.handle_timeout(now());
  }
}

ice::TurnServer credentials(std::string password = "turn-secret-7Qx") {
  return {turn_server(), "test", std::move(password)};
}

}  // namespace

TEST_CASE("TURN client: allocation, data both ways by channel and by indication, deallocation",
          "[interop][turn]") {
  base::SeededRandom random(std::random_device{}());
  UdpSocket socket;
  TurnClient client(socket.local(), credentials(), random);
  std::vector<Received> received;
  client.start(now());
  REQUIRE(drive(client, socket, [&] { return client.state() != TurnState::kAllocating; }, received));
  REQUIRE(client.state() == TurnState::kAllocated);
  REQUIRE(client.relayed_address().has_value());
  CHECK(client.mapped_address() == socket.local());
  const base::SocketAddress relayed = *client.relayed_address();

  UdpSocket channel_peer;
  UdpSocket indication_peer;
  REQUIRE(client.add_peer(now(), channel_peer.local(), /*bind_channel=*/true).ok());
  REQUIRE(client.add_peer(now(), indication_peer.local(), /*bind_channel=*/false).ok());
  REQUIRE(drive(client, socket, [&] {
    return client.has_channel(channel_peer.local()) && client.has_permission(indication_peer.local());
  }, received));

  std::uint8_t out[1500];
  for (auto* peer : {&channel_peer, &indication_peer}) {
    const std::string text = peer == &channel_peer ? "through a channel" : "through a Send indication";
    socket.send_to(client.server().address, *client.wrap(peer->local(), base::as_bytes(text), out));
    const auto at_peer = peer->receive(Duration::seconds(2));
    REQUIRE(at_peer.has_value());
    CHECK(at_peer->from == relayed);
    CHECK(base::as_string_view(at_peer->bytes) == text);
    peer->send_to(relayed, base::as_bytes("reply to " + text));
  }
  REQUIRE(drive(client, socket, [&] { return received.size() == 2; }, received));
  for (const Received& r : received) {
    if (r.peer == channel_peer.local()) CHECK(r.data == "reply to through a channel");
    else CHECK(r.data == "reply to through a Send indication");
  }
  // A peer we never permitted cannot be wrapped for.
  UdpSocket stranger;
  CHECK(client.wrap(stranger.local(), base::as_bytes("x"), out).error().code == base::ErrorCode::kWrongState);

  client.close(now());
  REQUIRE(drive(client, socket, [&] { return client.state() == TurnState::kClosed; }, received));
  CHECK_FALSE(client.error().has_value());
}

TEST_CASE("TURN client: a stale nonce is renewed transparently", "[interop][turn]") {
  base::SeededRandom random(std::random_device{}());
  UdpSocket socket;
  TurnClient client(socket.local(), credentials(), random);
  std::vector<Received> received;
  client.start(now());
  REQUIRE(drive(client, socket, [&] { return client.state() == TurnState::kAllocated; }, received));
  // The server's nonces last 3 s; coturn's clock ticks in whole seconds, so wait a little more.
  std::this_thread::sleep_for(std::chrono::milliseconds(5000));
  UdpSocket peer;
  REQUIRE(client.add_peer(now(), peer.local()).ok());
  REQUIRE(drive(client, socket, [&] { return client.has_channel(peer.local()); }, received));
  CHECK(client.nonce_renewals() >= 1);
  CHECK(client.state() == TurnState::kAllocated);
  client.close(now());
  drive(client, socket, [&] { return client.state() == TurnState::kClosed; }, received);
}

TEST_CASE("TURN client: a wrong password is a clear authentication error", "[interop][turn]") {
  base::SeededRandom random(std::random_device{}());
  UdpSocket socket;
  TurnClient client(socket.local(), credentials("not-the-password"), random);
  std::vector<Received> received;
  client.start(now());
  REQUIRE(drive(client, socket, [&] { return client.state() != TurnState::kAllocating; }, received));
  CHECK(client.state() == TurnState::kFailed);
  REQUIRE(client.error().has_value());
  CHECK(client.error()->code == 401);
  CHECK_THAT(client.error()->reason, Catch::Contains("rejected the credentials (401"));
}
