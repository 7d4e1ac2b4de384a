// lib/stun against a real TURN server (coturn, started by with_coturn.sh): Binding,
// the long-term credential dance of Allocate, permissions, Send/Data indications,
// ChannelBind and ChannelData in both directions, and deallocation. Every message we
// send is built by MessageBuilder and every answer parsed and verified by StunMessage.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>
#include <string>

#include "base/random.h"
#include "stun/channel_data.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "udp_socket.h"

using namespace rtcstack;
using namespace rtcstack::stun;
using base::Duration;
using testing::UdpSocket;

namespace {

constexpr std::string_view kUser = "test";
constexpr std::string_view kPassword = "turn-secret-7Qx";
constexpr std::string_view kRealm = "rtcstack.test";
constexpr std::uint8_t kUdp = 17;

base::SocketAddress turn_server() {
  const char* text = std::getenv("RTCSTACK_TURN_SERVER");
  if (text == nullptr) FAIL("RTCSTACK_TURN_SERVER is not set: run through tests/interop/with_coturn.sh");
  return *base::SocketAddress::parse(text);
}

// Holds a received message's bytes so the parsed view stays valid. message() is for
// named answers only: a view parsed from a temporary Answer would dangle.
struct Answer {
  base::Buffer bytes;
  StunMessage message() const& { return *StunMessage::parse(bytes); }
  StunMessage message() && = delete;
};

// Sends `request` and waits for the response with its transaction id, retransmitting a
// few times (the server may still be starting).
Answer transact(UdpSocket& socket, const base::SocketAddress& server, base::ByteView request) {
  const TransactionId id = StunMessage::parse(request)->transaction_id();
  for (int attempt = 0; attempt < 25; ++attempt) {
    socket.send_to(server, request);
    while (auto received = socket.receive(Duration::milliseconds(200))) {
      const auto message = StunMessage::parse(received->bytes);
      if (message && message->transaction_id() == id) return {base::Buffer(received->bytes)};
    }
  }
  FAIL("no answer from the TURN server");
  return {};
}

class TurnClient {
 public:
  explicit TurnClient(base::SocketAddress server) : server_(server), random_(std::random_device{}()) {}

  UdpSocket socket;

  // Builds a request; `authenticate` adds USERNAME, REALM, NONCE and MESSAGE-INTEGRITY.
  template <class AddAttributes>
  Answer request(StunMethod method, AddAttributes add, bool authenticate,
                 std::string_view password = kPassword) {
    std::uint8_t out[512];
    MessageBuilder builder(out, {method, StunClass::kRequest}, TransactionId::random(random_));
    add(builder);
    const LongTermKey key = long_term_key(PasswordAlgorithmId::kMd5, kUser, kRealm, password);
    if (authenticate) {
      builder.add_string(AttributeType::kUsername, kUser)
          .add_string(AttributeType::kRealm, kRealm)
          .add_string(AttributeType::kNonce, nonce_)
          .add_message_integrity(key);
    }
    builder.add_fingerprint();
    REQUIRE(builder.finish().ok());
    return transact(socket, server_, *builder.finish());
  }

  void remember_nonce(const StunMessage& unauthorized) { nonce_ = std::string(*unauthorized.nonce()); }

  void send_indication(const base::SocketAddress& peer, base::ByteView data) {
    std::uint8_t out[512];
    MessageBuilder builder(out, {StunMethod::kSend, StunClass::kIndication}, TransactionId::random(random_));
    builder.add_xor_address(AttributeType::kXorPeerAddress, peer).add(AttributeType::kData, data);
    socket.send_to(server_, *builder.finish());
  }

  const base::SocketAddress& server() const { return server_; }

 private:
  base::SocketAddress server_;
  base::SeededRandom random_;
  std::string nonce_;
};

const LongTermKey kKey = long_term_key(PasswordAlgorithmId::kMd5, kUser, kRealm, kPassword);

}  // namespace

TEST_CASE("coturn answers a Binding request with our address", "[interop][coturn]") {
  TurnClient client(turn_server());
  const Answer answer = client.request(StunMethod::kBinding, [](MessageBuilder&) {}, false);
  const StunMessage response = answer.message();
  CHECK(response.cls() == StunClass::kSuccessResponse);
  CHECK(response.xor_mapped_address() == client.socket.local());
}

