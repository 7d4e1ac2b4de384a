// lib/net over real loopback sockets: connections in one runtime and across two, every
// API call from inside every callback, and shutdown with live handles. Run under the
// sanitizer build too, where leaks and races show.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "handle_negotiation.h"
#include "net/runtime.h"
#include "runtime_helpers.h"

using namespace rtcstack;
using net::PeerConnectionHandle;
using testing::eventually;
using testing::loopback_runtime;

using Pair = testing::EchoPair;

TEST_CASE("two connections in one runtime connect over loopback and echo", "[net]") {
  auto runtime = loopback_runtime();
  Pair pair(*runtime, *runtime);
  pc::DataChannelInit init;
  init.label = "echo";
  const auto channel = *pair.a->create_data_channel(init);
  pair.negotiate();
  REQUIRE(eventually([&] { return pair.a_open.load(); }));
  CHECK(pair.a->connection_state() == pc::PeerConnectionState::kConnected);
  for (int i = 0; i < 50; ++i) REQUIRE(pair.a->send(channel, "ping " + std::to_string(i)).ok());
  REQUIRE(eventually([&] { return pair.a_messages == 50; }));
  CHECK(pair.b_channels == 1);
  CHECK(runtime->connection_count() == 2);
  pair.a.reset();
  CHECK(eventually([&] { return runtime->connection_count() == 1; }));
}

TEST_CASE("one shared UDP port serves many connections, each datagram reaching its own", "[net]") {
  net::RuntimeOptions options;
  options.addresses = {*base::IpAddress::parse("127.0.0.1")};
  options.share_sockets = true;
  auto server = std::move(*net::Runtime::create(options));
  auto clients = loopback_runtime();
  REQUIRE(server->local_addresses().size() == 1);
  const std::string port = " " + std::to_string(server->local_addresses()[0].port()) + " typ host";
  constexpr int kPairs = 24;
  std::vector<std::unique_ptr<Pair>> pairs;
  std::vector<pc::ChannelHandle> channels;
  for (int i = 0; i < kPairs; ++i) {
    pairs.push_back(std::make_unique<Pair>(*clients, *server));
    pc::DataChannelInit init;
    init.label = "c" + std::to_string(i);
    channels.push_back(*pairs.back()->a->create_data_channel(init));
    pairs.back()->negotiate();
    // Every server-side connection offers the one shared port and no other.
    const auto answer = pairs.back()->b->local_description();
    REQUIRE(answer.has_value());
    CHECK(answer->sdp.find(port) != std::string::npos);
  }
  REQUIRE(eventually([&] {
    return std::all_of(pairs.begin(), pairs.end(), [](const auto& pair) { return pair->a_open.load(); });
  }));
  for (int i = 0; i < kPairs; ++i) {
    for (int k = 0; k <= i % 3; ++k) REQUIRE(pairs[i]->a->send(channels[i], "ping").ok());
  }
  // Each echo comes back to the connection that sent it, and only to it.
  REQUIRE(eventually([&] {
    for (int i = 0; i < kPairs; ++i) {
      if (pairs[i]->a_messages != i % 3 + 1) return false;
    }
    return true;
  }));
  for (int i = 0; i < kPairs; ++i) CHECK(pairs[i]->b_messages == i % 3 + 1);
  // Half of them go; the rest are still routed and still echo.
  for (int i = 0; i < kPairs; i += 2) pairs[i].reset();
  CHECK(eventually([&] { return server->connection_count() == kPairs / 2; }));
  for (int i = 1; i < kPairs; i += 2) REQUIRE(pairs[i]->a->send(channels[i], "again").ok());
  REQUIRE(eventually([&] {
    for (int i = 1; i < kPairs; i += 2) {
      if (pairs[i]->a_messages != i % 3 + 2) return false;
    }
    return true;
  }));
}

TEST_CASE("connections in two runtimes (two IO threads) share the process-wide core lock", "[net]") {
  auto first = loopback_runtime();
  auto second = loopback_runtime();
  Pair pair(*first, *second);
  pc::DataChannelInit init;
  init.label = "across";
  const auto channel = *pair.a->create_data_channel(init);
  pair.negotiate();
  REQUIRE(eventually([&] { return pair.a_open.load(); }));
  const std::vector<std::uint8_t> block(60000, 0x61);
  for (int i = 0; i < 100; ++i) REQUIRE(pair.a->send(channel, block, true).ok());
  REQUIRE(eventually([&] { return pair.a_messages == 100; }, std::chrono::seconds(20)));
}

