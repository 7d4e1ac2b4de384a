#include <catch2/catch.hpp>

#include <vector>

#include "base/random.h"
#include "sim_network.h"
#include "stun_server.h"
#include "stun/client_transaction.h"
#include "stun/message_builder.h"

using namespace rtcstack;
using namespace rtcstack::stun;
using base::Duration;
using base::Instant;

namespace {

base::Buffer binding_request(base::Random& random) {
  std::uint8_t out[64];
  MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kRequest},
                         TransactionId::random(random));
  builder.add_fingerprint();
  return base::Buffer(*builder.finish());
}

base::Buffer binding_response(const StunMessage& request, const base::SocketAddress& mapped) {
  std::uint8_t out[64];
  MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kSuccessResponse},
                         request.transaction_id());
  builder.add_xor_address(AttributeType::kXorMappedAddress, mapped).add_fingerprint();
  return base::Buffer(*builder.finish());
}

Duration since(Instant start, Instant at) { return at - start; }

}  // namespace

TEST_CASE("retransmissions follow RFC 8489 6.2.1 and end in a timeout", "[stun][transaction]") {
  base::SeededRandom random(1);
  const base::Buffer request = binding_request(random);
  const Instant start = Instant{} + Duration::seconds(100);
  auto transaction = ClientTransaction::start(request, {}, start);
  REQUIRE(transaction.ok());

  std::vector<Duration> sent_at;
  Instant now = start;
  while (transaction->state() == TransactionState::kWaiting) {
    while (auto datagram = transaction->poll_transmit()) {
      CHECK(base::bytes_equal(*datagram, request));
      sent_at.push_back(since(start, now));
    }
    now = transaction->poll_timeout();
    transaction->handle_timeout(now);
  }
  CHECK(transaction->state() == TransactionState::kTimedOut);
  const std::vector<Duration> expected = {
      Duration::milliseconds(0),     Duration::milliseconds(500),   Duration::milliseconds(1500),
      Duration::milliseconds(3500),  Duration::milliseconds(7500),  Duration::milliseconds(15500),
      Duration::milliseconds(31500)};
  CHECK(sent_at == expected);
  CHECK(since(start, now) == Duration::milliseconds(39500));
  CHECK(transaction->transmissions() == 7);
  CHECK(transaction->poll_timeout() == Instant::max());
  CHECK_FALSE(transaction->poll_transmit().has_value());
}

TEST_CASE("RTO, Rc, Rm and the interval cap are configurable", "[stun][transaction]") {
  base::SeededRandom random(2);
  const base::Buffer request = binding_request(random);
  TransactionConfig config;
  config.rto = Duration::milliseconds(100);
  config.max_transmissions = 4;
  config.final_wait_factor = 2;
  config.max_interval = Duration::milliseconds(300);
  auto transaction = ClientTransaction::start(request, config, Instant{});
  REQUIRE(transaction.ok());
  std::vector<std::int64_t> sent_ms;
  Instant now{};
  while (transaction->state() == TransactionState::kWaiting) {
    while (transaction->poll_transmit()) sent_ms.push_back((now - Instant{}).as_milliseconds());
    now = transaction->poll_timeout();
    transaction->handle_timeout(now);
  }
  CHECK(sent_ms == std::vector<std::int64_t>{0, 100, 300, 600});  // 100, 200, then capped 300
  CHECK((now - Instant{}).as_milliseconds() == 800);                // 600 + 2 x 100
}

TEST_CASE("a response ends the transaction; strangers and early timeouts change nothing",
          "[stun][transaction]") {
  base::SeededRandom random(3);
  const base::Buffer request = binding_request(random);
  auto transaction = ClientTransaction::start(request, {}, Instant{});
  REQUIRE(transaction.ok());
  REQUIRE(transaction->poll_transmit().has_value());
  transaction->handle_timeout(Instant{} + Duration::milliseconds(499));  // too early
  CHECK_FALSE(transaction->poll_transmit().has_value());

  const auto parsed_request = *StunMessage::parse(request);
  // Another transaction's response is not ours.
  const base::Buffer stranger_request = binding_request(random);
  const auto stranger = binding_response(*StunMessage::parse(stranger_request),
                                         *base::SocketAddress::parse("192.0.2.9:9"));
  CHECK_FALSE(transaction->handle_response(Instant{}, *StunMessage::parse(stranger)));
  // A request with our id is not a response.
  CHECK_FALSE(transaction->handle_response(Instant{}, parsed_request));

  const auto response = binding_response(parsed_request, *base::SocketAddress::parse("192.0.2.9:9"));
  CHECK(transaction->handle_response(Instant{} + Duration::milliseconds(42), *StunMessage::parse(response)));
  CHECK(transaction->state() == TransactionState::kAnswered);
  CHECK(transaction->rtt() == Duration::milliseconds(42));
  // A duplicate response is not taken twice.
  CHECK_FALSE(transaction->handle_response(Instant{}, *StunMessage::parse(response)));
  CHECK(transaction->poll_timeout() == Instant::max());
}

