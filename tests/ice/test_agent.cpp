#include <catch2/catch.hpp>

#include <algorithm>

#include "agent_harness.h"
#include "ice/check_messages.h"
#include "stun/message_builder.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;
using base::SocketAddress;
using ice::ConnectionState;
using ice::Role;
using testing::AgentEndpoint;
using testing::SimNetwork;

namespace {

const SocketAddress kA = *SocketAddress::parse("192.0.2.1:40000");
const SocketAddress kA6 = *SocketAddress::parse("[2001:db8::1]:40002");
const SocketAddress kB = *SocketAddress::parse("198.51.100.1:50000");
const SocketAddress kB6 = *SocketAddress::parse("[2001:db8::2]:50002");

ice::AgentConfig config(Role role, std::vector<SocketAddress> addresses) {
  return testing::agent_config(role, std::move(addresses));
}

bool connect(SimNetwork& network, AgentEndpoint& a, AgentEndpoint& b, Duration limit = Duration::seconds(30)) {
  return testing::gather_and_connect(network, a, b, limit);
}

ice::Candidate host_candidate(const SocketAddress& address) {
  ice::Candidate candidate;
  candidate.address = candidate.base = address;
  candidate.priority = ice::candidate_priority(ice::CandidateType::kHost, 1000, 1);
  candidate.foundation = "signalled";
  return candidate;
}

void check_same_pair(AgentEndpoint& a, AgentEndpoint& b) {
  const auto pa = a.agent().selected_pair();
  const auto pb = b.agent().selected_pair();
  REQUIRE(pa.has_value());
  REQUIRE(pb.has_value());
  CHECK(pa->local.base == pb->remote.address);
  CHECK(pa->remote.address == pb->local.base);
}

}  // namespace

TEST_CASE("two agents connect directly, states and events in W3C order", "[ice][agent]") {
  SimNetwork network(1);
  network.set_default_link({.delay = Duration::milliseconds(10)});
  AgentEndpoint a(network, "a", config(Role::kControlling, {kA, kA6}), 11);
  AgentEndpoint b(network, "b", config(Role::kControlled, {kB, kB6}), 12);
  REQUIRE(connect(network, a, b));
  check_same_pair(a, b);
  // IPv6 host candidates have the higher local preference, so the IPv6 pair wins.
  CHECK(a.agent().selected_pair()->local.address == kA6);
  network.run_for(Duration::seconds(5));
  CHECK(a.agent().connection_state() == ConnectionState::kCompleted);
  CHECK(b.agent().connection_state() == ConnectionState::kCompleted);
  CHECK(a.connection_states() == std::vector<std::string>{"checking", "connected", "completed"});
  CHECK(b.connection_states() == std::vector<std::string>{"checking", "connected", "completed"});
  CHECK(a.events.front() == "gathering:gathering");
  CHECK(std::count(a.events.begin(), a.events.end(), "gathering:complete") == 1);
  CHECK(a.agent().role() == Role::kControlling);
  CHECK(b.agent().role() == Role::kControlled);
  CHECK(a.dropped == 0);
  CHECK(b.dropped == 0);
}

TEST_CASE("the controlled side may be the one that offers: both roles connect", "[ice][agent]") {
  SimNetwork network(2);
  network.set_default_link({.delay = Duration::milliseconds(25)});
  AgentEndpoint a(network, "a", config(Role::kControlled, {kA}), 21);
  AgentEndpoint b(network, "b", config(Role::kControlling, {kB}), 22);
  REQUIRE(connect(network, a, b));
  check_same_pair(a, b);
}

TEST_CASE("role conflicts resolve by tie-breaker, whichever role both start in", "[ice][agent]") {
  for (Role role : {Role::kControlling, Role::kControlled}) {
    SimNetwork network(3);
    network.set_default_link({.delay = Duration::milliseconds(15)});
    AgentEndpoint a(network, "a", config(role, {kA}), 31);
    AgentEndpoint b(network, "b", config(role, {kB}), 32);
    REQUIRE(connect(network, a, b));
    check_same_pair(a, b);
    CHECK(a.agent().role() != b.agent().role());
    // The larger tie-breaker ends up controlling.
    const bool a_larger = a.agent().tie_breaker() > b.agent().tie_breaker();
    CHECK((a.agent().role() == Role::kControlling) == a_larger);
    CHECK(a.agent().stats().role_conflicts + b.agent().stats().role_conflicts > 0);
  }
}

