// ICE-TCP (RFC 6544) in the agent: TCP host candidates (passive and active), which pairs
// are formed and checked, the peer-reflexive candidate a passive side learns from the
// connection, priorities that prefer UDP, and data over the selected TCP pair. The
// harness carries each frame of a sim TCP connection as one datagram (agent_harness.h).
#include <catch2/catch.hpp>

#include <algorithm>

#include "agent_harness.h"

using namespace rtcstack;
using base::Duration;
using base::SocketAddress;
using base::TransportProtocol;
using ice::Role;
using testing::AgentEndpoint;
using testing::SimNetwork;

namespace {

const base::IpAddress kIpA = base::IpAddress::v4(192, 0, 2, 1);
const base::IpAddress kIpB = base::IpAddress::v4(198, 51, 100, 1);

// UDP on 40000/50000, TCP listening on 40100/50100 (as the runtime binds them: apart).
ice::AgentConfig config(Role role, const base::IpAddress& ip, bool udp, bool tcp) {
  ice::AgentConfig config;
  config.role = role;
  const std::uint16_t base_port = ip == kIpA ? 40000 : 50000;
  if (udp) config.host_addresses = {SocketAddress(ip, base_port)};
  if (tcp) {
    config.tcp_listen_addresses = {SocketAddress(ip, static_cast<std::uint16_t>(base_port + 100))};
    config.tcp_active_addresses = {ip};
  }
  return config;
}

std::size_t count_tcp(const std::vector<ice::Candidate>& candidates, ice::TcpType type) {
  return static_cast<std::size_t>(std::count_if(candidates.begin(), candidates.end(), [&](const ice::Candidate& c) {
    return c.protocol == TransportProtocol::kTcp && c.tcp_type == type;
  }));
}

}  // namespace

TEST_CASE("ICE-TCP: TCP host candidates are passive at the listening port and active at port 9", "[ice][tcp]") {
  SimNetwork network(1);
  AgentEndpoint a(network, "a", config(Role::kControlling, kIpA, true, true), 1);
  a.agent().start_gathering(network.now());
  a.drain();
  REQUIRE(a.announced.size() == 3);
  const ice::Candidate& udp = a.announced[0];
  const ice::Candidate& passive = a.announced[1];
  const ice::Candidate& active = a.announced[2];
  CHECK(udp.protocol == TransportProtocol::kUdp);
  CHECK(passive.protocol == TransportProtocol::kTcp);
  CHECK(passive.tcp_type == ice::TcpType::kPassive);
  CHECK(passive.address == SocketAddress(kIpA, 40100));
  CHECK(active.tcp_type == ice::TcpType::kActive);
  CHECK(active.address == SocketAddress(kIpA, ice::kActiveTcpPort));
  // UDP first, then TCP above relayed and below server-reflexive UDP (libwebrtc's order).
  CHECK(udp.priority > passive.priority);
  CHECK(passive.priority >> 24 == 90);
  CHECK(passive.priority < ice::candidate_priority(ice::CandidateType::kServerReflexive, 0, 1));
  CHECK(passive.priority > ice::candidate_priority(ice::CandidateType::kRelayed, 65535, 1));
  // RFC 6544 §4.2: the direction preference puts active above passive.
  CHECK(active.priority > passive.priority);
  CHECK(passive.foundation != udp.foundation);  // §4.4: the transport is part of it
  CHECK(a.events.back() == "gathering:complete");
}

