#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>

#include <string>
#include <vector>

#include "dtls/endpoint.h"
#include "wall_clock.h"
#include "sim_network.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;
using base::SocketAddress;
using dtls::Role;
using dtls::SrtpProfile;
using dtls::State;

namespace {

const SocketAddress kA = *SocketAddress::parse("192.0.2.1:5000");
const SocketAddress kB = *SocketAddress::parse("198.51.100.1:5000");

std::shared_ptr<const dtls::Certificate> certificate(dtls::KeyType type = dtls::KeyType::kEcdsaP256) {
  auto generated = dtls::Certificate::generate(type);
  REQUIRE(generated.ok());
  return *generated;
}

// A DTLS endpoint on a simulated host, talking to one peer address.
class Host : public testing::SimEndpoint {
 public:
  Host(testing::SimNetwork& network, SocketAddress local, SocketAddress remote, dtls::Config config)
      : network_(network), local_(local), remote_(remote), endpoint(std::move(config)) {
    network_.attach(local.ip(), *this);
  }
  void on_datagram(Instant now, const SocketAddress&, const SocketAddress&, base::ByteView datagram) override {
    endpoint.handle_receive(now, datagram);
    drain();
  }
  Instant next_timeout() const override { return timeout_; }
  void on_timeout(Instant now) override {
    endpoint.handle_timeout(now);
    drain();
  }
  void drain() {
    while (true) {
      dtls::Output output = endpoint.poll_output();
      if (auto* t = std::get_if<dtls::Timeout>(&output)) {
        timeout_ = t->at;
        return;
      }
      if (auto* d = std::get_if<dtls::Datagram>(&output)) {
        ++sent;
        largest = std::max(largest, d->bytes.size());
        if (!drop || !drop(d->bytes)) network_.send(local_, remote_, d->bytes);
        continue;
      }
      const auto& event = std::get<dtls::Event>(output);
      if (auto* s = std::get_if<dtls::StateEvent>(&event)) {
        states.push_back(s->state);
        reason = s->reason;
      }
      if (auto* k = std::get_if<dtls::SrtpKeysEvent>(&event)) keys = *k;
      if (auto* a = std::get_if<dtls::ApplicationDataEvent>(&event)) received.emplace_back(base::as_string_view(a->data));
    }
  }