TEST_CASE("20% loss and 100 ms delay each way still connect", "[ice][agent]") {
  int connected = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    SimNetwork network(seed);
    network.set_default_link({.delay = Duration::milliseconds(100), .jitter = Duration::milliseconds(20), .loss = 0.2});
    AgentEndpoint a(network, "a", config(Role::kControlling, {kA, kA6}), seed * 2);
    AgentEndpoint b(network, "b", config(Role::kControlled, {kB, kB6}), seed * 2 + 1);
    if (connect(network, a, b, Duration::seconds(20))) {
      ++connected;
      check_same_pair(a, b);
    }
  }
  CHECK(connected == 20);
}

TEST_CASE("trickle in different orders", "[ice][agent]") {
  SECTION("candidates before credentials") {
    SimNetwork network(4);
    network.set_default_link({.delay = Duration::milliseconds(10)});
    AgentEndpoint a(network, "a", config(Role::kControlling, {kA}), 41);
    AgentEndpoint b(network, "b", config(Role::kControlled, {kB}), 42);
    a.agent().start_gathering(network.now());
    b.agent().start_gathering(network.now());
    a.drain();
    b.drain();
    for (const auto& c : b.announced) REQUIRE(a.agent().add_remote_candidate(c, network.now()).ok());
    for (const auto& c : a.announced) REQUIRE(b.agent().add_remote_candidate(c, network.now()).ok());
    a.drain();
    b.drain();
    network.run_for(Duration::milliseconds(300));
    CHECK(a.agent().connection_state() == ConnectionState::kNew);  // cannot check without credentials
    REQUIRE(a.agent().set_remote_credentials(b.agent().local_credentials(), network.now()).ok());
    REQUIRE(b.agent().set_remote_credentials(a.agent().local_credentials(), network.now()).ok());
    a.drain();
    b.drain();
    CHECK(network.run_until([&] { return a.connected() && b.connected(); }, network.now() + Duration::seconds(10)));
    check_same_pair(a, b);
  }
  SECTION("one side never gets the other's candidates: peer-reflexive on that side") {
    SimNetwork network(5);
    network.set_default_link({.delay = Duration::milliseconds(10)});
    AgentEndpoint a(network, "a", config(Role::kControlling, {kA}), 51);
    AgentEndpoint b(network, "b", config(Role::kControlled, {kB}), 52);
    a.agent().start_gathering(network.now());
    b.agent().start_gathering(network.now());
    a.drain();
    b.drain();
    testing::signal_all(b, a, network.now());
    // b learns a's credentials only, and only after a's checks have started arriving.
    network.run_for(Duration::milliseconds(100));
    REQUIRE(b.agent().set_remote_credentials(a.agent().local_credentials(), network.now()).ok());
    b.drain();
    CHECK(network.run_until([&] { return a.connected() && b.connected(); }, network.now() + Duration::seconds(10)));
    check_same_pair(a, b);
    CHECK(b.agent().remote_candidates().at(0).type == ice::CandidateType::kPeerReflexive);
  }
  SECTION("late candidates during checking") {
    SimNetwork network(6);
    network.set_default_link({.delay = Duration::milliseconds(10)});
    // a's IPv4 path is broken; its IPv6 candidate arrives late and is the one that works.
    network.set_link_both_ways(kA.ip(), kB.ip(), {.loss = 1.0});
    AgentEndpoint a(network, "a", config(Role::kControlling, {kA, kA6}), 61);
    AgentEndpoint b(network, "b", config(Role::kControlled, {kB, kB6}), 62);
    a.agent().start_gathering(network.now());
    b.agent().start_gathering(network.now());
    a.drain();
    b.drain();
    REQUIRE(a.agent().set_remote_credentials(b.agent().local_credentials(), network.now()).ok());
    REQUIRE(b.agent().set_remote_credentials(a.agent().local_credentials(), network.now()).ok());
    REQUIRE(a.agent().add_remote_candidate(b.announced.at(0), network.now()).ok());  // IPv4 only
    REQUIRE(b.agent().add_remote_candidate(a.announced.at(0), network.now()).ok());
    a.drain();
    b.drain();
    network.run_for(Duration::seconds(1));
    CHECK(a.agent().connection_state() == ConnectionState::kChecking);
    REQUIRE(a.agent().add_remote_candidate(b.announced.at(1), network.now()).ok());  // IPv6
    REQUIRE(b.agent().add_remote_candidate(a.announced.at(1), network.now()).ok());
    a.drain();
    b.drain();
    CHECK(network.run_until([&] { return a.connected() && b.connected(); }, network.now() + Duration::seconds(10)));
    CHECK(a.agent().selected_pair()->local.address == kA6);
  }
}

