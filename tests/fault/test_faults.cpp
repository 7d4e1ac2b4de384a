// Faults on a real path: two PeerConnections, each on its own Runtime with real loopback
// UDP sockets, talking through the impairment relay (bench/impairment_relay.h), which the
// test turns dark, lossy or rebinds mid-call. Wall-clock tests, each bounded by a deadline.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "impairment_relay.h"
#include "media_echo.h"
#include "net/runtime.h"
#include "runtime_support.h"

using namespace rtcstack;
using Clock = std::chrono::steady_clock;

namespace {

using testing::loopback_runtime;
using testing::wait_for;

std::string via(const std::string& candidate, std::uint16_t alias_port) { return testing::with_port(candidate, alias_port); }

// What one side saw: connection states with the time each came, messages in order.
struct Observed {
  std::mutex mutex;
  std::vector<std::pair<pc::PeerConnectionState, Clock::time_point>> states;
  std::vector<std::string> messages;
  std::atomic<bool> open{false};

  std::optional<Clock::time_point> when(pc::PeerConnectionState state) {
    std::lock_guard lock(mutex);
    for (const auto& [s, at] : states) {
      if (s == state) return at;
    }
    return std::nullopt;
  }
  std::size_t message_count() {
    std::lock_guard lock(mutex);
    return messages.size();
  }
};

// a offers a reliable ordered channel; each side's candidates reach the other rewritten
// to the relay's alias for it.
struct RelayedCall {
  bench::ImpairmentRelay relay;
  std::unique_ptr<net::Runtime> runtime_a = loopback_runtime(), runtime_b = loopback_runtime();
  std::shared_ptr<net::PeerConnectionHandle> a, b;
  Observed seen_a, seen_b;
  pc::ChannelHandle channel = 0;

  explicit RelayedCall(bench::Impairment impairment) : relay(impairment) {
    a = *runtime_a->create_peer_connection({}, callbacks(seen_a, b, relay.alias_of_a().port()));
    b = *runtime_b->create_peer_connection({}, callbacks(seen_b, a, relay.alias_of_b().port()));
  }
  ~RelayedCall() {
    a->close();
    b->close();
  }

  net::Callbacks callbacks(Observed& seen, std::shared_ptr<net::PeerConnectionHandle>& other, std::uint16_t alias) {
    net::Callbacks on;
    on.on_ice_candidate = [&other, alias](const std::string& candidate, const std::string&) {
      if (other) (void)other->add_ice_candidate(via(candidate, alias));
    };
    on.on_connection_state_change = [&seen](pc::PeerConnectionState state, const std::string&) {
      std::lock_guard lock(seen.mutex);
      seen.states.emplace_back(state, Clock::now());
    };
    on.on_channel_state = [&seen](pc::ChannelHandle, pc::DataChannelState state) {
      if (state == pc::DataChannelState::kOpen) seen.open = true;
    };
    on.on_message = [&seen](pc::ChannelHandle, bool, base::Buffer data) {
      std::lock_guard lock(seen.mutex);
      seen.messages.emplace_back(reinterpret_cast<const char*>(data.data()), data.size());
    };
    return on;
  }

  // The offerer is the controlling ICE agent; a opens the channel either way.
  void connect(bool a_offers = true) {
    pc::DataChannelInit init;
    init.label = "faults";
    init.negotiated = true;  // both ends know it: it opens whoever offers
    init.id = 1;
    channel = *a->create_data_channel(init);
    REQUIRE(b->create_data_channel(init).ok());
    auto& offerer = a_offers ? a : b;
    auto& answerer = a_offers ? b : a;
    auto offer = offerer->create_offer();
    REQUIRE(offer.ok());
    REQUIRE(offerer->set_local_description(*offer).ok());
    REQUIRE(answerer->set_remote_description(*offer).ok());
    auto answer = answerer->create_answer();
    REQUIRE(answer.ok());
    REQUIRE(answerer->set_local_description(*answer).ok());
    REQUIRE(offerer->set_remote_description(*answer).ok());
    REQUIRE(wait_for([&] { return seen_a.open && seen_b.open; }, std::chrono::seconds(10)));
  }
};

std::string numbered(std::size_t i) { return "message " + std::to_string(i); }

}  // namespace

