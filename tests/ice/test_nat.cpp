#include <catch2/catch.hpp>

#include "agent_harness.h"
#include "stun_server.h"

using namespace rtcstack;
using base::Duration;
using base::SocketAddress;
using ice::CandidateType;
using ice::ConnectionState;
using testing::AgentEndpoint;
using testing::NatBehavior;
using testing::SimNetwork;

namespace {

const SocketAddress kLanA = *SocketAddress::parse("192.0.2.10:40000");
const SocketAddress kLanB = *SocketAddress::parse("198.51.100.10:50000");
const base::IpAddress kPublicA = base::IpAddress::v4(203, 0, 113, 1);
const base::IpAddress kPublicB = base::IpAddress::v4(203, 0, 113, 2);
const SocketAddress kStunServer = *SocketAddress::parse("203.0.113.100:3478");

struct Nat {
  NatBehavior mapping;
  NatBehavior filtering;
};
constexpr Nat kFullCone{NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent};
constexpr Nat kRestricted{NatBehavior::kEndpointIndependent, NatBehavior::kAddressDependent};
constexpr Nat kPortRestricted{NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent};
constexpr Nat kSymmetric{NatBehavior::kAddressAndPortDependent, NatBehavior::kAddressAndPortDependent};

ice::AgentConfig config(ice::Role role, SocketAddress lan) {
  ice::AgentConfig c;
  c.role = role;
  c.host_addresses = {lan};
  c.stun_servers = {kStunServer};
  return c;
}

struct Outcome {
  bool connected;
  std::optional<CandidateType> a_remote_type;  // what a selected as b's candidate
  std::optional<CandidateType> b_remote_type;
};

Outcome run(Nat nat_a, Nat nat_b, std::uint64_t seed) {
  SimNetwork network(seed);
  network.set_default_link({.delay = Duration::milliseconds(20)});
  network.add_nat({kPublicA, {kLanA.ip()}, nat_a.mapping, nat_a.filtering});
  network.add_nat({kPublicB, {kLanB.ip()}, nat_b.mapping, nat_b.filtering});
  testing::StunServerEndpoint server(network, kStunServer);
  AgentEndpoint a(network, "a", config(ice::Role::kControlling, kLanA), seed * 2);
  AgentEndpoint b(network, "b", config(ice::Role::kControlled, kLanB), seed * 2 + 1);
  a.agent().start_gathering(network.now());
  b.agent().start_gathering(network.now());
  a.drain();
  b.drain();
  network.run_until([&] {
    return a.agent().gathering_state() == ice::GatheringState::kComplete &&
           b.agent().gathering_state() == ice::GatheringState::kComplete;
  }, network.now() + Duration::seconds(10));
  REQUIRE(a.announced.size() == 2);  // host + server-reflexive
  CHECK(a.announced[1].type == CandidateType::kServerReflexive);
  CHECK(a.announced[1].address.ip() == kPublicA);
  CHECK(a.announced[1].related_address == kLanA);
  testing::signal_all(a, b, network.now());
  testing::signal_all(b, a, network.now());
  network.run_until([&] {
    const auto done = [](const AgentEndpoint& e) {
      return e.connected() || e.agent().connection_state() == ConnectionState::kFailed;
    };
    return done(a) && done(b);
  }, network.now() + Duration::seconds(60));
  Outcome outcome{a.connected() && b.connected(), std::nullopt, std::nullopt};
  if (auto pair = a.agent().selected_pair()) outcome.a_remote_type = pair->remote.type;
  if (auto pair = b.agent().selected_pair()) outcome.b_remote_type = pair->remote.type;
  if (!outcome.connected) {
    CHECK(a.agent().connection_state() == ConnectionState::kFailed);
    CHECK(b.agent().connection_state() == ConnectionState::kFailed);
  }
  return outcome;
}

}  // namespace

TEST_CASE("NAT combinations that connect through server-reflexive candidates", "[ice][nat]") {
  const std::pair<Nat, Nat> cases[] = {
      {kFullCone, kFullCone}, {kRestricted, kPortRestricted}, {kPortRestricted, kPortRestricted}};
  std::uint64_t seed = 1;
  for (const auto& [nat_a, nat_b] : cases) {
    INFO("case " << seed);
    const Outcome outcome = run(nat_a, nat_b, seed++);
    CHECK(outcome.connected);
    // Private host addresses are unreachable across the NATs: the pair uses what the NATs map.
    CHECK(outcome.a_remote_type != CandidateType::kHost);
    CHECK(outcome.b_remote_type != CandidateType::kHost);
  }
}

TEST_CASE("a symmetric NAT connects to cone NATs that filter by address only, via peer-reflexive",
          "[ice][nat]") {
  for (const Nat other : {kFullCone, kRestricted}) {
    const Outcome outcome = run(kSymmetric, other, 10);
    CHECK(outcome.connected);
    // b learns a's per-destination mapping only from a's checks: peer-reflexive.
    CHECK(outcome.b_remote_type == CandidateType::kPeerReflexive);
  }
}

TEST_CASE("symmetric against port-restricted or symmetric needs a relay: without one, failed",
          "[ice][nat]") {
  CHECK_FALSE(run(kSymmetric, kPortRestricted, 20).connected);
  CHECK_FALSE(run(kSymmetric, kSymmetric, 21).connected);
}

TEST_CASE("gathering completes without server-reflexive candidates when the STUN server is silent",
          "[ice][nat]") {
  SimNetwork network(30);
  network.set_default_link({.delay = Duration::milliseconds(20)});
  AgentEndpoint a(network, "a", config(ice::Role::kControlling, kLanA), 31);  // no server attached
  a.agent().start_gathering(network.now());
  a.drain();
  CHECK(a.agent().gathering_state() == ice::GatheringState::kGathering);
  network.run_until([&] { return a.agent().gathering_state() == ice::GatheringState::kComplete; },
                    network.now() + Duration::seconds(10));
  CHECK(a.agent().gathering_state() == ice::GatheringState::kComplete);
  CHECK(network.now() - base::Instant{} == Duration::milliseconds(3500));  // 0, 0.5, 1.5 s, then 2 s
  CHECK(a.announced.size() == 1);
}