TEST_CASE("with every path blocked and end-of-candidates the agent fails", "[ice][agent]") {
  SimNetwork network(7);
  network.set_default_link({.delay = Duration::milliseconds(10), .loss = 1.0});
  AgentEndpoint a(network, "a", config(Role::kControlling, {kA}), 71);
  AgentEndpoint b(network, "b", config(Role::kControlled, {kB}), 72);
  CHECK_FALSE(connect(network, a, b, Duration::seconds(60)));
  CHECK(a.agent().connection_state() == ConnectionState::kFailed);
  CHECK(a.connection_states() == std::vector<std::string>{"checking", "failed"});
  // Each check is retransmitted on the configured schedule before the pair fails.
  CHECK(a.agent().stats().checks_sent == 1);
  CHECK(network.stats().sent >= 7);
}

TEST_CASE("without end-of-candidates the agent fails once every pair failed and the grace passed", "[ice][agent]") {
  // Checks that give up within ~1.3 s, so that the grace is what the test sees.
  auto quick = [](Role role, SocketAddress address) {
    ice::AgentConfig c = config(role, {address});
    c.check_transaction = {Duration::milliseconds(100), 3, 4, Duration::milliseconds(400)};
    return c;
  };
  const Duration grace = ice::AgentConfig{}.failed_after_all_pairs_failed;
  for (const bool late_candidate : {false, true}) {
    SimNetwork network(17);
    network.set_default_link({.delay = Duration::milliseconds(10), .loss = 1.0});
    AgentEndpoint a(network, "a", quick(Role::kControlling, kA), 171);
    AgentEndpoint b(network, "b", quick(Role::kControlled, kB), 172);
    a.agent().start_gathering(network.now());
    b.agent().start_gathering(network.now());
    a.drain();
    b.drain();
    testing::signal_all(b, a, network.now(), false);  // as browsers do: no end-of-candidates
    const Instant signalled = network.now();
    REQUIRE(network.run_until([&] { return a.agent().pairs().front().state == ice::PairState::kFailed; },
                              signalled + Duration::seconds(3)));
    CHECK(a.agent().connection_state() == ConnectionState::kChecking);
    Instant last_candidate = signalled;
    if (late_candidate) {
      // A candidate trickled while the grace runs makes a new pair, and the grace starts
      // again from it.
      last_candidate = signalled + Duration::seconds(3);
      network.run_until([] { return false; }, last_candidate);
      CHECK(a.agent().connection_state() == ConnectionState::kChecking);
      REQUIRE(a.agent().add_remote_candidate(host_candidate(*SocketAddress::parse("198.51.100.1:50001")), last_candidate));
      a.drain();
    }
    REQUIRE(network.run_until([&] { return a.agent().connection_state() == ConnectionState::kFailed; },
                              signalled + Duration::seconds(60)));
    CHECK(a.connection_states() == std::vector<std::string>{"checking", "failed"});
    // A timer fires at the end of the grace: the agent does not wait for a packet.
    CHECK(a.state_times.back().first == last_candidate + grace);
  }
}

TEST_CASE("remote candidates at multicast, broadcast, unspecified addresses or port 0 are refused", "[ice][agent]") {
  SimNetwork network(18);
  network.set_default_link({.delay = Duration::milliseconds(10)});
  AgentEndpoint a(network, "a", config(Role::kControlling, {kA, kA6}), 181);
  AgentEndpoint b(network, "b", config(Role::kControlled, {kB}), 182);
  a.agent().start_gathering(network.now());
  a.drain();
  (void)a.agent().set_remote_credentials(b.agent().local_credentials(), network.now());
  const char* targets[] = {"224.0.0.251:5353", "239.255.255.250:1900", "255.255.255.255:9",  "0.0.0.0:5000",
                           "198.51.100.1:0",   "[ff02::fb]:5353",      "[::]:5000",           "[::ffff:224.0.0.1]:5000",
                           "[::ffff:0.0.0.0]:9"};
  for (const char* target : targets) {
    const auto address = *SocketAddress::parse(target);
    const auto added = a.agent().add_remote_candidate(host_candidate(address), network.now());
    REQUIRE_FALSE(added);
    CHECK(added.error().code == base::ErrorCode::kInvalidArgument);
  }
  CHECK(a.agent().stats().refused_candidates == std::size(targets));
  CHECK(a.agent().remote_candidates().empty());
  CHECK(ice::unusable_remote_address(kB) == std::nullopt);
  // The real peer's candidates still work, and nothing was ever sent anywhere else.
  b.agent().start_gathering(network.now());
  b.drain();
  testing::signal_all(b, a, network.now());
  testing::signal_all(a, b, network.now());
  REQUIRE(network.run_until([&] { return a.connected() && b.connected(); }, network.now() + Duration::seconds(10)));
  for (const auto& event : network.trace()) {
    CHECK((event.to.ip() == kB.ip() || event.to.ip() == kA.ip()));
  }
}

