#include "echo_client.h"

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "media_echo.h"
#include "net/runtime.h"
#include "session_json.h"
#include "stress.h"

namespace rtcstack::echo {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// What the callbacks (IO thread) learn, for the main thread to wait on.
struct Outcome {
  std::mutex mutex;
  std::condition_variable changed;
  bool done = false;
  bool passed = false;
  std::string detail;
  double connected_ms = -1, open_ms = -1;
  std::optional<Clock::time_point> reliable_done;  // type 3: the reliable channel is complete

  void finish(bool ok, std::string why) {
    std::lock_guard lock(mutex);
    if (done) return;
    done = true;
    passed = ok;
    detail = std::move(why);
    changed.notify_all();
  }
};

// Type 3's bookkeeping per channel: what was sent, what came back.
struct StressChannel {
  std::vector<StressMessage> sent;
  std::map<std::pair<std::size_t, bool>, std::size_t> by_key;  // (size, binary) -> index
  std::vector<bool> echoed;
  std::size_t received = 0, next_in_order = 0;
  bool reliable = true, ordered = true;
};

// The echo convention's clients take the offer URL itself ("http://host:8080/offer");
// one without a path (or with "/" alone) gets /offer, as older rtc-echo took it.
std::pair<std::string, std::string> split_offer_url(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) return {url, "/offer"};
  const std::string rest = url.substr(path);
  return {url.substr(0, path), rest == "/" ? "/offer" : rest};
}

}  // namespace

