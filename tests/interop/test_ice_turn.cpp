// Two ice::Agents with the relay-only policy connect through a real TURN server (coturn,
// started by with_coturn.sh) over loopback UDP and exchange data both ways; a wrong TURN
// password surfaces as a TurnErrorEvent with the server's 401.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/random.h"
#include "ice/agent.h"
#include "interop_env.h"
#include "udp_socket.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;
using testing::UdpSocket;

namespace {

Instant now() { return testing::wall_now(); }

const base::IpAddress& loopback(bool ipv6) {
  static const base::IpAddress v4 = base::IpAddress::v4(127, 0, 0, 1), v6 = *base::IpAddress::parse("::1");
  return ipv6 ? v6 : v4;
}

// One agent on one real UDP socket, of the family of the TURN server it uses.
struct Peer {
  Peer(ice::Role role, std::string password, std::uint64_t seed, bool ipv6 = false)
      : socket(loopback(ipv6)), random(seed), agent(config(role, password, ipv6), random) {}
  ice::AgentConfig config(ice::Role role, const std::string& password, bool ipv6) {
    ice::AgentConfig c;
    c.role = role;
    c.host_addresses = {socket.local()};
    c.allow_loopback = true;  // the test's sockets are on loopback
    c.turn_servers = {{testing::turn_server_address(ipv6), "test", password}};
    c.policy = ice::AgentConfig::TransportPolicy::kRelay;
    return c;
  }
  // Sends what the agent wants sent; collects events.
  void drain() {
    while (true) {
      ice::Output output = agent.poll_output();
      if (auto* timeout = std::get_if<ice::Timeout>(&output)) {
        next_timeout = timeout->at;
        return;
      }
      if (auto* transmit = std::get_if<ice::Transmit>(&output)) {
        REQUIRE(transmit->local == socket.local());
        socket.send_to(transmit->remote, transmit->bytes);
        continue;
      }
      const auto& event = std::get<ice::Event>(output);
      if (auto* candidate = std::get_if<ice::LocalCandidateEvent>(&event)) candidates.push_back(candidate->candidate);
      if (auto* error = std::get_if<ice::TurnErrorEvent>(&event)) turn_errors.push_back(error->error);
    }
  }
  // Feeds one datagram if one arrives within `wait`, then due timeouts.
  void step(Duration wait) {
    if (auto datagram = socket.receive(wait)) {
      const auto result = agent.handle_receive(now(), socket.local(), datagram->from, datagram->bytes);
      if (result == ice::Received::kApplicationData) received.emplace_back(base::as_string_view(result.payload));
    }
    if (now() >= next_timeout) agent.handle_timeout(now());
    drain();
  }

  UdpSocket socket;
  base::SeededRandom random;
  ice::Agent agent;
  Instant next_timeout = Instant::max();
  std::vector<ice::Candidate> candidates;
  std::vector<ice::TurnError> turn_errors;
  std::vector<std::string> received;
};

template <class Done>
bool run(Peer& a, Peer& b, Done done, Duration limit) {
  const Instant deadline = now() + limit;
  while (!done()) {
    if (now() >= deadline) return false;
    a.step(Duration::milliseconds(2));
    b.step(Duration::milliseconds(2));
  }
  return true;
}

}  // namespace