TEST_CASE("checks to addresses that never answer are capped in bytes; the peer that answers still connects",
          "[ice][agent]") {
  for (const std::size_t cap : {ice::AgentConfig{}.max_unanswered_bytes, std::size_t{8 * 1024}}) {
    INFO("cap " << cap);
    SimNetwork network(19);
    network.set_default_link({.delay = Duration::milliseconds(10)});
    ice::AgentConfig capped = config(Role::kControlling, {kA});
    capped.max_unanswered_bytes = cap;
    AgentEndpoint a(network, "a", capped, 191);
    AgentEndpoint b(network, "b", config(Role::kControlled, {kB}), 192);
    a.agent().start_gathering(network.now());
    b.agent().start_gathering(network.now());
    a.drain();
    b.drain();
    // 63 candidates at addresses where nobody is, signalled before the real one and with
    // higher priorities: a description made to aim our checks elsewhere.
    (void)a.agent().set_remote_credentials(b.agent().local_credentials(), network.now());
    for (int i = 0; i < 63; ++i) {
      auto stranger = host_candidate(SocketAddress(base::IpAddress::v4(203, 0, 113, static_cast<std::uint8_t>(i + 1)), 9));
      stranger.priority = ice::candidate_priority(ice::CandidateType::kHost, 65535, 1);
      REQUIRE(a.agent().add_remote_candidate(stranger, network.now()));
    }
    testing::signal_all(b, a, network.now());
    testing::signal_all(a, b, network.now());
    REQUIRE(network.run_until([&] { return a.connected() && b.connected(); }, network.now() + Duration::seconds(60)));
    network.run_for(Duration::seconds(60));
    std::uint64_t to_strangers = 0;
    for (const auto& event : network.trace()) {
      if (event.kind == testing::TraceEvent::Kind::kSent && event.from.ip() == kA.ip() && event.to.ip() != kB.ip()) {
        to_strangers += event.size;
      }
    }
    const auto& stats = a.agent().stats();
    INFO("to strangers " << to_strangers << " B, withheld " << stats.checks_withheld);
    CHECK(to_strangers <= cap);
    CHECK(stats.unanswered_bytes == to_strangers);
    // The default cap holds all 63 x 7 transmissions of 88 bytes. Under 8 KiB every
    // stranger gets its first check, and each pair is cut short at a retransmission. The
    // peer's own checks prove its address, so its pair is never withheld.
    CHECK(stats.checks_withheld == (cap == 8 * 1024 ? 63 : 0));
    if (cap == ice::AgentConfig{}.max_unanswered_bytes) CHECK(to_strangers == 63 * 7 * 88);
    CHECK(a.connected());
  }
}