  testing::SimNetwork& network_;
  SocketAddress local_;
  SocketAddress remote_;
  dtls::Endpoint endpoint;
  Instant timeout_ = Instant::max();
  std::vector<State> states;
  std::string reason;
  std::optional<dtls::SrtpKeysEvent> keys;
  std::vector<std::string> received;
  int sent = 0;
  std::size_t largest = 0;
  std::function<bool(base::ByteView)> drop;  // true: the datagram is lost (it may be kept)
};

// Whether `datagram` holds a record of content type `type`.
bool has_record(base::ByteView datagram, std::uint8_t type) {
  while (datagram.size() >= 13) {
    if (datagram[0] == type) return true;
    datagram = datagram.subspan(std::min(datagram.size(), 13 + ((std::size_t{datagram[11]} << 8) | datagram[12])));
  }
  return false;
}

dtls::Config config(Role role, std::shared_ptr<const dtls::Certificate> own,
                    const std::shared_ptr<const dtls::Certificate>& peer, std::size_t mtu = 1200) {
  dtls::Config c;
  c.role = role;
  c.certificate = std::move(own);
  if (peer) c.remote_fingerprint = *peer->fingerprint();  // none: it comes later
  c.mtu = mtu;
  return c;
}

struct Pair {
  Pair(std::uint64_t seed, Role a_role, testing::LinkConditions link,
       dtls::KeyType type = dtls::KeyType::kEcdsaP256, std::size_t mtu = 1200)
      : network(seed), clock([this] { return network.now(); }), cert_a(certificate(type)), cert_b(certificate(type)),
        a(network, kA, kB, config(a_role, cert_a, cert_b, mtu)),
        b(network, kB, kA, config(a_role == Role::kClient ? Role::kServer : Role::kClient, cert_b, cert_a, mtu)) {
    network.set_default_link(link);
  }
  bool handshake(Duration limit = Duration::seconds(60)) {
    a.endpoint.start(network.now());
    b.endpoint.start(network.now());
    a.drain();
    b.drain();
    network.run_until([&] {
      return a.endpoint.state() != State::kConnecting && b.endpoint.state() != State::kConnecting;
    }, network.now() + limit);
    return a.endpoint.state() == State::kConnected && b.endpoint.state() == State::kConnected;
  }
  testing::SimNetwork network;
  testing::ScopedWallClock clock;
  std::shared_ptr<const dtls::Certificate> cert_a, cert_b;
  Host a;
  Host b;
};

void check_keys_match(const Host& a, const Host& b) {
  REQUIRE(a.keys.has_value());
  REQUIRE(b.keys.has_value());
  CHECK(a.keys->profile == b.keys->profile);
  CHECK(a.keys->local_key == b.keys->remote_key);
  CHECK(a.keys->local_salt == b.keys->remote_salt);
  CHECK(a.keys->remote_key == b.keys->local_key);
  CHECK(a.keys->remote_salt == b.keys->local_salt);
  CHECK_FALSE(a.keys->local_key == a.keys->remote_key);
  CHECK(a.keys->local_key.size() == dtls::srtp_key_size(a.keys->profile));
  CHECK(a.keys->local_salt.size() == dtls::srtp_salt_size(a.keys->profile));
}

// Each end sends the other a message, and each arrives.
void check_data_flows(Pair& pair) {
  REQUIRE(pair.a.endpoint.send(base::as_bytes("to b")).ok());
  REQUIRE(pair.b.endpoint.send(base::as_bytes("to a")).ok());
  pair.a.drain();
  pair.b.drain();
  pair.network.run_for(Duration::milliseconds(100));
  CHECK(pair.b.received == std::vector<std::string>{"to b"});
  CHECK(pair.a.received == std::vector<std::string>{"to a"});
}

}  // namespace

TEST_CASE("a DTLS endpoint's timeout says what is due: the handshake flight, or nothing", "[dtls]") {
  testing::ScopedWallClock clock([] { return Instant{}; });
  const auto timeout_of = [](dtls::Endpoint& endpoint) {
    for (;;) {
      dtls::Output output = endpoint.poll_output();
      if (auto* timeout = std::get_if<dtls::Timeout>(&output)) return *timeout;
    }
  };
  dtls::Endpoint client(config(Role::kClient, certificate(), certificate()));
  CHECK(timeout_of(client).reason == dtls::TimerReason::kNone);  // not started
  client.start(Instant{});
  const dtls::Timeout flight = timeout_of(client);  // the ClientHello is in the air
  CHECK(flight.reason == dtls::TimerReason::kRetransmission);
  CHECK(flight.at < Instant::max());
  CHECK(dtls::to_string(flight.reason) == "retransmission");
}

TEST_CASE("DTLS handshake in both role assignments: keys agree, data flows", "[dtls]") {
  for (Role role : {Role::kClient, Role::kServer}) {
    Pair pair(1, role, {.delay = Duration::milliseconds(20)});
    REQUIRE(pair.handshake());
    check_keys_match(pair.a, pair.b);
    CHECK(pair.a.keys->profile == SrtpProfile::kAeadAes256Gcm);  // first in the default order
    CHECK(pair.a.states == std::vector<State>{State::kConnecting, State::kConnected});
    check_data_flows(pair);
    pair.a.endpoint.close();
    pair.a.drain();
    pair.network.run_for(Duration::milliseconds(100));
    CHECK(pair.b.endpoint.state() == State::kClosed);
    CHECK(pair.b.reason == "the peer sent close_notify");
  }
}

