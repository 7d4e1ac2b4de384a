// ICE CPU cost: two agents connecting over a zero-delay in-memory link (a full round of
// gathering, checks, nomination and selection), and incoming connectivity checks handled
// per second (parse, verify MESSAGE-INTEGRITY and FINGERPRINT, answer).
#include <benchmark/benchmark.h>

#include <deque>
#include <variant>

#include "base/random.h"
#include "ice/agent.h"
#include "ice/check_messages.h"

namespace {

using namespace rtcstack;

const base::SocketAddress kA = *base::SocketAddress::parse("192.0.2.1:40000");
const base::SocketAddress kB = *base::SocketAddress::parse("198.51.100.1:50000");

ice::AgentConfig config(ice::Role role, const base::SocketAddress& address) {
  ice::AgentConfig c;
  c.role = role;
  c.host_addresses = {address};
  return c;
}

struct Peer {
  Peer(ice::Role role, base::SocketAddress address, std::uint64_t seed)
      : random(seed), agent(config(role, address), random) {}
  base::SeededRandom random;
  ice::Agent agent;
  std::vector<ice::Candidate> candidates;
  base::Instant timeout = base::Instant::max();
};

// Drains `from`, delivering its datagrams to `to` at once; returns whether any moved.
bool pump(Peer& from, Peer& to, base::Instant now) {
  bool moved = false;
  while (true) {
    ice::Output output = from.agent.poll_output();
    if (auto* timeout = std::get_if<ice::Timeout>(&output)) {
      from.timeout = timeout->at;
      return moved;
    }
    if (auto* transmit = std::get_if<ice::Transmit>(&output)) {
      (void)to.agent.handle_receive(now, transmit->remote, transmit->local, transmit->bytes);
      moved = true;
    } else if (auto* event = std::get_if<ice::Event>(&output)) {
      if (auto* candidate = std::get_if<ice::LocalCandidateEvent>(event)) from.candidates.push_back(candidate->candidate);
    }
  }
}

void ice_connect(benchmark::State& state) {
  std::uint64_t seed = 1;
  for (auto _ : state) {
    Peer a(ice::Role::kControlling, kA, seed++);
    Peer b(ice::Role::kControlled, kB, seed++);
    base::Instant now{};
    a.agent.start_gathering(now);
    b.agent.start_gathering(now);
    pump(a, b, now);
    pump(b, a, now);
    (void)a.agent.set_remote_credentials(b.agent.local_credentials(), now);
    (void)b.agent.set_remote_credentials(a.agent.local_credentials(), now);
    for (const auto& c : b.candidates) (void)a.agent.add_remote_candidate(c, now);
    for (const auto& c : a.candidates) (void)b.agent.add_remote_candidate(c, now);
    int steps = 0;
    while (!(a.agent.selected_pair() && b.agent.selected_pair()) && steps++ < 1000) {
      while (pump(a, b, now) | pump(b, a, now)) {
      }
      now = std::min(a.timeout, b.timeout);
      a.agent.handle_timeout(now);
      b.agent.handle_timeout(now);
    }
    if (!a.agent.selected_pair()) state.SkipWithError("agents did not connect");
  }
  state.SetItemsProcessed(state.iterations());
}

void ice_checks_answered(benchmark::State& state) {
  base::SeededRandom random(7);
  ice::Agent agent(config(ice::Role::kControlled, kB), random);
  agent.start_gathering(base::Instant{});
  (void)agent.set_remote_credentials({"rmte", "remote-password-0123456789"}, base::Instant{});
  ice::Candidate remote;
  remote.address = kA;
  remote.base = kA;
  remote.priority = ice::candidate_priority(ice::CandidateType::kHost, 65535, 1);
  remote.foundation = std::string(1, '1');  // not = "1": GCC 12 -Wrestrict false positive
  (void)agent.add_remote_candidate(remote, base::Instant{});
  std::uint8_t buffer[ice::kMaxCheckSize];
  const auto request = ice::build_check_request(
      buffer, stun::TransactionId::random(random),
      {agent.local_credentials().ufrag, "rmte", agent.local_credentials().password, remote.priority,
       ice::Role::kControlling, 1, false});
  base::Instant now{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(agent.handle_receive(now, kB, kA, *request));
    // Drop what the agent wants to send; only the cost of handling the check is measured.
    while (!std::holds_alternative<ice::Timeout>(agent.poll_output())) {
    }
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(ice_connect);
BENCHMARK(ice_checks_answered);