TEST_CASE("bad input is dropped, counted, and changes nothing", "[ice][agent]") {
  SimNetwork network(8);
  network.set_default_link({.delay = Duration::milliseconds(10)});
  AgentEndpoint a(network, "a", config(Role::kControlling, {kA}), 81);
  AgentEndpoint b(network, "b", config(Role::kControlled, {kB}), 82);
  REQUIRE(connect(network, a, b));
  network.run_for(Duration::seconds(2));
  const auto pair_before = b.agent().selected_pair();
  const auto state_before = b.agent().connection_state();
  const auto stranger = *SocketAddress::parse("203.0.113.66:6666");
  ice::Agent& agent = b.agent();
  base::SeededRandom random(9);
  std::uint8_t buffer[256];

  // A check with the right ufrag but the wrong password.
  const auto forged = ice::build_check_request(buffer, stun::TransactionId::random(random),
      {agent.local_credentials().ufrag, "evil", "wrong-password-wrong-pw", 1, Role::kControlling, 1, true});
  CHECK(agent.handle_receive(network.now(), kB, stranger, *forged) == ice::Received::kDropped);
  // A check for another agent's ufrag.
  const auto other = ice::build_check_request(buffer, stun::TransactionId::random(random),
      {"zzzz", "evil", agent.local_credentials().password, 1, Role::kControlling, 1, true});
  CHECK(agent.handle_receive(network.now(), kB, stranger, *other) == ice::Received::kDropped);
  CHECK(agent.stats().dropped_bad_credentials == 2);
  // A response to a transaction we never started.
  const auto response = ice::build_check_success(buffer, stun::TransactionId::random(random), kB, "x");
  CHECK(agent.handle_receive(network.now(), kB, kA, *response) == ice::Received::kDropped);
  CHECK(agent.stats().dropped_unknown_transaction == 1);
  // A STUN-looking datagram with a broken fingerprint.
  std::uint8_t broken[256];
  const auto good = ice::build_check_request(broken, stun::TransactionId::random(random),
      {agent.local_credentials().ufrag, "a", agent.local_credentials().password, 1, Role::kControlling, 1, false});
  broken[good->size() - 1] ^= 0xff;
  CHECK(agent.handle_receive(network.now(), kB, kA, {broken, good->size()}) == ice::Received::kDropped);
  CHECK(agent.stats().dropped_malformed == 1);
  // Application data (here: DTLS-looking) from a stranger, and from the validated peer.
  const std::uint8_t dtls[] = {22, 254, 253, 0, 0};
  CHECK(agent.handle_receive(network.now(), kB, stranger, dtls) == ice::Received::kDropped);
  CHECK(agent.handle_receive(network.now(), kB, kA, dtls) == ice::Received::kApplicationData);
  b.drain();
  CHECK(b.agent().selected_pair()->remote.address == pair_before->remote.address);
  CHECK(b.agent().connection_state() == state_before);
  CHECK(b.agent().remote_candidates().size() == 1);  // no peer-reflexive candidate from forgeries
}

TEST_CASE("host candidates: duplicates once, loopback only when allowed", "[ice][agent]") {
  base::SeededRandom random(11);
  const auto loopback = *SocketAddress::parse("127.0.0.1:5000");
  ice::AgentConfig c = config(Role::kControlling, {kA, kA, loopback, kA6});
  ice::Agent agent(c, random);
  agent.start_gathering(Instant{});
  CHECK(agent.local_candidates().size() == 2);
  c.allow_loopback = true;
  ice::Agent with_loopback(c, random);
  with_loopback.start_gathering(Instant{});
  CHECK(with_loopback.local_candidates().size() == 3);
}

TEST_CASE("generated credentials follow RFC 8839", "[ice][agent]") {
  base::SeededRandom random(10);
  ice::Agent agent(config(Role::kControlling, {kA}), random);
  CHECK(agent.local_credentials().ufrag.size() == 4);
  CHECK(agent.local_credentials().password.size() == 24);
  ice::Agent other(config(Role::kControlling, {kA}), random);
  CHECK(other.local_credentials().password != agent.local_credentials().password);
  ice::Candidate rtcp_component;
  rtcp_component.component = 2;
  CHECK_FALSE(agent.add_remote_candidate(rtcp_component, Instant{}).ok());
  CHECK_FALSE(agent.set_remote_credentials({"", ""}, Instant{}).ok());
}

TEST_CASE("candidate priorities, foundations and pair priorities follow RFC 8445", "[ice][candidate]") {
  CHECK(ice::candidate_priority(ice::CandidateType::kHost, 65535, 1) == 2130706431u);  // the classic value
  CHECK(ice::candidate_priority(ice::CandidateType::kServerReflexive, 65535, 1) == 1694498815u);
  CHECK(ice::candidate_priority(ice::CandidateType::kRelayed, 65535, 1) == 16777215u);
  CHECK(ice::candidate_priority(ice::CandidateType::kPeerReflexive, 65535, 1) == 1862270975u);
  const auto ip = base::IpAddress::v4(192, 0, 2, 1);
  CHECK(ice::candidate_foundation(ice::CandidateType::kHost, ip, std::nullopt) ==
        ice::candidate_foundation(ice::CandidateType::kHost, ip, std::nullopt));
  CHECK(ice::candidate_foundation(ice::CandidateType::kHost, ip, std::nullopt) !=
        ice::candidate_foundation(ice::CandidateType::kServerReflexive, ip, std::nullopt));
  // 2^32 * min + 2 * max + (G > D)
  CHECK(ice::pair_priority(10, 20) == (10ull << 32) + 40);
  CHECK(ice::pair_priority(20, 10) == (10ull << 32) + 41);
}