TEST_CASE("ICE-TCP: two agents offering only TCP connect over it, data flows both ways", "[ice][tcp]") {
  SimNetwork network(2);
  network.set_default_link({.delay = Duration::milliseconds(20)});
  AgentEndpoint a(network, "a", config(Role::kControlling, kIpA, false, true), 1);
  AgentEndpoint b(network, "b", config(Role::kControlled, kIpB, false, true), 2);
  REQUIRE(testing::gather_and_connect(network, a, b));
  const auto pa = a.agent().selected_pair();
  const auto pb = b.agent().selected_pair();
  REQUIRE(pa);
  REQUIRE(pb);
  CHECK(pa->local.protocol == TransportProtocol::kTcp);
  CHECK(pb->local.protocol == TransportProtocol::kTcp);
  // One side connected to the other's passive candidate; that side knows the connection's
  // far end as a peer-reflexive active candidate (the signalled port 9 cannot be reached).
  const bool a_connected = pa->local.tcp_type == ice::TcpType::kActive;
  const auto& passive_side = a_connected ? pb : pa;
  CHECK(passive_side->local.tcp_type == ice::TcpType::kPassive);
  CHECK(passive_side->remote.type == ice::CandidateType::kPeerReflexive);
  CHECK(passive_side->remote.tcp_type == ice::TcpType::kActive);
  CHECK(passive_side->remote.address.port() != ice::kActiveTcpPort);
  CHECK(count_tcp(a.agent().remote_candidates(), ice::TcpType::kActive) >= 1);
  // No check ever goes to an active candidate's port 9, and nothing was dropped.
  for (const auto& pair : a.agent().pairs()) {
    CHECK(a.agent().remote_candidates()[pair.remote].address.port() != ice::kActiveTcpPort);
  }
  CHECK(a.dropped == 0);
  CHECK(b.dropped == 0);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(a.send_data());
    REQUIRE(b.send_data());
  }
  network.run_for(Duration::milliseconds(200));
  CHECK(a.application_data == 5);
  CHECK(b.application_data == 5);
}

TEST_CASE("ICE-TCP: with UDP and TCP both open UDP is selected; with UDP blocked TCP is", "[ice][tcp]") {
  SimNetwork network(3);
  AgentEndpoint a(network, "a", config(Role::kControlling, kIpA, true, true), 1);
  AgentEndpoint b(network, "b", config(Role::kControlled, kIpB, true, true), 2);
  bool udp_blocked = false;
  SECTION("both open") {}
  SECTION("UDP blocked") {
    udp_blocked = true;
    a.udp_blocked = b.udp_blocked = true;
  }
  REQUIRE(testing::gather_and_connect(network, a, b));
  const auto pa = a.agent().selected_pair();
  REQUIRE(pa);
  CHECK(pa->local.protocol == (udp_blocked ? TransportProtocol::kTcp : TransportProtocol::kUdp));
  CHECK(b.agent().selected_pair()->local.protocol == pa->local.protocol);
}

TEST_CASE("ICE-TCP: TCP candidates pair only active to passive and never with UDP", "[ice][tcp]") {
  SimNetwork network(4);
  AgentEndpoint a(network, "a", config(Role::kControlling, kIpA, true, true), 1);
  a.agent().start_gathering(network.now());
  a.drain();
  REQUIRE(a.agent().set_remote_credentials({"ufrg", "passwordpasswordpassword"}, network.now()).ok());
  const auto remote = [](TransportProtocol protocol, ice::TcpType type, std::uint16_t port) {
    ice::Candidate candidate;
    candidate.address = candidate.base = SocketAddress(kIpB, port);
    candidate.protocol = protocol;
    candidate.tcp_type = type;
    candidate.priority = 1000;
    candidate.foundation = "r" + std::to_string(port);
    return candidate;
  };
  REQUIRE(a.agent().add_remote_candidate(remote(TransportProtocol::kTcp, ice::TcpType::kActive, 9), network.now()).ok());
  REQUIRE(a.agent().add_remote_candidate(remote(TransportProtocol::kTcp, ice::TcpType::kPassive, 50100), network.now()).ok());
  REQUIRE(a.agent().add_remote_candidate(remote(TransportProtocol::kUdp, ice::TcpType::kPassive, 50000), network.now()).ok());
  // The same address over the other transport is another candidate.
  REQUIRE(a.agent().add_remote_candidate(remote(TransportProtocol::kUdp, ice::TcpType::kPassive, 50100), network.now()).ok());
  REQUIRE(a.agent().remote_candidates().size() == 4);
  std::vector<std::string> pairs;
  for (const auto& pair : a.agent().pairs()) {
    const ice::Candidate& local = a.agent().local_candidates()[pair.local];
    const ice::Candidate& other = a.agent().remote_candidates()[pair.remote];
    pairs.push_back(local.to_string() + " -> " + other.to_string());
    CHECK(local.protocol == other.protocol);
    CHECK(other.address.port() != ice::kActiveTcpPort);
    if (local.protocol == TransportProtocol::kTcp) CHECK(local.tcp_type == ice::TcpType::kActive);
  }
  // UDP to both UDP candidates, active TCP to the passive one.
  CAPTURE(pairs);
  CHECK(pairs.size() == 3);
}
