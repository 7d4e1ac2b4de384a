// lib/net under pressure: caps on connections, connections that end giving their sockets
// back at once (counted in /proc/self/fd), and a process out of descriptors.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "handle_negotiation.h"
#include "net/runtime.h"
#include "net/sockaddr.h"
#include "runtime_helpers.h"
#include "tcp_listener.h"

using namespace rtcstack;
using net::PeerConnectionHandle;
using testing::eventually;
using testing::loopback_runtime;

namespace {

std::size_t open_descriptors() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

// An offer answered, its candidates never given: the answerer waits for checks that
// never come, as a server does for an abandoned browser offer.
void answer_and_abandon(PeerConnectionHandle& offerer, PeerConnectionHandle& answerer) {
  testing::negotiate(offerer, answerer, /*apply_answer=*/false);
}

}  // namespace

TEST_CASE("caps on live and unconnected connections refuse more, and free up as connections end", "[net][limits]") {
  net::RuntimeOptions options;
  options.max_connections = 3;
  options.max_unconnected = 2;
  auto runtime = loopback_runtime(options);
  auto a = *runtime->create_peer_connection({}, {});
  auto b = *runtime->create_peer_connection({}, {});
  // Two not yet connected: the unconnected cap is reached.
  auto refused = runtime->create_peer_connection({}, {});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == base::ErrorCode::kResourceExhausted);
  CHECK_THAT(refused.error().message, Catch::Contains("max_unconnected"));
  // Connect them (candidates trickled by hand once both descriptions are set).
  auto offer = *a->create_offer();
  REQUIRE(a->set_local_description(offer).ok());
  REQUIRE(b->set_remote_description(offer).ok());
  const auto answer = *b->create_answer();
  REQUIRE(b->set_local_description(answer).ok());
  REQUIRE(a->set_remote_description(answer).ok());
  REQUIRE(eventually([&] {
    return a->ice_gathering_state() == pc::IceGatheringState::kComplete &&
           b->ice_gathering_state() == pc::IceGatheringState::kComplete;
  }));
  for (const auto& [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
    const std::string sdp = from->local_description()->sdp;
    for (std::size_t at = sdp.find("a=candidate:"); at != std::string::npos; at = sdp.find("a=candidate:", at + 1)) {
      REQUIRE(to->add_ice_candidate(sdp.substr(at + 2, sdp.find('\r', at) - at - 2)).ok());
    }
  }
  REQUIRE(eventually([&] {
    return a->connection_state() == pc::PeerConnectionState::kConnected &&
           b->connection_state() == pc::PeerConnectionState::kConnected;
  }));
  CHECK(runtime->load().live == 2);
  CHECK(runtime->load().unconnected == 0);
  // One more fits the total cap of three; a fourth does not.
  auto c = runtime->create_peer_connection({}, {});
  REQUIRE(c.ok());
  auto fourth = runtime->create_peer_connection({}, {});
  REQUIRE_FALSE(fourth.ok());
  CHECK_THAT(fourth.error().message, Catch::Contains("max_connections"));
  // A closed connection no longer counts, even while its handle lives; its peer sees the
  // close_notify and ends too.
  a->close();
  REQUIRE(eventually([&] { return b->connection_state() == pc::PeerConnectionState::kClosed; }));
  CHECK(runtime->load().live == 1);
  auto d = runtime->create_peer_connection({}, {});
  CHECK(d.ok());
  CHECK(a->connection_state() == pc::PeerConnectionState::kClosed);
}