TEST_CASE("DTLS handshake completes through 20% loss and through reordering", "[dtls]") {
  int completed = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    Pair lossy(seed, Role::kClient, {.delay = Duration::milliseconds(30), .loss = 0.2});
    if (lossy.handshake()) {
      ++completed;
      check_keys_match(lossy.a, lossy.b);
    }
  }
  CHECK(completed == 10);
  Pair reordering(20, Role::kServer, {.delay = Duration::milliseconds(10), .jitter = Duration::milliseconds(5),
                                       .reorder = 0.3, .reorder_delay = Duration::milliseconds(15)});
  REQUIRE(reordering.handshake());
  check_keys_match(reordering.a, reordering.b);
}

TEST_CASE("a fingerprint mismatch fails the handshake and releases nothing", "[dtls]") {
  Pair pair(3, Role::kClient, {.delay = Duration::milliseconds(10)});
  Host server(pair.network, *SocketAddress::parse("203.0.113.9:5000"), kA,
              config(Role::kServer, pair.cert_b, certificate()));  // expects another certificate
  pair.a.remote_ = server.local_;
  pair.a.endpoint.start(pair.network.now());
  pair.a.drain();
  pair.network.run_for(Duration::seconds(5));
  CHECK(server.endpoint.state() == State::kFailed);
  CHECK(server.reason.find("does not match the fingerprint") != std::string::npos);
  CHECK_FALSE(server.keys.has_value());
  CHECK_FALSE(server.endpoint.send(base::as_bytes("x")).ok());
  // The client, whose handshake had completed, is told by a fatal bad_certificate alert.
  CHECK(pair.a.endpoint.state() == State::kFailed);
  CHECK(pair.a.reason.find("fatal alert 42") != std::string::npos);
}

TEST_CASE("the remote fingerprint may arrive after the handshake; nothing is released before", "[dtls]") {
  Pair pair(4, Role::kServer, {.delay = Duration::milliseconds(10)});
  Host a(pair.network, *SocketAddress::parse("203.0.113.10:5000"), kB, config(Role::kServer, pair.cert_a, nullptr));
  pair.b.remote_ = a.local_;
  pair.b.endpoint.start(pair.network.now());
  pair.b.drain();
  pair.network.run_for(Duration::seconds(2));
  CHECK(pair.b.endpoint.state() == State::kConnected);
  CHECK(a.endpoint.state() == State::kConnecting);  // handshake done, peer not yet authenticated
  CHECK_FALSE(a.keys.has_value());
  a.endpoint.set_remote_fingerprint(pair.network.now(), *pair.cert_b->fingerprint());
  a.drain();
  CHECK(a.endpoint.state() == State::kConnected);
  check_keys_match(a, pair.b);
}

TEST_CASE("the server picks its preferred SRTP profile among those offered", "[dtls]") {
  Pair pair(5, Role::kClient, {.delay = Duration::milliseconds(10)});
  dtls::Config client = config(Role::kClient, pair.cert_a, pair.cert_b);
  client.srtp_profiles = {SrtpProfile::kAes128CmSha1_80, SrtpProfile::kAeadAes128Gcm};
  Host c(pair.network, *SocketAddress::parse("203.0.113.11:5000"), kB, std::move(client));
  pair.b.remote_ = c.local_;
  c.endpoint.start(pair.network.now());
  pair.b.endpoint.start(pair.network.now());
  c.drain();
  pair.network.run_for(Duration::seconds(2));
  REQUIRE(c.keys.has_value());
  CHECK(c.keys->profile == SrtpProfile::kAeadAes128Gcm);
  CHECK(c.keys->local_key.size() == 16);
  CHECK(c.keys->local_salt.size() == 12);
}