TEST_CASE("fault: the peer vanishes mid-transfer: disconnected at 8 s, failed at 30 s, closed on close()",
          "[fault]") {
  RelayedCall call({.rtt_ms = 10, .seed = 1});
  call.connect();
  for (std::size_t i = 0; i < 100; ++i) REQUIRE(call.a->send(call.channel, numbered(i)).ok());
  REQUIRE(wait_for([&] { return call.seen_b.message_count() == 100; }, std::chrono::seconds(5)));
  // The path goes dark both ways while a is still sending.
  const auto gone = Clock::now();
  call.relay.set_loss(1.0);
  for (std::size_t i = 100; i < 200; ++i) (void)call.a->send(call.channel, numbered(i));
  REQUIRE(wait_for([&] { return call.seen_a.when(pc::PeerConnectionState::kFailed).has_value(); },
                   std::chrono::seconds(45)));
  const auto disconnected = call.seen_a.when(pc::PeerConnectionState::kDisconnected);
  const auto failed = call.seen_a.when(pc::PeerConnectionState::kFailed);
  REQUIRE(disconnected.has_value());
  // Consent (RFC 7675) as documented: no answer for 8 s -> disconnected, 30 s -> failed;
  // the last answer came up to one consent interval (5 s +- 20 %) before the path went.
  const auto seconds = [&](Clock::time_point at) { return std::chrono::duration<double>(at - gone).count(); };
  CHECK(seconds(*disconnected) > 8 - 6 - 0.5);
  CHECK(seconds(*disconnected) < 8 + 1);
  CHECK(seconds(*failed) > 30 - 6 - 0.5);
  CHECK(seconds(*failed) < 30 + 1);
  CHECK(*disconnected < *failed);
  call.a->close();
  CHECK(call.a->connection_state() == pc::PeerConnectionState::kClosed);
  CHECK(call.seen_b.message_count() == 100);
}

