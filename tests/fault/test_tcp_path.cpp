// ICE-TCP on a lossy path: two PeerConnections on their own Runtimes offering TCP
// candidates only, each passive candidate reached through the TCP impairment relay
// (bench/tcp_impairment_relay.h), which delays the streams and turns segment loss into the
// stalls TCP makes of it. Wall-clock tests, each bounded by a deadline.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "net/runtime.h"
#include "runtime_support.h"
#include "tcp_impairment_relay.h"

using namespace rtcstack;
using Clock = std::chrono::steady_clock;
using testing::wait_for;

namespace {

std::unique_ptr<net::Runtime> tcp_only_runtime() {
  net::RuntimeOptions options;
  options.addresses = {base::IpAddress::v4(127, 0, 0, 1)};
  options.udp_candidates = false;
  options.tcp_candidates = true;
  auto runtime = net::Runtime::create(options);
  return runtime.ok() ? std::move(*runtime) : nullptr;
}

// "candidate:F 1 tcp P 127.0.0.1 PORT typ host tcptype passive" -> 127.0.0.1:PORT.
base::SocketAddress address_of(const std::string& candidate) {
  std::vector<std::string> fields;
  for (std::size_t at = 0; at <= candidate.size();) {
    const std::size_t space = std::min(candidate.find(' ', at), candidate.size());
    fields.push_back(candidate.substr(at, space - at));
    at = space + 1;
  }
  REQUIRE(fields.size() > 5);
  return base::SocketAddress(*base::IpAddress::parse(fields[4]), static_cast<std::uint16_t>(std::stoi(fields[5])));
}

struct Side {
  std::shared_ptr<net::PeerConnectionHandle> pc;
  std::mutex mutex;
  std::vector<std::string> messages;
  std::vector<pc::PeerConnectionState> states;
  std::atomic<bool> open{false};
};

}  // namespace

TEST_CASE("ICE-TCP on a path that loses 3 % of segments at 60 ms RTT: every message arrives once, in order",
          "[fault][tcp]") {
  bench::TcpImpairmentRelay relay({.rtt_ms = 60, .loss = 0.03, .seed = 11});
  auto runtime_a = tcp_only_runtime(), runtime_b = tcp_only_runtime();
  REQUIRE(runtime_a);
  REQUIRE(runtime_b);
  Side a, b;
  // Each passive candidate reaches the other side as the relay's alias for it, so every
  // connection either side opens goes through the relay. Active candidates (port 9) pass
  // as they are: nobody connects to them.
  const auto callbacks = [&relay](Side& self, Side& other, bool is_a) {
    net::Callbacks on;
    on.on_ice_candidate = [&relay, &other, is_a](const std::string& candidate, const std::string&) {
      std::string signalled = candidate;
      if (candidate.find("tcptype passive") != std::string::npos) {
        is_a ? relay.set_target_a(address_of(candidate)) : relay.set_target_b(address_of(candidate));
        signalled = testing::with_port(candidate, (is_a ? relay.alias_of_a() : relay.alias_of_b()).port());
      }
      if (other.pc && !candidate.empty()) (void)other.pc->add_ice_candidate(signalled);
    };
    on.on_connection_state_change = [&self](pc::PeerConnectionState state, const std::string&) {
      std::lock_guard lock(self.mutex);
      self.states.push_back(state);
    };
    on.on_channel_state = [&self](pc::ChannelHandle, pc::DataChannelState state) {
      if (state == pc::DataChannelState::kOpen) self.open = true;
    };
    on.on_message = [&self](pc::ChannelHandle, bool, base::Buffer data) {
      std::lock_guard lock(self.mutex);
      self.messages.emplace_back(reinterpret_cast<const char*>(data.data()), data.size());
    };
    return on;
  };
  a.pc = *runtime_a->create_peer_connection({}, callbacks(a, b, true));
  b.pc = *runtime_b->create_peer_connection({}, callbacks(b, a, false));
  pc::DataChannelInit init;
  init.label = "lossy-tcp";
  init.negotiated = true;
  init.id = 1;
  const auto channel = *a.pc->create_data_channel(init);
  REQUIRE(b.pc->create_data_channel(init).ok());
  const auto started = Clock::now();
  auto offer = a.pc->create_offer();
  REQUIRE(offer.ok());
  REQUIRE(a.pc->set_local_description(*offer).ok());
  REQUIRE(b.pc->set_remote_description(*offer).ok());
  auto answer = b.pc->create_answer();
  REQUIRE(answer.ok());
  REQUIRE(b.pc->set_local_description(*answer).ok());
  REQUIRE(a.pc->set_remote_description(*answer).ok());
  // Connecting costs a stall now and then too: a deadline with room for several.
  REQUIRE(wait_for([&] { return a.open && b.open; }, std::chrono::seconds(20)));
  const auto open_at = Clock::now();

  constexpr int kMessages = 300;
  const auto numbered = [](int i) {
    std::string text = "message " + std::to_string(i) + " ";
    text.resize(1000, '.');  // about one segment each
    return text;
  };
  for (int i = 0; i < kMessages; ++i) REQUIRE(a.pc->send(channel, numbered(i)).ok());
  // 300 KB at 60 ms RTT with ~30 stalls of 250 ms: seconds; the deadline is ten times that.
  REQUIRE(wait_for(
      [&] {
        std::lock_guard lock(b.mutex);
        return b.messages.size() >= kMessages;
      },
      std::chrono::seconds(60)));
  const auto done_at = Clock::now();
  {
    std::lock_guard lock(b.mutex);
    REQUIRE(b.messages.size() == kMessages);
    for (int i = 0; i < kMessages; ++i) REQUIRE(b.messages[static_cast<std::size_t>(i)] == numbered(i));
  }
  CHECK(relay.stalls() > 0);  // the path did lose segments
  CHECK(relay.connections() >= 1);
  for (Side* side : {&a, &b}) {
    std::lock_guard lock(side->mutex);
    for (const auto state : side->states) {
      CHECK(state != pc::PeerConnectionState::kDisconnected);
      CHECK(state != pc::PeerConnectionState::kFailed);
    }
  }
  const auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  std::printf("{\"ice_tcp_lossy_path\":{\"rtt_ms\":60,\"segment_loss\":0.03,\"stalls\":%llu,\"connect_s\":%.3f,"
              "\"messages\":%d,\"transfer_s\":%.3f}}\n",
              static_cast<unsigned long long>(relay.stalls()), seconds(open_at - started), kMessages,
              seconds(done_at - open_at));
  a.pc->close();
  b.pc->close();
}