TEST_CASE("ICE-lite and full agents interoperate; the lite side never checks", "[ice][lite]") {
  SimNetwork network(12);
  network.set_default_link({.delay = Duration::milliseconds(15), .loss = 0.05});
  ice::AgentConfig lite_config = config(Role::kControlling, {kB});  // asked for controlling...
  lite_config.mode = ice::Mode::kLite;
  AgentEndpoint full(network, "full", config(Role::kControlling, {kA, kA6}), 121);
  AgentEndpoint lite(network, "lite", lite_config, 122);
  CHECK(lite.agent().role() == Role::kControlled);  // ...but a lite agent is always controlled
  REQUIRE(connect(network, full, lite));
  check_same_pair(full, lite);
  CHECK(lite.agent().stats().checks_sent == 0);
  network.run_for(Duration::seconds(60));
  // The full side's consent checks keep both alive.
  CHECK(full.agent().connection_state() == ConnectionState::kCompleted);
  CHECK(lite.agent().connection_state() == ConnectionState::kCompleted);
  CHECK(lite.connection_states() == std::vector<std::string>{"checking", "connected", "completed"});
  // When the full side goes away, the lite side notices through missing consent checks.
  full.agent().close();
  network.run_for(Duration::seconds(40));
  CHECK(lite.agent().connection_state() == ConnectionState::kFailed);
}

TEST_CASE("ICE restart: new credentials, data keeps flowing on the old pair until a new one is selected",
          "[ice][restart]") {
  SimNetwork network(13);
  network.set_default_link({.delay = Duration::milliseconds(30)});
  AgentEndpoint a(network, "a", config(Role::kControlling, {kA, kA6}), 131);
  AgentEndpoint b(network, "b", config(Role::kControlled, {kB, kB6}), 132);
  REQUIRE(connect(network, a, b));
  network.run_for(Duration::seconds(1));
  const ice::Credentials old_a = a.agent().local_credentials();

  int sent = 0;
  auto exchange = [&](Duration duration) {
    const Instant end = network.now() + duration;
    while (network.now() < end) {
      sent += a.send_data() ? 1 : 0;
      sent += b.send_data() ? 1 : 0;
      network.run_for(Duration::milliseconds(20));
    }
  };
  exchange(Duration::milliseconds(500));

  // a restarts (a new offer); b answers with a restart of its own, then both trickle.
  a.announced.clear();
  b.announced.clear();
  a.agent().restart(network.now());
  b.agent().restart(network.now());
  a.drain();
  b.drain();
  CHECK(a.agent().local_credentials().password != old_a.password);
  CHECK(a.agent().can_send());                      // the old pair still carries data
  CHECK(a.agent().connection_state() == ConnectionState::kCompleted);
  exchange(Duration::milliseconds(500));            // before the new signaling arrives
  testing::signal_all(a, b, network.now());
  testing::signal_all(b, a, network.now());
  const std::size_t selected_events = std::count_if(a.events.begin(), a.events.end(),
                                                    [](const std::string& e) { return e.starts_with("selected:"); });
  exchange(Duration::seconds(3));
  const std::size_t selected_after = std::count_if(a.events.begin(), a.events.end(),
                                                   [](const std::string& e) { return e.starts_with("selected:"); });
  CHECK(selected_after == selected_events + 1);     // a new pair was selected through the new credentials
  check_same_pair(a, b);
  // Nothing was lost on the way: every datagram sent arrived as application data.
  network.run_for(Duration::milliseconds(200));
  CHECK(a.application_data + b.application_data == sent);
  CHECK(a.dropped + b.dropped == 0);
  // The states never left connected/completed.
  for (const auto& state : a.connection_states()) CHECK((state == "checking" || state == "connected" || state == "completed"));
  CHECK(a.agent().connection_state() == ConnectionState::kCompleted);
}