TEST_CASE("no RTT sample after a retransmission (Karn)", "[stun][transaction]") {
  base::SeededRandom random(4);
  const base::Buffer request = binding_request(random);
  auto transaction = ClientTransaction::start(request, {}, Instant{});
  REQUIRE(transaction->poll_transmit());
  transaction->handle_timeout(transaction->poll_timeout());
  REQUIRE(transaction->poll_transmit());
  const auto response = binding_response(*StunMessage::parse(request), *base::SocketAddress::parse("192.0.2.9:9"));
  CHECK(transaction->handle_response(Instant{} + Duration::seconds(1), *StunMessage::parse(response)));
  CHECK_FALSE(transaction->rtt().has_value());
}

TEST_CASE("start rejects what is not a request", "[stun][transaction]") {
  CHECK(ClientTransaction::start(base::as_bytes("nope"), {}, Instant{}).error().code ==
        base::ErrorCode::kInvalidArgument);
  base::SeededRandom random(5);
  const auto response = binding_response(*StunMessage::parse(binding_request(random)),
                                         *base::SocketAddress::parse("192.0.2.9:9"));
  CHECK_FALSE(ClientTransaction::start(response, {}, Instant{}).ok());
  TransactionConfig bad;
  bad.max_transmissions = 0;
  CHECK_FALSE(ClientTransaction::start(binding_request(random), bad, Instant{}).ok());
}

namespace {

// A STUN binding client that runs one transaction at a time over the simulated network.
class BindingClient : public testing::SimEndpoint {
 public:
  BindingClient(testing::SimNetwork& network, base::SocketAddress local, base::SocketAddress server)
      : network_(network), local_(local), server_(server), random_(11) {
    network_.attach(local.ip(), *this);
  }
  void start(Instant now) {
    request_ = binding_request(random_);
    transaction_.emplace(*ClientTransaction::start(request_, {}, now));
    flush();
  }
  void on_datagram(Instant now, const base::SocketAddress&, const base::SocketAddress&,
                   base::ByteView datagram) override {
    const auto message = StunMessage::parse(datagram);
    if (message && transaction_ && transaction_->handle_response(now, *message)) {
      mapped = message->xor_mapped_address();
    }
  }
  Instant next_timeout() const override {
    return transaction_ ? transaction_->poll_timeout() : Instant::max();
  }
  void on_timeout(Instant now) override {
    transaction_->handle_timeout(now);
    flush();
  }
  const ClientTransaction& transaction() const { return *transaction_; }
  std::optional<base::SocketAddress> mapped;

 private:
  void flush() {
    while (auto datagram = transaction_->poll_transmit()) network_.send(local_, server_, *datagram);
  }
  testing::SimNetwork& network_;
  base::SocketAddress local_;
  base::SocketAddress server_;
  base::SeededRandom random_;
  base::Buffer request_;
  std::optional<ClientTransaction> transaction_;
};

}  // namespace

TEST_CASE("a binding transaction completes over a lossy simulated network", "[stun][transaction][sim]") {
  const auto client_address = *base::SocketAddress::parse("192.0.2.10:50000");
  const auto server_address = *base::SocketAddress::parse("203.0.113.1:3478");
  int answered = 0;
  int retransmitted = 0;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    testing::SimNetwork network(seed);
    network.set_link_both_ways(client_address.ip(), server_address.ip(),
                               {.delay = Duration::milliseconds(40), .loss = 0.4});
    BindingClient client(network, client_address, server_address);
    testing::StunServerEndpoint server(network, server_address);
    client.start(network.now());
    network.run_until([&] { return client.transaction().state() != TransactionState::kWaiting; },
                      network.now() + Duration::seconds(60));
    if (client.transaction().state() == TransactionState::kAnswered) {
      ++answered;
      CHECK(client.mapped == client_address);
      if (client.transaction().transmissions() > 1) ++retransmitted;
    } else {
      CHECK(client.transaction().state() == TransactionState::kTimedOut);
    }
  }
  // With 40% loss each way a round trip succeeds with p = 0.36; 7 tries fail together
  // with p = 0.64^7 = 4%. Nearly all complete, many only after retransmitting.
  CHECK(answered >= 44);
  CHECK(retransmitted >= 15);
}