TEST_CASE("a connection that fails gives its sockets back at once; its handle still answers", "[net][limits]") {
  auto runtime = loopback_runtime();
  pc::Configuration quick;
  quick.setup_timeout = base::Duration::milliseconds(500);
  std::atomic<int> failed{0};
  net::Callbacks callbacks;
  callbacks.on_connection_state_change = [&](pc::PeerConnectionState state, const std::string& reason) {
    if (state == pc::PeerConnectionState::kFailed && reason.find("not connected within") != std::string::npos) ++failed;
  };
  const std::size_t before = open_descriptors();
  std::vector<std::shared_ptr<PeerConnectionHandle>> handles;
  for (int i = 0; i < 10; ++i) {
    auto offerer = *runtime->create_peer_connection(quick, callbacks);
    auto answerer = *runtime->create_peer_connection(quick, callbacks);
    answer_and_abandon(*offerer, *answerer);
    handles.push_back(offerer);
    handles.push_back(answerer);
  }
  CHECK(open_descriptors() == before + 20);  // one socket each, on 127.0.0.1
  // The answerers fail at their deadline; each offerer (no answer, so no deadline) is
  // closed by the application instead.
  REQUIRE(eventually([&] { return failed == 10; }));
  for (std::size_t i = 0; i < handles.size(); i += 2) handles[i]->close();
  REQUIRE(eventually([&] { return open_descriptors() == before; }));
  CHECK(runtime->load().live == 0);
  CHECK(runtime->connection_count() == 20);  // every handle still held...
  for (std::size_t i = 1; i < handles.size(); i += 2) {
    CHECK(handles[i]->connection_state() == pc::PeerConnectionState::kFailed);  // ...and answering
    CHECK(handles[i]->create_offer().error().code == base::ErrorCode::kWrongState);
  }
}

TEST_CASE("out of descriptors: a clean error on the call that met it, and recovery once some are free",
          "[net][limits]") {
  auto runtime = loopback_runtime();
  rlimit original{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &original) == 0);
  std::vector<std::shared_ptr<PeerConnectionHandle>> handles;
  std::optional<base::Error> error;
  {
    rlimit low = original;
    low.rlim_cur = open_descriptors() + 8;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    for (int i = 0; i < 64 && !error; ++i) {
      auto handle = runtime->create_peer_connection({}, {});
      if (handle) {
        handles.push_back(*handle);
      } else {
        error = handle.error();
      }
    }
    // Still limited: one ended connection's socket makes room for the next call.
    REQUIRE(error.has_value());
    CHECK(error->code == base::ErrorCode::kResourceExhausted);
    CHECK_THAT(error->message, Catch::Contains("Too many open files"));
    CHECK(handles.size() >= 4);
    CHECK_FALSE(runtime->create_peer_connection({}, {}).ok());
    handles.front()->close();
    REQUIRE(eventually([&] { return runtime->create_peer_connection({}, {}).ok(); }));
    REQUIRE(setrlimit(RLIMIT_NOFILE, &original) == 0);
  }
  // The runtime itself never noticed: connections made before still work.
  auto offer = handles.back()->create_offer();
  REQUIRE(offer.ok());
  CHECK(handles.back()->set_local_description(*offer).ok());
}

namespace {

// The ports of the host candidates in `handle`'s local description (after an offer).
std::vector<std::uint16_t> host_candidate_ports(PeerConnectionHandle& handle) {
  auto offer = handle.create_offer();
  REQUIRE(offer.ok());
  REQUIRE(handle.set_local_description(*offer).ok());
  std::vector<std::uint16_t> ports;
  std::istringstream lines(handle.local_description()->sdp);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("a=candidate:", 0) != 0 || line.find(" typ host") == std::string::npos) continue;
    std::istringstream fields(line);
    std::string foundation, component, transport, priority, address, port;
    fields >> foundation >> component >> transport >> priority >> address >> port;
    ports.push_back(static_cast<std::uint16_t>(std::stoi(port)));
  }
  return ports;
}

// A range below the kernel's ephemeral ports (32768 and up), so nothing else is handed
// them while the test runs; each process its own, so parallel runs do not collide.
net::PortRange test_range(std::uint16_t size) {
  const auto min = static_cast<std::uint16_t>(20000 + (static_cast<unsigned>(getpid()) * 16) % 10000);
  return {min, static_cast<std::uint16_t>(min + size - 1)};
}

}  // namespace