TEST_CASE("every API call is legal from inside every callback, close() and dropping the handle included", "[net]") {
  auto runtime = loopback_runtime();
  // Which callback misbehaves this round.
  enum Kind { kSignaling, kGathering, kIceConnection, kConnection, kCandidate, kChannelState, kMessage, kCount };
  for (int kind = 0; kind < kCount; ++kind) {
    DYNAMIC_SECTION("callback " << kind) {
      std::atomic<int> fired{0};
      std::shared_ptr<std::weak_ptr<PeerConnectionHandle>> self = std::make_shared<std::weak_ptr<PeerConnectionHandle>>();
      std::shared_ptr<PeerConnectionHandle> keep;  // dropped from inside the callback on its second firing
      std::mutex keep_mutex;
      auto everything = [&, self] {
        auto handle = self->lock();
        if (!handle) return;
        ++fired;
        (void)handle->create_offer();
        (void)handle->create_answer();
        (void)handle->set_remote_description({pc::SdpType::kOffer, "not sdp"});
        (void)handle->set_local_description({pc::SdpType::kRollback, ""});
        (void)handle->add_ice_candidate("candidate:garbage");
        (void)handle->local_description();
        (void)handle->remote_description();
        pc::DataChannelInit init;
        init.label = "from a callback";
        if (auto channel = handle->create_data_channel(init)) {
          (void)handle->send(*channel, "x");
          (void)handle->buffered_amount(*channel);
          handle->set_buffered_amount_low_threshold(*channel, 10);
          (void)handle->channel_state(*channel);
          (void)handle->close_data_channel(*channel);
        }
        (void)handle->signaling_state();
        (void)handle->connection_state();
        (void)handle->ice_gathering_state();
        if (fired >= 2) {
          handle->close();
          handle.reset();
          std::lock_guard lock(keep_mutex);
          keep.reset();  // the last owner lets go, inside the callback
        }
      };
      net::Callbacks callbacks;
      switch (kind) {
        case kSignaling: callbacks.on_signaling_state_change = [=](pc::SignalingState) { everything(); }; break;
        case kGathering: callbacks.on_ice_gathering_state_change = [=](pc::IceGatheringState) { everything(); }; break;
        case kIceConnection: callbacks.on_ice_connection_state_change = [=](pc::IceConnectionState) { everything(); }; break;
        case kConnection:
          callbacks.on_connection_state_change = [=](pc::PeerConnectionState, const std::string&) { everything(); };
          break;
        case kCandidate: break;  // set by Pair unless given: wrap it below
        case kChannelState: callbacks.on_channel_state = [=](pc::ChannelHandle, pc::DataChannelState) { everything(); }; break;
        case kMessage: callbacks.on_message = [=](pc::ChannelHandle, bool, base::Buffer) { everything(); }; break;
      }
      std::unique_ptr<Pair> pair;
      if (kind == kCandidate) {
        auto b_ref = std::make_shared<std::weak_ptr<PeerConnectionHandle>>();
        callbacks.on_ice_candidate = [=](const std::string& candidate, const std::string&) {
          if (auto peer = b_ref->lock()) (void)peer->add_ice_candidate(candidate);
          everything();
        };
        pair = std::make_unique<Pair>(*runtime, *runtime, callbacks);
        *b_ref = pair->b;
      } else {
        pair = std::make_unique<Pair>(*runtime, *runtime, callbacks);
      }
      *self = pair->a;
      {
        std::lock_guard lock(keep_mutex);
        keep = pair->a;
      }
      std::shared_ptr<PeerConnectionHandle> a = pair->a;  // closed by this thread at the end
      pair->a.reset();
      pc::DataChannelInit init;
      init.label = "main";
      const auto channel = a->create_data_channel(init);
      auto offer = a->create_offer();
      if (offer && a->set_local_description(*offer)) {
        if (pair->b->set_remote_description(*offer)) {
          auto answer = pair->b->create_answer();
          if (answer && pair->b->set_local_description(*answer)) (void)a->set_remote_description(*answer);
        }
      }
      if (channel) {
        eventually([&] { return pair->a_open.load() || fired >= 2; }, std::chrono::seconds(5));
        (void)a->send(*channel, "to b");
      }
      eventually([&] { return fired >= 2; }, std::chrono::seconds(5));
      CHECK(fired >= 1);
      // No callback of `a` may run once the locals it uses are gone: close() waits for a
      // running one and stops the rest (outside keep_mutex, which the callbacks take).
      a->close();
      a.reset();
      std::lock_guard lock(keep_mutex);
      keep.reset();
    }
  }
  // After all that the runtime still works.
  Pair pair(*runtime, *runtime);
  pc::DataChannelInit init;
  init.label = "after";
  const auto channel = *pair.a->create_data_channel(init);
  pair.negotiate();
  REQUIRE(eventually([&] { return pair.a_open.load(); }));
  REQUIRE(pair.a->send(channel, "still fine").ok());
  REQUIRE(eventually([&] { return pair.a_messages == 1; }));
}

TEST_CASE("a runtime stops with live handles; they report closed afterwards", "[net]") {
  auto runtime = loopback_runtime();
  Pair pair(*runtime, *runtime);
  pc::DataChannelInit init;
  init.label = "x";
  (void)pair.a->create_data_channel(init);
  pair.negotiate();
  REQUIRE(eventually([&] { return pair.a_open.load(); }));
  runtime.reset();
  CHECK(pair.a->create_offer().error().code == base::ErrorCode::kClosed);
  CHECK(pair.a->connection_state() == pc::PeerConnectionState::kClosed);
}

