// Fuzzes an ICE agent in the checking state. The input is a script of operations:
// raw datagrams from the network, time passing, remote candidates, end-of-candidates,
// and - so that the fuzzer reaches past MESSAGE-INTEGRITY, which it cannot forge -
// correctly signed check requests and responses whose fields come from the input.
// The agent must never crash, never emit an unbounded amount of output, and keep its
// invariants (a selected pair has succeeded).
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "base/endian.h"
#include "base/random.h"
#include "ice/agent.h"
#include "ice/check_messages.h"

namespace {

using namespace rtcstack;

class Script {
 public:
  Script(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool done() const { return at_ >= size_; }
  std::uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
  std::uint32_t u32() { return std::uint32_t{byte()} << 24 | std::uint32_t{byte()} << 16 | std::uint32_t{byte()} << 8 | byte(); }
  base::ByteView bytes(std::size_t n) {
    n = std::min(n, size_ - std::min(at_, size_));
    base::ByteView view(data_ + at_, n);
    at_ += n;
    return view;
  }
  base::SocketAddress address() {
    // A handful of v4 and v6 peers, so that learned candidates collide and repeat.
    const std::uint8_t which = byte();
    const auto port = static_cast<std::uint16_t>(1000 + (which & 0x07));
    if (which & 0x80) {
      std::uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
      v6[15] = static_cast<std::uint8_t>((which >> 3) & 0x03);
      return {*base::IpAddress::from_bytes(v6), port};
    }
    return {base::IpAddress::v4(198, 51, 100, static_cast<std::uint8_t>((which >> 3) & 0x03)), port};
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

const base::SocketAddress kLocal4 = *base::SocketAddress::parse("192.0.2.1:5000");
const base::SocketAddress kLocal6 = *base::SocketAddress::parse("[2001:db8::100]:5000");

void drain(ice::Agent& agent) {
  for (int i = 0; i < 100000; ++i) {
    const ice::Output output = agent.poll_output();
    if (std::holds_alternative<ice::Timeout>(output)) {
      if (const auto selected = agent.selected_pair()) {
        bool found = false;
        for (const auto& pair : agent.pairs()) {
          found = found || (pair.state == ice::PairState::kSucceeded &&
                            agent.local_candidates()[pair.local].base == selected->local.base &&
                            agent.remote_candidates()[pair.remote].address == selected->remote.address);
        }
        if (!found) std::abort();
      }
      return;
    }
  }
  std::abort();  // output without end
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Script script(data, size);
  base::SeededRandom random(script.u32());
  ice::AgentConfig config;
  config.role = script.byte() & 1 ? ice::Role::kControlling : ice::Role::kControlled;
  config.host_addresses = {kLocal4, kLocal6};
  ice::Agent agent(config, random);
  const ice::Credentials remote{"rmte", "remote-password-0123456789"};
  base::Instant now = base::Instant{} + base::Duration::seconds(1);
  agent.start_gathering(now);
  (void)agent.set_remote_credentials(remote, now);
  drain(agent);

  std::uint8_t buffer[ice::kMaxCheckSize];
  while (!script.done()) {
    const std::uint8_t op = script.byte() % 7;
    const base::SocketAddress from = script.address();
    const base::SocketAddress& local = from.ip().is_v4() ? kLocal4 : kLocal6;
    switch (op) {
      case 0:  // raw bytes from the network
        (void)agent.handle_receive(now, local, from, script.bytes(script.byte()));
        break;
      case 1:  // time passes
        now += base::Duration::milliseconds(10 * (1 + script.byte()));
        agent.handle_timeout(now);
        break;
      case 2: {  // a remote candidate
        ice::Candidate candidate;
        candidate.type = static_cast<ice::CandidateType>(script.byte() % 4);
        candidate.address = from;
        candidate.base = from;
        candidate.priority = script.u32();
        candidate.foundation = std::to_string(script.byte());
        candidate.component = script.byte() % 3;
        (void)agent.add_remote_candidate(candidate, now);
        break;
      }
      case 3:
        agent.set_remote_end_of_candidates(now);
        break;
      case 4: {  // a correctly signed check request
        const std::uint8_t flags = script.byte();
        const auto request = ice::build_check_request(
            buffer, stun::TransactionId::random(random),
            {agent.local_credentials().ufrag, remote.ufrag, agent.local_credentials().password, script.u32(),
             flags & 1 ? ice::Role::kControlling : ice::Role::kControlled, script.u32(), (flags & 2) != 0});
        (void)agent.handle_receive(now, local, from, *request);
        break;
      }
      case 5: {  // a correctly signed response to an outstanding check, from the right or a wrong address
        const std::uint8_t pick = script.byte();
        std::size_t seen = 0;
        for (const auto& pair : agent.pairs()) {
          if (!pair.transaction || seen++ != pick % 4) continue;
          const auto id = pair.transaction->id();
          const bool error = script.byte() & 1;
          const auto response = error ? ice::build_check_error(buffer, id, 487, "Role Conflict", remote.password)
                                      : ice::build_check_success(buffer, id, from, remote.password);
          const bool honest = script.byte() & 1;
          (void)agent.handle_receive(now, agent.local_candidates()[pair.local].base,
                                     honest ? agent.remote_candidates()[pair.remote].address : from, *response);
          break;
        }
        break;
      }
      case 6:
        if (script.byte() == 0xff) agent.close();
        break;
    }
    drain(agent);
  }
  return 0;
}
