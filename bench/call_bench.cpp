// Whole calls over loopback UDP through lib/net, both PeerConnections in this process:
//   call_setup_ms           createOffer to data channel open on both sides, median of 20
//   call_channel_throughput one reliable ordered channel, 64 KiB messages, MB/s
//   call_idle_memory        resident memory per connected idle PeerConnection (100 pairs)
// Prints one JSON object per line, like the Google Benchmark programs.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "net/runtime.h"

namespace {

using namespace rtcstack;
using Clock = std::chrono::steady_clock;

bool wait_for(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(10)) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return true;
}

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// Two connections with trickle between them; b echoes nothing, counts bytes.
struct Call {
  std::shared_ptr<net::PeerConnectionHandle> a, b;
  std::shared_ptr<std::weak_ptr<net::PeerConnectionHandle>> a_ref = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  std::shared_ptr<std::weak_ptr<net::PeerConnectionHandle>> b_ref = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  std::atomic<bool> a_open{false}, b_open{false};
  std::atomic<std::size_t> received{0};
  pc::ChannelHandle channel = 0;

  explicit Call(net::Runtime& runtime) {
    auto forward = [](std::shared_ptr<std::weak_ptr<net::PeerConnectionHandle>> to) {
      return [to](const std::string& candidate, const std::string&) {
        if (auto peer = to->lock()) (void)peer->add_ice_candidate(candidate);
      };
    };
    net::Callbacks on_a, on_b;
    on_a.on_ice_candidate = forward(b_ref);
    on_b.on_ice_candidate = forward(a_ref);
    on_a.on_channel_state = [this](pc::ChannelHandle, sctp::ChannelState state) {
      if (state == sctp::ChannelState::kOpen) a_open = true;
    };
    on_b.on_channel_state = [this](pc::ChannelHandle, sctp::ChannelState state) {
      if (state == sctp::ChannelState::kOpen) b_open = true;
    };
    on_b.on_message = [this](pc::ChannelHandle, bool, base::Buffer data) { received += data.size(); };
    a = *runtime.create_peer_connection({}, on_a);
    b = *runtime.create_peer_connection({}, on_b);
    *a_ref = a;
    *b_ref = b;
  }
  ~Call() {
    a->close();
    b->close();
  }

  bool connect() {
    sctp::ChannelInit init;
    init.label = "bench";
    channel = *a->create_data_channel(init);
    auto offer = a->create_offer();
    if (!offer || !a->set_local_description(*offer) || !b->set_remote_description(*offer)) return false;
    auto answer = b->create_answer();
    if (!answer || !b->set_local_description(*answer) || !a->set_remote_description(*answer)) return false;
    return wait_for([&] { return a_open && b_open; });
  }
};

std::unique_ptr<net::Runtime> loopback_runtime() {
  net::RuntimeOptions options;
  options.addresses = {*base::IpAddress::parse("127.0.0.1")};
  return std::move(*net::Runtime::create(options));
}

}  // namespace

int main() {
  std::printf("{\"context\":{\"cpus\":%u,\"program\":\"call_bench\",\"transport\":\"loopback UDP, one process\"}}\n",
              std::thread::hardware_concurrency());
  auto runtime = loopback_runtime();

  std::vector<double> setups;
  for (int i = 0; i < 20; ++i) {
    Call call(*runtime);
    const auto start = Clock::now();
    if (!call.connect()) {
      std::printf("{\"benchmark\":\"call_setup_ms\",\"error\":\"call %d did not open its channel\"}\n", i);
      return 1;
    }
    setups.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(setups.begin(), setups.end());
  std::printf("{\"benchmark\":\"call_setup_ms\",\"calls\":20,\"median_ms\":%.2f,\"min_ms\":%.2f,\"max_ms\":%.2f}\n",
              (setups[9] + setups[10]) / 2, setups.front(), setups.back());

  {
    Call call(*runtime);
    if (!call.connect()) return 1;
    const std::vector<std::uint8_t> message(64 * 1024, 0x5a);
    constexpr std::size_t kTotal = 256 * 1024 * 1024;
    std::size_t sent = 0;
    const auto start = Clock::now();
    while (sent < kTotal) {
      if (call.a->buffered_amount(call.channel) > 4 * 1024 * 1024 || !call.a->send(call.channel, message, true)) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
      sent += message.size();
    }
    if (!wait_for([&] { return call.received == kTotal; }, std::chrono::seconds(60))) return 1;
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("{\"benchmark\":\"call_channel_throughput\",\"bytes\":%zu,\"seconds\":%.3f,\"mb_per_second\":%.1f}\n",
                kTotal, seconds, kTotal / seconds / 1e6);
  }

  {
    const std::size_t before = resident_bytes();
    std::vector<std::unique_ptr<Call>> calls;
    for (int i = 0; i < 100; ++i) {
      calls.push_back(std::make_unique<Call>(*runtime));
      if (!calls.back()->connect()) return 1;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const std::size_t after = resident_bytes();
    std::printf("{\"benchmark\":\"call_idle_memory\",\"connections\":200,\"resident_bytes_per_connection\":%zu}\n",
                (after - std::min(after, before)) / 200);
  }
  return 0;
}