TEST_CASE("retransmissions follow the timer, not incoming garbage; then the handshake fails", "[dtls]") {
  testing::SimNetwork network(6);
  testing::ScopedWallClock clock([&] { return network.now(); });
  Host client(network, kA, kB, config(Role::kClient, certificate(), certificate()));  // nobody at kB
  client.endpoint.start(network.now());
  client.drain();
  // Records OpenSSL discards (an epoch that does not exist yet) must not make it resend.
  const std::uint8_t stray[] = {22, 254, 253, 0, 7, 0, 0, 0, 0, 0, 1, 0, 3, 1, 2, 3};
  for (int i = 0; i < 10; ++i) client.on_datagram(network.now(), kA, kB, stray);
  CHECK(client.endpoint.state() == State::kConnecting);
  CHECK(client.sent == 1);
  network.run_for(Duration::seconds(1));
  CHECK(client.sent == 2);  // the first retransmission after 0.5 s
  network.run_for(Duration::seconds(180));
  CHECK(client.endpoint.state() == State::kFailed);
  CHECK(client.sent > 5);
  CHECK(client.reason.find("timed out") != std::string::npos);
}

TEST_CASE("every datagram fits the MTU, RSA certificates included", "[dtls]") {
  for (std::size_t mtu : {1200u, 600u}) {
    Pair pair(7, Role::kClient, {.delay = Duration::milliseconds(5)}, dtls::KeyType::kRsa2048, mtu);
    REQUIRE(pair.handshake());
    CHECK(pair.a.largest <= mtu);
    CHECK(pair.b.largest <= mtu);
  }
}

TEST_CASE("SSLKEYLOGFILE receives the session's secrets in NSS key log format", "[dtls]") {
  char path_template[] = "/tmp/rtcstack-keylog-XXXXXX";
  const int fd = mkstemp(path_template);
  REQUIRE(fd >= 0);
  close(fd);
  setenv("SSLKEYLOGFILE", path_template, 1);
  {
    Pair pair(8, Role::kClient, {.delay = Duration::milliseconds(5)});
    REQUIRE(pair.handshake());
  }
  unsetenv("SSLKEYLOGFILE");
  std::ifstream file(path_template);
  std::string line;
  int lines = 0;
  while (std::getline(file, line)) {
    CHECK(line.starts_with("CLIENT_RANDOM "));  // DTLS 1.2: one master secret per side
    ++lines;
  }
  CHECK(lines == 2);
  std::remove(path_template);
}

TEST_CASE("DTLS-SRTP keys (RFC 5764 §4.2): both sides export the same keys, each one's sending key the other's receiving",
          "[dtls]") {
  // That such keys drive SRTP sessions which understand each other is lib/pc's to show
  // (tests/pc: RTP over SRTP between two PeerConnections); lib/dtls does not stand on srtp.
  Pair pair(9, Role::kClient, {.delay = Duration::milliseconds(5)});
  REQUIRE(pair.handshake());
  const auto& a = *pair.a.keys;
  const auto& b = *pair.b.keys;
  CHECK(a.profile == b.profile);
  CHECK(a.local_key == b.remote_key);
  CHECK(a.local_salt == b.remote_salt);
  CHECK(a.remote_key == b.local_key);
  CHECK(a.remote_salt == b.local_salt);
  CHECK_FALSE(a.local_key == a.remote_key);  // two directions, two keys
}

TEST_CASE("the server's last flight lost: the client's retransmission brings it again, then data flows", "[dtls]") {
  for (dtls::KeyType type : {dtls::KeyType::kEcdsaP256, dtls::KeyType::kRsa2048}) {
    Pair pair(3, Role::kClient, {.delay = Duration::milliseconds(10)}, type);  // a client, b server
    int lost = 0;
    pair.b.drop = [&](base::ByteView datagram) {
      if (lost > 0 || !has_record(datagram, 20)) return false;  // the ChangeCipherSpec starts the last flight
      ++lost;
      return true;
    };
    const int before = pair.b.sent;
    REQUIRE(pair.handshake());
    CHECK(lost == 1);
    CHECK(pair.b.sent > before + 2);  // its flights, then the last one again
    check_keys_match(pair.a, pair.b);
    check_data_flows(pair);
  }
}