TEST_CASE("fault: 30 % loss for 10 s, then a clean path: the reliable channel delivers every message once, in order",
          "[fault]") {
  RelayedCall call({.rtt_ms = 20, .jitter_ms = 2, .seed = 2});
  call.connect();
  std::size_t sent = 0;
  const auto send_for = [&](std::chrono::seconds duration) {
    const auto until = Clock::now() + duration;
    while (Clock::now() < until) {
      if (call.a->buffered_amount(call.channel) < 256 * 1024 && call.a->send(call.channel, numbered(sent)).ok()) {
        ++sent;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  };
  send_for(std::chrono::seconds(1));
  call.relay.set_loss(0.3);
  send_for(std::chrono::seconds(10));
  call.relay.set_loss(0);
  send_for(std::chrono::seconds(1));
  // Consent may have lapsed for a while under the loss; the next answer restores it.
  CHECK(wait_for([&] {
    return call.a->connection_state() == pc::PeerConnectionState::kConnected &&
           call.b->connection_state() == pc::PeerConnectionState::kConnected;
  }, std::chrono::seconds(10)));
  REQUIRE(wait_for([&] { return call.seen_b.message_count() >= sent; }, std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a duplicate would show now
  std::lock_guard lock(call.seen_b.mutex);
  REQUIRE(call.seen_b.messages.size() == sent);
  for (std::size_t i = 0; i < sent; ++i) {
    if (call.seen_b.messages[i] != numbered(i)) FAIL("message " << i << " is \"" << call.seen_b.messages[i] << "\"");
  }
  CHECK(call.relay.dropped() > 100);
}

TEST_CASE("fault: b's NAT rebinds mid-call: the connection goes on over the peer-reflexive address", "[fault]") {
  RelayedCall call({.rtt_ms = 10, .seed = 3});
  // a sees b move: as the controlling agent it nominates the new pair; as the controlled
  // one it follows the pair b's traffic arrives on.
  const bool a_controls = GENERATE(true, false);
  INFO("a is " << (a_controls ? "controlling" : "controlled"));
  call.connect(a_controls);
  REQUIRE(call.a->send(call.channel, numbered(0)).ok());
  REQUIRE(wait_for([&] { return call.seen_b.message_count() == 1; }, std::chrono::seconds(5)));
  call.relay.rebind_b();
  // Data both ways until it flows again; it must within a consent interval or two.
  std::size_t sent = 1;
  const bool resumed = wait_for([&] {
    (void)call.a->send(call.channel, numbered(sent++));
    return call.seen_b.message_count() >= 2;
  }, std::chrono::seconds(20));
  CHECK(resumed);
  CHECK(call.a->connection_state() != pc::PeerConnectionState::kFailed);
  REQUIRE(wait_for([&] { return call.seen_b.message_count() == sent; }, std::chrono::seconds(10)));
}

TEST_CASE("fault: a second of total loss in a video call: PLI brings a key frame and decoding resumes", "[fault]") {
  bench::ImpairmentRelay relay({.rtt_ms = 10, .seed = 4});
  auto runtime_a = loopback_runtime(), runtime_b = loopback_runtime();
  auto media_a = std::move(*echo::MediaEcho::create()), media_b = std::move(*echo::MediaEcho::create());
  std::shared_ptr<net::PeerConnectionHandle> a, b;
  std::atomic<int> connected{0}, key_frame_requests{0};
  const auto callbacks = [&](std::shared_ptr<net::PeerConnectionHandle>& other, std::uint16_t alias, echo::MediaEcho& media) {
    net::Callbacks on;
    on.on_ice_candidate = [&other, alias](const std::string& candidate, const std::string&) {
      if (other) (void)other->add_ice_candidate(via(candidate, alias));
    };
    on.on_connection_state_change = [&connected](pc::PeerConnectionState state, const std::string&) {
      if (state == pc::PeerConnectionState::kConnected) ++connected;
    };
    on.on_rtp = [&media](pc::TransceiverHandle transceiver, base::Buffer packet, const std::string&) { media.on_rtp(transceiver, packet); };
    on.on_key_frame_request = [&media, &key_frame_requests](pc::TransceiverHandle transceiver, const std::string&) {
      ++key_frame_requests;
      media.on_key_frame_request(transceiver);
    };
    return on;
  };
  a = *runtime_a->create_peer_connection({}, callbacks(b, relay.alias_of_a().port(), *media_a));
  b = *runtime_b->create_peer_connection({}, callbacks(a, relay.alias_of_b().port(), *media_b));
  const auto a_video = *a->add_transceiver(pc::MediaKind::kVideo);
  const auto a_audio = *a->add_transceiver(pc::MediaKind::kAudio);
  auto offer = a->create_offer();
  REQUIRE(offer.ok());
  REQUIRE(a->set_local_description(*offer).ok());
  REQUIRE(b->set_remote_description(*offer).ok());
  const auto b_video = *b->add_track(pc::MediaKind::kVideo);
  const auto b_audio = *b->add_track(pc::MediaKind::kAudio);
  auto answer = b->create_answer();
  REQUIRE(answer.ok());
  REQUIRE(b->set_local_description(*answer).ok());
  REQUIRE(a->set_remote_description(*answer).ok());
  media_a->attach(a, a_video, a_audio);
  media_b->attach(b, b_video, b_audio);
  REQUIRE(wait_for([&] { return connected == 2; }, std::chrono::seconds(10)));
  const auto run_for = [&](std::chrono::milliseconds duration) {
    const auto until = Clock::now() + duration;
    while (Clock::now() < until) {
      REQUIRE(media_a->tick(Clock::now()).ok());
      REQUIRE(media_b->tick(Clock::now()).ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  };
  run_for(std::chrono::seconds(2));
  REQUIRE(media_a->video_frames_decoded() > 30);
  REQUIRE(media_b->video_frames_decoded() > 30);
  const int requests_before = key_frame_requests;
  relay.set_loss(1.0);
  run_for(std::chrono::seconds(1));
  relay.set_loss(0);
  const std::uint64_t a_before = media_a->video_frames_decoded(), b_before = media_b->video_frames_decoded();
  run_for(std::chrono::seconds(3));
  // 30 frames a second: most of the three seconds after the burst decode again at both ends.
  CHECK(media_a->video_frames_decoded() - a_before > 45);
  CHECK(media_b->video_frames_decoded() - b_before > 45);
  CHECK(key_frame_requests > requests_before);
  a->close();
  b->close();
}
