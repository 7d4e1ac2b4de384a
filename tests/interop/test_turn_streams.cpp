// TURN over TCP and TLS (RFC 8656 §3.1) on real sockets: two PeerConnections on their own
// Runtimes, relay-only, reach each other through coturn (started by with_coturn.sh) over
// UDP, TCP and TLS, and echo data both ways; a TLS server whose certificate does not name
// the host we asked for, and a "TURN server" that sends garbage or closes mid-stream,
// each end in an icecandidateerror while the host candidates carry the call.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "handle_negotiation.h"
#include "interop_env.h"
#include "net/ice_servers.h"
#include "net/runtime.h"
#include "tcp_listener.h"

using namespace rtcstack;
using Clock = std::chrono::steady_clock;

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) FAIL(name << " is not set: run through tests/interop/with_coturn.sh");
  return value;
}

bool wait_for(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

std::unique_ptr<net::Runtime> loopback_runtime() {
  net::RuntimeOptions options;
  options.addresses = {base::IpAddress::v4(127, 0, 0, 1)};
  options.tls_ca_file = env("RTCSTACK_TURN_CA");  // trusts coturn's test certificate
  auto runtime = net::Runtime::create(options);
  REQUIRE(runtime.ok());
  return std::move(*runtime);
}

// Two connections; a offers a channel, b echoes. Candidates are trickled directly.
struct Call {
  std::unique_ptr<net::Runtime> runtime_a = loopback_runtime(), runtime_b = loopback_runtime();
  std::shared_ptr<net::PeerConnectionHandle> a, b;
  std::atomic<bool> open{false};
  std::atomic<int> echoes{0};
  std::mutex mutex;
  std::vector<pc::IceCandidateErrorEvent> errors;  // a's
  pc::ChannelHandle channel = 0;

  Call(const pc::Configuration& a_configuration, const pc::Configuration& b_configuration) {
    net::Callbacks on_a, on_b;
    on_a.on_ice_candidate = [this](const std::string& candidate, const std::string&) {
      if (b) (void)b->add_ice_candidate(candidate);
    };
    on_b.on_ice_candidate = [this](const std::string& candidate, const std::string&) {
      if (a) (void)a->add_ice_candidate(candidate);
    };
    on_a.on_ice_candidate_error = [this](const pc::IceCandidateErrorEvent& error) {
      std::lock_guard lock(mutex);
      errors.push_back(error);
    };
    on_a.on_channel_state = [this](pc::ChannelHandle, pc::DataChannelState state) {
      if (state == pc::DataChannelState::kOpen) open = true;
    };
    on_a.on_message = [this](pc::ChannelHandle, bool, base::Buffer) { ++echoes; };
    std::weak_ptr<net::PeerConnectionHandle>* self = &b_self;
    on_b.on_message = [self](pc::ChannelHandle channel, bool binary, base::Buffer data) {
      if (auto handle = self->lock()) (void)handle->send(channel, data, binary);
    };
    a = *runtime_a->create_peer_connection(a_configuration, on_a);
    b = *runtime_b->create_peer_connection(b_configuration, on_b);
    b_self = b;
  }
  ~Call() {
    a->close();
    b->close();
  }
  void connect() {
    pc::DataChannelInit init;
    init.label = "turn";
    channel = *a->create_data_channel(init);
    testing::negotiate(*a, *b);
    REQUIRE(wait_for([&] { return open.load(); }, std::chrono::seconds(20)));
  }
  /// Waits for a's first icecandidateerror and returns it.
  pc::IceCandidateErrorEvent first_error() {
    REQUIRE(wait_for([&] {
      std::lock_guard lock(mutex);
      return !errors.empty();
    }, std::chrono::seconds(20)));
    std::lock_guard lock(mutex);
    CHECK(errors.size() == 1);
    return errors[0];
  }
  // The selected pair's local candidate, from a's stats.
  const pc::Stats* selected_local(const std::vector<pc::Stats>& stats) {
    std::string pair_id, local_id;
    for (const auto& s : stats) {
      if (s.type == "transport" && s.get("selectedCandidatePairId")) pair_id = std::get<std::string>(*s.get("selectedCandidatePairId"));
    }
    for (const auto& s : stats) {
      if (s.id == pair_id) local_id = std::get<std::string>(*s.get("localCandidateId"));
    }
    for (const auto& s : stats) {
      if (s.id == local_id) return &s;
    }
    return nullptr;
  }
  std::weak_ptr<net::PeerConnectionHandle> b_self;
};

// The server as W3C iceServers name it, resolved by net::add_ice_servers: "turn:IP:PORT",
// "turn:IP:PORT?transport=tcp", or "turns:localhost:PORT" (a name, which the certificate
// must carry; localhost resolves to 127.0.0.1 and ::1, both coturn's).
pc::Configuration relay_only(ice::TurnTransport transport, const std::string& tls_host = "localhost") {
  pc::Configuration configuration;
  const auto address = *base::SocketAddress::parse(env(transport == ice::TurnTransport::kTls ? "RTCSTACK_TURN_TLS_SERVER"
                                                                                              : "RTCSTACK_TURN_SERVER"));
  const std::string port = std::to_string(address.port());
  const std::string url = transport == ice::TurnTransport::kTls ? "turns:" + tls_host + ":" + port
                          : transport == ice::TurnTransport::kTcp ? "turn:127.0.0.1:" + port + "?transport=tcp"
                                                                  : "turn:127.0.0.1:" + port;
  REQUIRE(net::add_ice_servers(configuration, {{{url}, "test", "turn-secret-7Qx"}}).ok());
  configuration.ice.policy = pc::IceTransportPolicy::kRelay;
  return configuration;
}

// A TCP listener on 127.0.0.1 that plays a broken TURN server for one connection: it
// answers the first bytes with garbage, or reads them and closes.
class BrokenServer {
 public:
  explicit BrokenServer(bool garbage) {
    thread_ = std::thread([this, garbage] {
      const int client = ::accept(listener_.fd(), nullptr, nullptr);
      if (client < 0) return;
      std::uint8_t buffer[2048];
      if (::recv(client, buffer, sizeof buffer, 0) > 0 && garbage) {
        const std::uint8_t junk[] = {0x16, 0x03, 0x03, 0x00, 0x10, 0xde, 0xad, 0xbe, 0xef};
        (void)::send(client, junk, sizeof junk, MSG_NOSIGNAL);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
      ::close(client);
    });
  }
  ~BrokenServer() {
    ::shutdown(listener_.fd(), SHUT_RDWR);  // an accept() still waiting returns
    thread_.join();
  }
  const base::SocketAddress& address() const { return listener_.address(); }

 private:
  testing::TcpListener listener_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("relay-only calls through coturn over UDP, TCP and TLS: connected, echoed both ways, stats name the relay",
          "[interop][turn][tcp]") {
  const auto transport = GENERATE(ice::TurnTransport::kUdp, ice::TurnTransport::kTcp, ice::TurnTransport::kTls);
  const std::string name(ice::to_string(transport));
  INFO("TURN over " << name);
  Call call(relay_only(transport), relay_only(transport));
  const auto started = Clock::now();
  call.connect();
  const double connected_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  for (int i = 0; i < 20; ++i) REQUIRE(call.a->send(call.channel, "through the relay " + std::to_string(i)).ok());
  REQUIRE(wait_for([&] { return call.echoes == 20; }, std::chrono::seconds(10)));
  const auto stats = call.a->get_stats();
  const pc::Stats* local = call.selected_local(stats);
  REQUIRE(local != nullptr);
  CHECK(std::get<std::string>(*local->get("candidateType")) == "relay");
  CHECK(std::get<std::string>(*local->get("relayProtocol")) == name);
  const std::string url = std::get<std::string>(*local->get("url"));
  CHECK(url.starts_with(transport == ice::TurnTransport::kTls ? "turns:localhost:" : "turn:127.0.0.1:"));
  CHECK(url.ends_with(transport == ice::TurnTransport::kUdp ? "?transport=udp" : "?transport=tcp"));
  {
    std::lock_guard lock(call.mutex);
    CHECK(call.errors.empty());
  }
  // A figure for the README (time from the offer to the channel open), not an assertion.
  std::printf("{\"turn_connect\":{\"transport\":\"%s\",\"channel_open_ms\":%.1f}}\n", name.c_str(), connected_ms);
}

TEST_CASE("a TURN/TLS certificate that does not name the host asked for is refused: icecandidateerror, host candidates carry on",
          "[interop][turn][tcp]") {
  // A name that resolves (to 127.0.0.1) but is not on the certificate.
  pc::Configuration a_configuration = relay_only(ice::TurnTransport::kTls, "127.0.0.1");
  a_configuration.ice.turn_servers[0].host = "turn.example.org";
  a_configuration.ice.policy = pc::IceTransportPolicy::kAll;
  Call call(a_configuration, {});
  call.connect();
  const pc::IceCandidateErrorEvent error = call.first_error();
  INFO(error.error_text);
  CHECK(error.error_code == 701);
  CHECK(error.url.starts_with("turns:turn.example.org:"));
  CHECK(error.error_text.find("certificate") != std::string::npos);
}

TEST_CASE("a TURN server that sends garbage or closes mid-stream: icecandidateerror, host candidates carry on",
          "[interop][turn][tcp]") {
  const bool garbage = GENERATE(true, false);
  INFO((garbage ? "garbage" : "closed mid-stream"));
  BrokenServer broken(garbage);
  pc::Configuration a_configuration;
  a_configuration.ice.turn_servers = {{broken.address(), "test", "secret", ice::TurnTransport::kTcp, {}, {}}};
  Call call(a_configuration, {});
  call.connect();
  const pc::IceCandidateErrorEvent error = call.first_error();
  CHECK(error.error_code == 701);
  CHECK(error.url == "turn:" + broken.address().to_string() + "?transport=tcp");
  CHECK(error.error_text.find(garbage ? "other than TURN" : "closed") != std::string::npos);
  REQUIRE(call.a->send(call.channel, "over the host pair").ok());
  CHECK(wait_for([&] { return call.echoes == 1; }, std::chrono::seconds(10)));
}
