#include "echo_client.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "client_test.h"
#include "session_json.h"

namespace rtcstack::echo {
namespace {

base::Result<std::unique_ptr<net::Runtime>> make_runtime(const ClientOptions& options) {
  net::RuntimeOptions runtime_options;
  if (!options.bind.empty()) {
    auto ip = base::IpAddress::parse(options.bind);
    if (!ip) return base::Error{base::ErrorCode::kInvalidArgument, "--bind " + options.bind + " is not an IP address"};
    runtime_options.addresses = {*ip};
  } else {
    runtime_options.include_loopback = true;
  }
  options.ice.apply(runtime_options);
  return net::Runtime::create(runtime_options);
}

// The callbacks every type shares: states printed, the connection and open times kept,
// the rest handed to the test.
net::Callbacks common_callbacks(ClientTest& test, Outcome& outcome, Clock::time_point start,
                                std::shared_ptr<std::weak_ptr<net::PeerConnectionHandle>> self) {
  net::Callbacks callbacks;
  callbacks.on_connection_state_change = [&test, &outcome, start](pc::PeerConnectionState state, const std::string& reason) {
    std::printf("connection %s (%.1f ms)%s%s\n", std::string(pc::to_string(state)).c_str(), ms_since(start),
                reason.empty() ? "" : ": ", reason.c_str());
    std::fflush(stdout);
    if (state == pc::PeerConnectionState::kConnected) {
      {
        std::lock_guard lock(outcome.mutex);
        outcome.connected_ms = ms_since(start);
      }
      test.on_connected();
    }
    if (state == pc::PeerConnectionState::kFailed) test.on_failed(reason);
  };
  callbacks.on_ice_connection_state_change = [start](pc::IceConnectionState state) {
    std::printf("ice %s (%.1f ms)\n", std::string(ice::to_string(state)).c_str(), ms_since(start));
    std::fflush(stdout);
  };
  callbacks.on_channel_state = [&test, &outcome, start, self](pc::ChannelHandle channel, pc::DataChannelState state) {
    std::printf("channel %u %s (%.1f ms)\n", channel, std::string(sctp::to_string(state)).c_str(), ms_since(start));
    std::fflush(stdout);
    if (state != pc::DataChannelState::kOpen) return;
    {
      std::lock_guard lock(outcome.mutex);
      if (outcome.open_ms < 0) outcome.open_ms = ms_since(start);
    }
    if (auto handle = self->lock()) test.on_channel_open(*handle, channel);
  };
  callbacks.on_message = [&test](pc::ChannelHandle channel, bool binary, base::Buffer data) {
    test.on_message(channel, binary, std::move(data));
  };
  test.add_callbacks(callbacks);
  return callbacks;
}

// Offer (complete: candidates gathered, or 2 s), POST, answer. What went wrong, if anything.
std::string exchange(net::PeerConnectionHandle& connection, const ClientTest& test, const ClientOptions& options) {
  auto offer = connection.create_offer();
  if (!offer || !connection.set_local_description(*offer)) return "could not create the offer";
  for (int i = 0; i < 200 && connection.ice_gathering_state() != pc::IceGatheringState::kComplete; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto [origin, offer_path] = split_offer_url(options.server);
  httplib::Client http(origin);
  http.set_connection_timeout(5);
  http.set_read_timeout(options.timeout_seconds);
  pc::SessionDescriptionInit posted = *connection.local_description();
  posted.sdp = test.offer_to_post(std::move(posted.sdp));
  const auto response = http.Post(offer_path, to_json(posted), "application/json");
  if (!response || response->status != 200) {
    return "POST " + origin + offer_path + ": " +
           (response ? "HTTP " + std::to_string(response->status) + " " + response->body
                     : httplib::to_string(response.error()));
  }
  auto answer = from_json(response->body);
  if (!answer) return "the answer: " + answer.error().message;
  if (auto set = connection.set_remote_description(*answer); !set) return "the answer: " + set.error().message;
  return {};
}

// Until a verdict or the deadline: the test ticks every 5 ms once connected.
void wait_for_verdict(ClientTest& test, Outcome& outcome, Clock::time_point deadline, int timeout_seconds) {
  std::unique_lock lock(outcome.mutex);
  while (!outcome.done && Clock::now() < deadline) {
    const bool connected = outcome.connected_ms >= 0;
    lock.unlock();  // lock order: the test's own lock is never taken under the outcome's
    if (connected) test.tick(Clock::now());
    lock.lock();
    outcome.changed.wait_for(lock, std::chrono::milliseconds(5));
  }
  if (outcome.done) return;
  lock.unlock();
  const std::string progress = test.progress();
  outcome.finish(false, "timed out after " + std::to_string(timeout_seconds) + " s" + progress);
}

}  // namespace

int run_client(const ClientOptions& options) {
  const auto start = Clock::now();
  Outcome outcome;
  auto test = make_client_test(options.type, options.media, outcome);
  if (!test) {
    if (test.error().code == base::ErrorCode::kUnsupported) {
      std::printf("RESULT type=%d unsupported\n", options.type);
    } else {
      std::printf("RESULT type=%d failed: %s\n", options.type, test.error().message.c_str());
    }
    return 1;
  }
  auto runtime = make_runtime(options);
  if (!runtime) {
    std::printf("RESULT type=%d failed: %s\n", options.type, runtime.error().message.c_str());
    return 1;
  }
  auto configuration = options.ice.configuration();
  if (!configuration) {
    std::printf("RESULT type=%d failed: %s\n", options.type, configuration.error().message.c_str());
    return 1;
  }
  auto self = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  auto handle = (*runtime)->create_peer_connection(*configuration, common_callbacks(**test, outcome, start, self));
  if (!handle) {
    std::printf("RESULT type=%d failed: %s\n", options.type, handle.error().message.c_str());
    return 1;
  }
  *self = *handle;
  if (auto prepared = (*test)->prepare(*handle); !prepared) {
    std::printf("RESULT type=%d failed: %s\n", options.type, prepared.error().message.c_str());
    return 1;
  }
  if (const std::string failure = exchange(**handle, **test, options); !failure.empty()) {
    std::printf("RESULT type=%d failed: %s\n", options.type, failure.c_str());
    return 1;
  }
  wait_for_verdict(**test, outcome, start + std::chrono::seconds(options.timeout_seconds), options.timeout_seconds);
  std::unique_lock lock(outcome.mutex);
  std::printf("RESULT type=%d %s: %s; connected %.1f ms, first channel open %.1f ms, total %.1f ms\n", options.type,
              outcome.passed ? "passed" : "failed", outcome.detail.c_str(), outcome.connected_ms, outcome.open_ms,
              ms_since(start));
  std::fflush(stdout);
  const bool passed = outcome.passed;
  lock.unlock();
  (*handle)->close();
  return passed ? 0 : 1;
}

}  // namespace rtcstack::echo