TEST_CASE("two relay-only agents connect through coturn and exchange data both ways", "[interop][ice][turn]") {
  // Over IPv6, the allocations ask for IPv6 relayed addresses (REQUESTED-ADDRESS-FAMILY).
  const bool ipv6 = GENERATE(false, true);
  INFO((ipv6 ? "IPv6" : "IPv4"));
  // Everything logged on the way, at the most verbose level: no password may be in it.
  std::vector<std::string> logged;
  const base::LogLevel level = base::log_level();
  base::set_log_level(base::LogLevel::kTrace);
  base::set_log_sink([&](base::LogLevel, std::string_view tag, std::string_view message) {
    logged.push_back(std::string(tag) + ": " + std::string(message));
  });
  Peer a(ice::Role::kControlling, "turn-secret-7Qx", std::random_device{}(), ipv6);
  Peer b(ice::Role::kControlled, "turn-secret-7Qx", std::random_device{}(), ipv6);
  a.agent.start_gathering(now());
  b.agent.start_gathering(now());
  a.drain();
  b.drain();
  REQUIRE(run(a, b, [&] {
    return a.agent.gathering_state() == ice::GatheringState::kComplete &&
           b.agent.gathering_state() == ice::GatheringState::kComplete;
  }, Duration::seconds(5)));
  // Relay-only: the one candidate each side announces is relayed, on the TURN server's address.
  REQUIRE(a.candidates.size() == 1);
  REQUIRE(b.candidates.size() == 1);
  CHECK(a.candidates[0].type == ice::CandidateType::kRelayed);
  CHECK(a.candidates[0].address.ip() == loopback(ipv6));
  CHECK(a.candidates[0].address != a.socket.local());

  REQUIRE(a.agent.set_remote_credentials(b.agent.local_credentials(), now()).ok());
  REQUIRE(b.agent.set_remote_credentials(a.agent.local_credentials(), now()).ok());
  REQUIRE(a.agent.add_remote_candidate(b.candidates[0], now()).ok());
  REQUIRE(b.agent.add_remote_candidate(a.candidates[0], now()).ok());
  a.agent.set_remote_end_of_candidates(now());
  b.agent.set_remote_end_of_candidates(now());
  a.drain();
  b.drain();
  const auto connected = [](const Peer& p) {
    const auto state = p.agent.connection_state();
    return state == ice::ConnectionState::kConnected || state == ice::ConnectionState::kCompleted;
  };
  REQUIRE(run(a, b, [&] { return connected(a) && connected(b); }, Duration::seconds(10)));
  CHECK(a.agent.selected_pair()->local.type == ice::CandidateType::kRelayed);
  CHECK(a.agent.selected_pair()->remote.address == b.candidates[0].address);

  for (int i = 0; i < 5; ++i) {
    REQUIRE(a.agent.send(base::as_bytes("from a " + std::to_string(i))).ok());
    REQUIRE(b.agent.send(base::as_bytes("from b " + std::to_string(i))).ok());
    a.drain();
    b.drain();
  }
  REQUIRE(run(a, b, [&] { return a.received.size() == 5 && b.received.size() == 5; }, Duration::seconds(5)));
  CHECK(b.received.front() == "from a 0");
  CHECK(a.received.back() == "from b 4");

  a.agent.close();
  b.agent.close();
  a.drain();
  b.drain();
  base::set_log_sink({});
  base::set_log_level(level);
  REQUIRE(logged.size() > 10);  // the challenge, allocations, checks, selection, states
  for (const std::string& line : logged) {
    INFO(line);
    CHECK(line.find("turn-secret-7Qx") == std::string::npos);
    CHECK(line.find("\"test\"") == std::string::npos);  // nor the TURN username
    CHECK(line.find(a.agent.local_credentials().password) == std::string::npos);
    CHECK(line.find(b.agent.local_credentials().password) == std::string::npos);
  }
}

TEST_CASE("a wrong TURN password surfaces as an error event and gathering still completes",
          "[interop][ice][turn]") {
  Peer a(ice::Role::kControlling, "wrong", std::random_device{}());
  Peer b(ice::Role::kControlled, "turn-secret-7Qx", std::random_device{}());  // not started; just a second socket
  a.agent.start_gathering(now());
  a.drain();
  REQUIRE(run(a, b, [&] { return a.agent.gathering_state() == ice::GatheringState::kComplete; }, Duration::seconds(5)));
  REQUIRE(a.turn_errors.size() == 1);
  CHECK(a.turn_errors[0].code == 401);
  CHECK_THAT(a.turn_errors[0].reason, Catch::Contains("rejected the credentials"));
  CHECK(a.candidates.empty());
}