TEST_CASE("the last handle dropped inside the connection's own callback", "[net]") {
  auto runtime = loopback_runtime();
  std::atomic<bool> dropped{false};
  auto holder = std::make_shared<std::shared_ptr<PeerConnectionHandle>>();
  net::Callbacks callbacks;
  callbacks.on_ice_gathering_state_change = [holder, &dropped](pc::IceGatheringState state) {
    if (state != pc::IceGatheringState::kComplete) return;
    holder->reset();  // the only owner: the connection is closed and forgotten from here
    dropped = true;
  };
  auto handle = *runtime->create_peer_connection({}, callbacks);
  *holder = handle;
  pc::DataChannelInit init;
  init.label = "x";
  (void)handle->create_data_channel(init);
  auto offer = handle->create_offer();
  REQUIRE(offer.ok());
  REQUIRE(handle->set_local_description(*offer).ok());
  // Usually the callback runs after this thread has let go, and drops the last owner
  // itself; either order must be safe.
  handle.reset();
  REQUIRE(eventually([&] { return dropped.load(); }));
  CHECK(eventually([&] { return runtime->connection_count() == 0; }));
}

TEST_CASE("IPv6: two connections over ::1", "[net]") {
  net::RuntimeOptions options;
  options.addresses = {*base::IpAddress::parse("::1")};
  auto runtime = net::Runtime::create(options);
  REQUIRE(runtime.ok());
  Pair pair(**runtime, **runtime);
  pc::DataChannelInit init;
  init.label = "v6";
  const auto channel = *pair.a->create_data_channel(init);
  pair.negotiate();
  REQUIRE(eventually([&] { return pair.a_open.load(); }));
  REQUIRE(pair.a->send(channel, "over IPv6").ok());
  REQUIRE(eventually([&] { return pair.a_messages == 1; }));
  const auto offer = pair.a->local_description();
  REQUIRE(offer.has_value());
  CHECK(offer->sdp.find(" ::1 ") != std::string::npos);  // the host candidate is IPv6 loopback
}

TEST_CASE("dual stack: a peer on both families meets an IPv6-only and an IPv4-only peer; pairs never mix families",
          "[net][ipv6]") {
  const auto runtime_on = [](std::vector<const char*> addresses) {
    net::RuntimeOptions options;
    for (const char* address : addresses) options.addresses.push_back(*base::IpAddress::parse(address));
    auto runtime = net::Runtime::create(options);
    REQUIRE(runtime.ok());
    return std::move(*runtime);
  };
  auto dual = runtime_on({"127.0.0.1", "::1"});
  const bool peer_is_v6 = GENERATE(true, false);
  auto single = runtime_on({peer_is_v6 ? "::1" : "127.0.0.1"});
  INFO("the other peer is on " << (peer_is_v6 ? "::1" : "127.0.0.1"));
  Pair pair(*dual, *single);
  pc::DataChannelInit init;
  init.label = "dual";
  const auto channel = *pair.a->create_data_channel(init);
  pair.negotiate();
  REQUIRE(eventually([&] { return pair.a_open.load(); }));
  REQUIRE(pair.a->send(channel, "hello").ok());
  REQUIRE(eventually([&] { return pair.a_messages == 1; }));
  // The dual-stack side offered both families; every pair it formed is of one family, and
  // the selected one is the other peer's.
  const std::string offer = pair.a->local_description()->sdp;
  CHECK(offer.find(" 127.0.0.1 ") != std::string::npos);
  CHECK(offer.find(" ::1 ") != std::string::npos);
  const auto stats = pair.a->get_stats();
  std::map<std::string, std::string> address_of;  // candidate id -> address
  for (const pc::Stats& s : stats) {
    if (s.type == "local-candidate" || s.type == "remote-candidate") address_of[s.id] = std::get<std::string>(*s.get("address"));
  }
  const auto is_v6 = [](const std::string& address) { return address.find(':') != std::string::npos; };
  std::string selected;
  int pairs = 0;
  for (const pc::Stats& s : stats) {
    if (s.type == "transport") selected = std::get<std::string>(*s.get("selectedCandidatePairId"));
    if (s.type != "candidate-pair") continue;
    ++pairs;
    const std::string local = address_of[std::get<std::string>(*s.get("localCandidateId"))];
    const std::string remote = address_of[std::get<std::string>(*s.get("remoteCandidateId"))];
    CHECK(is_v6(local) == is_v6(remote));
  }
  CHECK(pairs >= 1);
  for (const pc::Stats& s : stats) {
    if (s.id == selected) CHECK(is_v6(address_of[std::get<std::string>(*s.get("localCandidateId"))]) == peer_is_v6);
  }
  CHECK_FALSE(selected.empty());
}
