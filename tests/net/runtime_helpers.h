// What the lib/net tests share: a runtime on 127.0.0.1, a bounded wait for what the IO
// thread's callbacks make true, and two connections that echo.
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "handle_negotiation.h"
#include "net/runtime.h"

namespace rtcstack::testing {

inline std::unique_ptr<net::Runtime> loopback_runtime(net::RuntimeOptions options = {}) {
  options.addresses = {*base::IpAddress::parse("127.0.0.1")};
  auto runtime = net::Runtime::create(options);
  REQUIRE(runtime.ok());
  return std::move(*runtime);
}

/// Waits (bounded: 20 s by default, room for a loaded machine) until `done()` holds.
inline bool eventually(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// Two connections and the plumbing between them: trickled candidates go straight to the
// other side from the IO thread (a call from inside a callback).
struct EchoPair {
  std::shared_ptr<net::PeerConnectionHandle> a, b;
  std::shared_ptr<std::weak_ptr<net::PeerConnectionHandle>> a_ref = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  std::shared_ptr<std::weak_ptr<net::PeerConnectionHandle>> b_ref = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  std::atomic<int> a_messages{0}, b_messages{0}, b_channels{0};
  std::atomic<bool> a_open{false};
  net::Callbacks on_a, on_b;

  EchoPair(net::Runtime& runtime_a, net::Runtime& runtime_b, net::Callbacks a_extra = {}) : EchoPair(std::move(a_extra)) {
    create_a(runtime_a);
    create_b(runtime_b);
  }
  /// The callbacks alone: create_a() and create_b() make the connections (where a test
  /// needs them made on threads of its own, as in network namespaces).
  explicit EchoPair(net::Callbacks a_extra) {
    on_a = std::move(a_extra);
    auto forward = [](std::shared_ptr<std::weak_ptr<net::PeerConnectionHandle>> to) {
      return [to](const std::string& candidate, const std::string&) {
        if (auto peer = to->lock()) (void)peer->add_ice_candidate(candidate);
      };
    };
    if (!on_a.on_ice_candidate) on_a.on_ice_candidate = forward(b_ref);
    if (!on_a.on_message) on_a.on_message = [this](pc::ChannelHandle, bool, base::Buffer) { ++a_messages; };
    if (!on_a.on_channel_state) {
      on_a.on_channel_state = [this](pc::ChannelHandle, pc::DataChannelState state) {
        if (state == pc::DataChannelState::kOpen) a_open = true;
      };
    }
    on_b.on_ice_candidate = forward(a_ref);
    on_b.on_data_channel = [this](pc::ChannelHandle, const pc::DataChannelInit&) { ++b_channels; };
    // b echoes, from inside its callback.
    on_b.on_message = [this](pc::ChannelHandle channel, bool binary, base::Buffer data) {
      ++b_messages;
      if (auto self = b_ref->lock()) (void)self->send(channel, data, binary);
    };
  }
  void create_a(net::Runtime& runtime) {
    a = *runtime.create_peer_connection({}, on_a);
    *a_ref = a;
  }
  void create_b(net::Runtime& runtime) {
    b = *runtime.create_peer_connection({}, on_b);
    *b_ref = b;
  }

  // Callbacks of either side use this object: close both (no callback runs after) first.
  ~EchoPair() {
    if (a) a->close();
    if (b) b->close();
  }

  void negotiate() { testing::negotiate(*a, *b); }
};

}  // namespace rtcstack::testing