TEST_CASE("every socket takes a port of the configured range, and a full range refuses until one ends",
          "[net][limits][ports]") {
  net::RuntimeOptions options;
  options.ports = test_range(4);
  auto runtime = loopback_runtime(options);
  std::vector<std::shared_ptr<PeerConnectionHandle>> handles;
  std::optional<base::Error> error;
  for (int i = 0; i < 8 && !error; ++i) {
    auto handle = runtime->create_peer_connection({}, {});
    if (!handle) {
      error = handle.error();
      break;
    }
    handles.push_back(*handle);
    const auto ports = host_candidate_ports(**handle);
    REQUIRE(ports.size() == 1);
    CHECK(options.ports.contains(ports.front()));
  }
  // Four ports, one socket per connection: at most four (fewer if another process holds
  // one of them), then a clear refusal.
  CHECK(handles.size() >= 1);
  CHECK(handles.size() <= 4);
  REQUIRE(error.has_value());
  CHECK(error->code == base::ErrorCode::kResourceExhausted);
  CHECK_THAT(error->message, Catch::Contains("no free UDP port"));
  // An ended connection gives its port back at once.
  handles.front()->close();
  std::shared_ptr<PeerConnectionHandle> again;
  REQUIRE(eventually([&] {
    auto handle = runtime->create_peer_connection({}, {});
    if (handle) again = *handle;
    return handle.ok();
  }));
  const auto ports = host_candidate_ports(*again);
  REQUIRE(ports.size() == 1);
  CHECK(options.ports.contains(ports.front()));
}

TEST_CASE("shared sockets take their port from the range; a bad range is refused", "[net][limits][ports]") {
  net::RuntimeOptions shared;
  shared.share_sockets = true;
  shared.ports = test_range(4);
  auto runtime = loopback_runtime(shared);
  for (const base::SocketAddress& address : runtime->local_addresses()) CHECK(shared.ports.contains(address.port()));

  const auto refused = [](net::RuntimeOptions options) {
    options.addresses = {*base::IpAddress::parse("127.0.0.1")};
    auto made = net::Runtime::create(options);
    return !made.ok() && made.error().code == base::ErrorCode::kInvalidArgument;
  };
  net::RuntimeOptions backwards;
  backwards.ports = {5001, 5000};
  CHECK(refused(backwards));
  net::RuntimeOptions from_zero;
  from_zero.ports = {0, 5000};
  CHECK(refused(from_zero));
  net::RuntimeOptions outside;
  outside.share_sockets = true;
  outside.ports = {5000, 5009};
  outside.port = 6000;
  CHECK(refused(outside));
}

TEST_CASE("a TCP connection to a TURN server takes its local port from the range too", "[net][limits][ports]") {
  // A listener stands in for the TURN server: what matters is the port we connect from.
  testing::TcpListener listener;
  const base::SocketAddress server = listener.address();

  net::RuntimeOptions options;
  options.ports = test_range(8);
  auto runtime = loopback_runtime(options);
  pc::Configuration configuration;
  configuration.ice.turn_servers = {{server, "user", "secret", pc::TurnTransport::kTcp, {}, {}}};
  auto handle = runtime->create_peer_connection(configuration, {});
  REQUIRE(handle.ok());
  pollfd ready{listener.fd(), POLLIN, 0};
  REQUIRE(::poll(&ready, 1, 20'000) == 1);  // the runtime connects at once; room for a loaded machine
  sockaddr_storage storage;
  socklen_t size = sizeof storage;
  const int accepted = ::accept(listener.fd(), reinterpret_cast<sockaddr*>(&storage), &size);
  REQUIRE(accepted >= 0);
  const auto from = net::from_sockaddr(reinterpret_cast<sockaddr*>(&storage));
  REQUIRE(from.has_value());
  CHECK(options.ports.contains(from->port()));
  (*handle)->close();
  ::close(accepted);
}