TEST_CASE("after the handshake, forged epoch-0 handshake records get the last flight at most every 100 ms", "[dtls]") {
  Pair pair(4, Role::kClient, {.delay = Duration::milliseconds(10)});
  REQUIRE(pair.handshake());
  // An unprotected handshake record, as a client retransmitting its flight would send.
  const std::vector<std::uint8_t> forged = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 12,
                                            16, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0};
  const Instant now = pair.network.now();
  int sent = pair.b.sent;
  pair.b.endpoint.handle_receive(now, forged);
  pair.b.drain();
  CHECK(pair.b.sent > sent);  // the last flight, again
  sent = pair.b.sent;
  for (int i = 0; i < 50; ++i) pair.b.endpoint.handle_receive(now + Duration::milliseconds(i), forged);
  pair.b.drain();
  CHECK(pair.b.sent == sent);
  pair.b.endpoint.handle_receive(now + Duration::milliseconds(150), forged);
  pair.b.drain();
  CHECK(pair.b.sent > sent);
  CHECK(pair.b.endpoint.state() == State::kConnected);
  // The client's first data shows it has the flight: no more resends, the records are drops.
  REQUIRE(pair.a.endpoint.send(base::as_bytes("done")).ok());
  pair.a.drain();
  pair.network.run_for(Duration::milliseconds(100));
  REQUIRE(pair.b.received == std::vector<std::string>{"done"});
  sent = pair.b.sent;
  const std::uint64_t dropped = pair.b.endpoint.dropped();
  pair.b.endpoint.handle_receive(pair.network.now() + Duration::seconds(1), forged);
  pair.b.drain();
  CHECK(pair.b.sent == sent);
  CHECK(pair.b.endpoint.dropped() == dropped + 1);
  // The client keeps no flight at all: the same record there is a drop.
  const std::uint64_t a_dropped = pair.a.endpoint.dropped();
  sent = pair.a.sent;
  pair.a.endpoint.handle_receive(pair.network.now(), forged);
  pair.a.drain();
  CHECK(pair.a.sent == sent);
  CHECK(pair.a.endpoint.dropped() == a_dropped + 1);
}

TEST_CASE("an established session drops replayed, tampered and unexpected records and counts them", "[dtls]") {
  Pair pair(5, Role::kServer, {.delay = Duration::milliseconds(10)});
  REQUIRE(pair.handshake());
  std::vector<base::Buffer> captured;
  pair.a.drop = [&](base::ByteView datagram) {
    captured.emplace_back(datagram);
    return true;
  };
  REQUIRE(pair.a.endpoint.send(base::as_bytes("once")).ok());
  pair.a.drain();
  REQUIRE(captured.size() == 1);
  const base::Buffer record = captured[0];
  const Instant now = pair.network.now();
  pair.b.endpoint.handle_receive(now, record);
  pair.b.drain();
  CHECK(pair.b.received == std::vector<std::string>{"once"});
  const std::uint64_t dropped = pair.b.endpoint.dropped();
  pair.b.endpoint.handle_receive(now, record);  // replayed
  base::Buffer tampered = record;
  tampered[tampered.size() - 1] ^= 0x80;
  pair.b.endpoint.handle_receive(now, tampered);
  base::Buffer epoch2 = record;
  epoch2[4] = 2;
  pair.b.endpoint.handle_receive(now, epoch2);
  base::Buffer twice = record;  // a datagram of two records: the replay is dropped, the datagram counted once
  twice.append(record);
  pair.b.endpoint.handle_receive(now, twice);
  pair.b.drain();
  CHECK(pair.b.received == std::vector<std::string>{"once"});
  CHECK(pair.b.endpoint.dropped() == dropped + 4);
  CHECK(pair.b.endpoint.state() == State::kConnected);
  // A record too large for DTLS is refused before anything is sent.
  const std::vector<std::uint8_t> huge(16385);
  CHECK_FALSE(pair.a.endpoint.send(huge).ok());
  CHECK(pair.a.endpoint.state() == State::kConnected);
}