int run_client(const ClientOptions& options) {
  const auto start = Clock::now();
  if (options.type < 0 || options.type > 3) {
    std::printf("RESULT type=%d unsupported\n", options.type);
    return 1;
  }
  net::RuntimeOptions runtime_options;
  if (!options.bind.empty()) {
    auto ip = base::IpAddress::parse(options.bind);
    if (!ip) {
      std::printf("RESULT type=%d failed: --bind %s is not an IP address\n", options.type, options.bind.c_str());
      return 1;
    }
    runtime_options.addresses = {*ip};
  } else {
    runtime_options.include_loopback = true;
  }
  auto runtime = net::Runtime::create(runtime_options);
  if (!runtime) {
    std::printf("RESULT type=%d failed: %s\n", options.type, runtime.error().message.c_str());
    return 1;
  }

  Outcome outcome;
  std::shared_ptr<MediaEcho> media;  // type 2
  if (options.type == 2) {
    auto created = MediaEcho::create();
    if (!created) {
      std::printf("RESULT type=2 failed: %s\n", created.error().message.c_str());
      return 1;
    }
    media = std::move(*created);
  }
  std::mutex stress_mutex;  // the stress table is filled before channels open; guarded anyway
  std::map<pc::ChannelHandle, StressChannel> stress;
  auto self = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  const std::string greeting = "rtc-echo says hello";

  net::Callbacks callbacks;
  callbacks.on_connection_state_change = [&](pc::PeerConnectionState state, const std::string& reason) {
    std::printf("connection %s (%.1f ms)%s%s\n", std::string(pc::to_string(state)).c_str(), ms_since(start),
                reason.empty() ? "" : ": ", reason.c_str());
    std::fflush(stdout);
    if (state == pc::PeerConnectionState::kConnected) {
      {
        std::lock_guard lock(outcome.mutex);
        outcome.connected_ms = ms_since(start);
      }
      if (options.type == 0) outcome.finish(true, "DTLS connected");
    }
    if (state == pc::PeerConnectionState::kFailed) outcome.finish(false, "connection failed: " + reason);
  };
  callbacks.on_ice_connection_state_change = [&](ice::ConnectionState state) {
    std::printf("ice %s (%.1f ms)\n", std::string(ice::to_string(state)).c_str(), ms_since(start));
    std::fflush(stdout);
  };
  callbacks.on_channel_state = [&](pc::ChannelHandle channel, sctp::ChannelState state) {
    std::printf("channel %u %s (%.1f ms)\n", channel, std::string(sctp::to_string(state)).c_str(), ms_since(start));
    std::fflush(stdout);
    if (state != sctp::ChannelState::kOpen) return;
    {
      std::lock_guard lock(outcome.mutex);
      if (outcome.open_ms < 0) outcome.open_ms = ms_since(start);
    }
    auto handle = self->lock();
    if (!handle) return;
    if (options.type == 1) (void)handle->send(channel, greeting);
    if (options.type == 3) {
      std::vector<StressMessage> messages;
      {
        std::lock_guard lock(stress_mutex);
        messages = stress[channel].sent;
      }
      for (const StressMessage& message : messages) {
        auto sent = handle->send(channel, message.bytes, message.binary);
        if (!sent) outcome.finish(false, "send failed: " + sent.error().message);
      }
    }
  };
  callbacks.on_message = [&](pc::ChannelHandle channel, bool binary, base::Buffer data) {
    if (options.type == 1) {
      const bool same = !binary && base::as_string_view(data) == greeting;
      outcome.finish(same, same ? "echo received" : "the echo differs from what was sent");
      return;
    }
    // Judged under the table's lock, reported after it: the two locks are never held together.
    std::string failure;
    bool all = true, reliable = true;
    {
      std::lock_guard lock(stress_mutex);
      StressChannel& table = stress[channel];
      const auto key = table.by_key.find({data.size(), binary});
      if (key == table.by_key.end() || !base::bytes_equal(data, table.sent[key->second].bytes) ||
          table.echoed[key->second]) {
        failure = "channel " + std::to_string(channel) + ": an echo matches nothing sent";
      } else if (table.ordered && key->second != table.next_in_order) {
        failure = "channel " + std::to_string(channel) + ": an echo arrived out of order";
      } else {
        table.echoed[key->second] = true;
        table.next_in_order = key->second + 1;
        ++table.received;
      }
      for (const auto& [id, other] : stress) {
        all = all && other.received == other.sent.size();
        if (other.reliable) reliable = reliable && other.received == other.sent.size();
      }
    }
    if (!failure.empty()) {
      outcome.finish(false, failure);
    } else if (all) {
      outcome.finish(true, "every message of every channel echoed byte for byte");
    } else if (reliable) {
      std::lock_guard outcome_lock(outcome.mutex);
      if (!outcome.reliable_done) outcome.reliable_done = Clock::now();
    }
  };

  if (media) {
    callbacks.on_rtp = [media](pc::TransceiverHandle transceiver, base::Buffer packet) { media->on_rtp(transceiver, packet); };
    callbacks.on_key_frame_request = [media](pc::TransceiverHandle transceiver) { media->on_key_frame_request(transceiver); };
  }
  auto handle = (*runtime)->create_peer_connection({}, callbacks);
  if (!handle) {
    std::printf("RESULT type=%d failed: %s\n", options.type, handle.error().message.c_str());
    return 1;
  }
  *self = *handle;
  auto& connection = **handle;

  // Channels before the offer, so it carries the data section.
  if (options.type == 3) {
    struct Kind {
      const char* label;
      bool ordered;
      std::optional<std::uint16_t> retransmits;
      std::optional<std::uint32_t> lifetime;
    };
    const Kind kinds[] = {{"stress-reliable", true, std::nullopt, std::nullopt},
                          {"stress-unordered-rtx0", false, 0, std::nullopt},
                          {"stress-lifetime", true, std::nullopt, 3000}};
    std::lock_guard lock(stress_mutex);
    std::uint32_t seed = 1;
    for (const Kind& kind : kinds) {
      sctp::ChannelInit init;
      init.label = kind.label;
      init.ordered = kind.ordered;
      init.max_retransmits = kind.retransmits;
      init.max_packet_lifetime = kind.lifetime;
      auto channel = connection.create_data_channel(init);
      if (!channel) {
        std::printf("RESULT type=3 failed: %s\n", channel.error().message.c_str());
        return 1;
      }
      StressChannel& table = stress[*channel];
      table.sent = stress_messages(seed++);
      table.echoed.assign(table.sent.size(), false);
      table.ordered = kind.ordered;
      table.reliable = !kind.retransmits && !kind.lifetime;
      for (std::size_t i = 0; i < table.sent.size(); ++i) table.by_key[{table.sent[i].bytes.size(), table.sent[i].binary}] = i;
    }
  } else {
    sctp::ChannelInit init;
    init.label = options.type == 1 ? "rtc-echo" : "rtc-echo-connect";
    (void)connection.create_data_channel(init);
  }
  if (media) {
    auto video = connection.add_transceiver(pc::MediaKind::kVideo);
    auto audio = connection.add_transceiver(pc::MediaKind::kAudio);
    if (!video || !audio) {
      std::printf("RESULT type=2 failed: no transceivers\n");
      return 1;
    }
    media->attach(*handle, *video, *audio);
  }

  auto offer = connection.create_offer();
  if (!offer || !connection.set_local_description(*offer)) {
    std::printf("RESULT type=%d failed: could not create the offer\n", options.type);
    return 1;
  }
  for (int i = 0; i < 200 && connection.ice_gathering_state() != ice::GatheringState::kComplete; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto [origin, offer_path] = split_offer_url(options.server);
  httplib::Client http(origin);
  http.set_connection_timeout(5);
  http.set_read_timeout(options.timeout_seconds);
  const auto response = http.Post(offer_path, to_json(*connection.local_description()), "application/json");
  if (!response || response->status != 200) {
    std::printf("RESULT type=%d failed: POST %s%s: %s\n", options.type, origin.c_str(), offer_path.c_str(),
                response ? ("HTTP " + std::to_string(response->status) + " " + response->body).c_str()
                         : httplib::to_string(response.error()).c_str());
    return 1;
  }
  auto answer = from_json(response->body);
  if (!answer) {
    std::printf("RESULT type=%d failed: the answer: %s\n", options.type, answer.error().message.c_str());
    return 1;
  }
  if (auto set = connection.set_remote_description(*answer); !set) {
    std::printf("RESULT type=%d failed: the answer: %s\n", options.type, set.error().message.c_str());
    return 1;
  }

  const auto deadline = start + std::chrono::seconds(options.timeout_seconds);
  // Type 2: media paced from this thread once connected, until enough came back decoded.
  while (media && Clock::now() < deadline) {
    {
      std::lock_guard lock(outcome.mutex);
      if (outcome.done) break;
      if (outcome.connected_ms < 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
    }
    if (auto ticked = media->tick(Clock::now()); !ticked) outcome.finish(false, "sending media: " + ticked.error().message);
    if (media->passed()) outcome.finish(true, media->progress());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  std::unique_lock lock(outcome.mutex);
  // Partially reliable channels may lose messages even on loopback (a full socket buffer
  // is enough): two seconds after the reliable channel is complete, what came back of
  // them is judged - all of it byte-exact (checked on arrival), and some of it there.
  while (!outcome.done && Clock::now() < deadline) {
    outcome.changed.wait_for(lock, std::chrono::milliseconds(100));
    if (!outcome.done && outcome.reliable_done && Clock::now() - *outcome.reliable_done > std::chrono::seconds(2)) {
      lock.unlock();  // lock order: never the table's lock under the outcome's
      std::string counts;
      bool some = true;
      {
        std::lock_guard stress_lock(stress_mutex);
        for (const auto& [id, table] : stress) {
          counts += " " + std::to_string(table.received) + "/" + std::to_string(table.sent.size());
          some = some && table.received > 0;
        }
      }
      outcome.finish(some, "echoes byte-exact; received per channel" + counts);
      lock.lock();
    }
  }
  if (!outcome.done) {
    outcome.done = true;
    outcome.detail = "timed out after " + std::to_string(options.timeout_seconds) + " s";
    lock.unlock();
    std::string counts;
    {
      std::lock_guard stress_lock(stress_mutex);
      for (const auto& [id, table] : stress) {
        counts += "; channel " + std::to_string(id) + " " + std::to_string(table.received) + "/" +
                  std::to_string(table.sent.size());
      }
    }
    if (media) counts = "; " + media->progress();
    lock.lock();
    outcome.detail += counts;
  }
  std::printf("RESULT type=%d %s: %s; connected %.1f ms, first channel open %.1f ms, total %.1f ms\n", options.type,
              outcome.passed ? "passed" : "failed", outcome.detail.c_str(), outcome.connected_ms, outcome.open_ms,
              ms_since(start));
  std::fflush(stdout);
  const bool passed = outcome.passed;
  lock.unlock();
  connection.close();
  return passed ? 0 : 1;
}

}  // namespace rtcstack::echo