TEST_CASE("a TURN allocation with long-term credentials relays data both ways", "[interop][coturn]") {
  TurnClient client(turn_server());
  UdpSocket peer;
  auto transport = [](MessageBuilder& b) { b.add_requested_transport(kUdp); };

  // 1. Unauthenticated: 401 with the realm and a nonce.
  const Answer unauthorized_answer = client.request(StunMethod::kAllocate, transport, false);
  const StunMessage unauthorized = unauthorized_answer.message();
  REQUIRE(unauthorized.cls() == StunClass::kErrorResponse);
  CHECK(unauthorized.error_code()->code == 401);
  CHECK(unauthorized.realm() == kRealm);
  REQUIRE(unauthorized.nonce().has_value());
  client.remember_nonce(unauthorized);

  // 2. A wrong password is refused.
  const Answer refused_answer = client.request(StunMethod::kAllocate, transport, true, "wrong");
  const StunMessage refused = refused_answer.message();
  CHECK(refused.cls() == StunClass::kErrorResponse);
  CHECK(refused.error_code()->code == 401);

  // 3. The right one gets an allocation; the answer carries integrity with the same key.
  const Answer allocated_answer = client.request(StunMethod::kAllocate, transport, true);
  const StunMessage allocated = allocated_answer.message();
  REQUIRE(allocated.cls() == StunClass::kSuccessResponse);
  CHECK(allocated.verify_message_integrity(kKey).ok());
  CHECK(allocated.xor_mapped_address() == client.socket.local());
  REQUIRE(allocated.xor_relayed_address().has_value());
  const base::SocketAddress relayed = *allocated.xor_relayed_address();
  CHECK(relayed.ip() == base::IpAddress::v4(127, 0, 0, 1));
  CHECK(relayed.port() >= 40000);
  CHECK(relayed.port() <= 40999);
  CHECK(allocated.lifetime() > 0u);

  // 4. Permission for the peer, then a Send indication reaches it from the relayed address.
  const Answer permitted_answer = client.request(StunMethod::kCreatePermission, [&](MessageBuilder& b) {
    b.add_xor_address(AttributeType::kXorPeerAddress, peer.local());
  }, true);
  const StunMessage permitted = permitted_answer.message();
  REQUIRE(permitted.cls() == StunClass::kSuccessResponse);
  CHECK(permitted.verify_message_integrity(kKey).ok());
  client.send_indication(peer.local(), base::as_bytes("hello via Send"));
  auto at_peer = peer.receive(Duration::seconds(2));
  REQUIRE(at_peer.has_value());
  CHECK(at_peer->from == relayed);
  CHECK(base::as_string_view(at_peer->bytes) == "hello via Send");

  // 5. The peer answers; it arrives as a Data indication naming the peer.
  peer.send_to(relayed, base::as_bytes("reply as Data"));
  auto at_client = client.socket.receive(Duration::seconds(2));
  REQUIRE(at_client.has_value());
  const auto data_indication = StunMessage::parse(at_client->bytes);
  REQUIRE(data_indication.ok());
  CHECK(data_indication->method() == StunMethod::kData);
  CHECK(data_indication->cls() == StunClass::kIndication);
  CHECK(data_indication->xor_peer_address() == peer.local());
  CHECK(base::as_string_view(*data_indication->data()) == "reply as Data");

  // 6. A channel: ChannelData both ways.
  constexpr std::uint16_t kChannel = 0x4000;
  const Answer bound_answer = client.request(StunMethod::kChannelBind, [&](MessageBuilder& b) {
    b.add_channel_number(kChannel).add_xor_address(AttributeType::kXorPeerAddress, peer.local());
  }, true);
  const StunMessage bound = bound_answer.message();
  CHECK(bound.verify_message_integrity(kKey).ok());
  REQUIRE(bound.cls() == StunClass::kSuccessResponse);
  std::uint8_t frame[64];
  client.socket.send_to(client.server(), *write_channel_data(frame, kChannel, base::as_bytes("over channel"), true));
  at_peer = peer.receive(Duration::seconds(2));
  REQUIRE(at_peer.has_value());
  CHECK(base::as_string_view(at_peer->bytes) == "over channel");
  peer.send_to(relayed, base::as_bytes("back on channel"));
  at_client = client.socket.receive(Duration::seconds(2));
  REQUIRE(at_client.has_value());
  const auto channel_data = parse_channel_data(at_client->bytes);
  REQUIRE(channel_data.ok());
  CHECK(channel_data->channel == kChannel);
  CHECK(base::as_string_view(channel_data->data) == "back on channel");

  // 7. Deallocate: Refresh with LIFETIME 0.
  const Answer released_answer = client.request(StunMethod::kRefresh, [](MessageBuilder& b) {
    b.add_u32(AttributeType::kLifetime, 0);
  }, true);
  const StunMessage released = released_answer.message();
  CHECK(released.cls() == StunClass::kSuccessResponse);
  CHECK(released.lifetime() == 0u);
}
