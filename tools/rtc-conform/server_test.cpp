#include "server_test.h"

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "net/runtime.h"
#include "sdp_checks.h"
#include "session_json.h"

namespace rtcstack::conform {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view kGreeting = "rtc-conform says hello";

// What the connection's callbacks saw, for the checks after the answer.
struct Seen {
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<double> connected_ms, open_ms, echo_ms;
  std::string failure, echo_problem;

  template <typename Done>
  bool wait(Clock::time_point deadline, Done done) {
    std::unique_lock lock(mutex);
    return changed.wait_until(lock, deadline, [&] { return done() || !failure.empty(); });
  }
};

CheckResult stage(std::string name, std::string clause, std::string title) {
  return {std::move(name), std::move(clause), std::move(title), Verdict::kNotApplicable, {}};
}

std::string ms(double value) { return std::to_string(static_cast<long long>(value)) + " ms"; }

}  // namespace

Results run_server_test(const ServerTestOptions& options) {
  CheckResult answered = stage("convention.answer", "DESIGN §7 (echo convention)", "POST /offer is answered with a JSON answer");
  Results results;
  net::RuntimeOptions runtime_options;
  if (!options.bind.empty()) {
    auto ip = base::IpAddress::parse(options.bind);
    if (!ip) {
      answered.verdict = Verdict::kFail;
      answered.evidence = "--bind " + options.bind + " is not an IP address";
      return {answered};
    }
    runtime_options.addresses = {*ip};
  } else {
    runtime_options.include_loopback = true;
  }
  auto runtime = net::Runtime::create(runtime_options);
  const auto start = Clock::now();
  const auto since_start = [&] { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); };
  auto seen = std::make_shared<Seen>();
  net::Callbacks callbacks;
  callbacks.on_connection_state_change = [seen, since_start](pc::PeerConnectionState state, const std::string& reason) {
    std::lock_guard lock(seen->mutex);
    if (state == pc::PeerConnectionState::kConnected && !seen->connected_ms) seen->connected_ms = since_start();
    if (state == pc::PeerConnectionState::kFailed || state == pc::PeerConnectionState::kClosed) {
      seen->failure = std::string(pc::to_string(state)) + (reason.empty() ? "" : ": " + reason);
    }
    seen->changed.notify_all();
  };
  callbacks.on_channel_state = [seen, since_start](pc::ChannelHandle, pc::DataChannelState state) {
    std::lock_guard lock(seen->mutex);
    if (state == pc::DataChannelState::kOpen && !seen->open_ms) seen->open_ms = since_start();
    seen->changed.notify_all();
  };
  callbacks.on_message = [seen, since_start](pc::ChannelHandle, bool binary, base::Buffer data) {
    std::lock_guard lock(seen->mutex);
    if (binary || base::as_string_view(data) != kGreeting) {
      seen->echo_problem = std::string(binary ? "a binary" : "a text") + " message of " + std::to_string(data.size()) +
                           " bytes that is not what was sent";
    } else if (!seen->echo_ms) {
      seen->echo_ms = since_start();
    }
    seen->changed.notify_all();
  };
  auto connection = runtime ? (*runtime)->create_peer_connection(pc::Configuration{}, callbacks)
                            : base::Result<std::shared_ptr<net::PeerConnectionHandle>>(runtime.error());
  if (!connection) {
    answered.verdict = Verdict::kFail;
    answered.evidence = "rtcstack could not start: " + connection.error().message;
    return {answered};
  }
  pc::DataChannelInit init;
  init.label = "rtc-conform";
  const auto channel = (*connection)->create_data_channel(init);
  (void)(*connection)->add_transceiver(pc::MediaKind::kAudio);
  (void)(*connection)->add_transceiver(pc::MediaKind::kVideo);
  auto offer = (*connection)->create_offer();
  if (!channel || !offer || !(*connection)->set_local_description(*offer)) {
    answered.verdict = Verdict::kFail;
    answered.evidence = "rtcstack could not make its offer";
    return {answered};
  }
  for (int i = 0; i < 200 && (*connection)->ice_gathering_state() != pc::IceGatheringState::kComplete; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const pc::SessionDescriptionInit posted = *(*connection)->local_description();
  const auto [origin, path] = echo::split_offer_url(options.url);
  httplib::Client http(origin);
  http.set_connection_timeout(options.timeout_seconds);
  http.set_read_timeout(options.timeout_seconds);
  const auto response = http.Post(path, echo::to_json(posted), "application/json");
  if (!response || response->status != 200) {
    answered.verdict = Verdict::kFail;
    answered.evidence = "POST " + origin + path + ": " +
                        (response ? "HTTP " + std::to_string(response->status) + " " + response->body
                                  : httplib::to_string(response.error()));
    return {answered};
  }
  auto answer = echo::from_json(response->body);
  if (!answer || answer->type != pc::SdpType::kAnswer) {
    answered.verdict = Verdict::kFail;
    answered.evidence = answer ? "the reply is of type " + std::string(pc::to_string(answer->type)) : answer.error().message;
    return {answered};
  }
  answered.verdict = Verdict::kPass;
  answered.evidence = "answered in " + ms(since_start());
  results.push_back(answered);
  const Results sdp = check_answer(posted.sdp, answer->sdp);
  results.insert(results.end(), sdp.begin(), sdp.end());
  if (sdp.front().verdict != Verdict::kPass) return results;

  // The connection: each stage in turn, each within the timeout.
  CheckResult connects = stage("connect.ice-dtls", "RFC 8445 §7, RFC 6347 §4.2", "ICE and the DTLS handshake complete");
  CheckResult opens = stage("sctp.dcep-open", "RFC 8832 §5", "a data channel we open is acknowledged (DATA_CHANNEL_ACK)");
  CheckResult echoes = stage("convention.echo", "DESIGN §7 (echo convention, type 1)", "a text message comes back as sent");
  if (auto set = (*connection)->set_remote_description(*answer); !set) {
    connects.verdict = Verdict::kFail;
    connects.evidence = "rtcstack refused the answer: " + set.error().message;
    results.insert(results.end(), {connects, opens, echoes});
    return results;
  }
  const auto within = [&] { return Clock::now() + std::chrono::seconds(options.timeout_seconds); };
  const auto judge = [&](CheckResult& check, const std::optional<double>& at, bool reached) {
    std::lock_guard lock(seen->mutex);
    check.verdict = reached && at ? Verdict::kPass : Verdict::kFail;
    check.evidence = reached && at ? "at " + ms(*at) + " from the offer"
                                   : (seen->failure.empty() ? "not within " + std::to_string(options.timeout_seconds) + " s"
                                                            : "the connection " + seen->failure);
  };
  judge(connects, seen->connected_ms, seen->wait(within(), [&] { return seen->connected_ms.has_value(); }));
  if (connects.verdict == Verdict::kPass) {
    judge(opens, seen->open_ms, seen->wait(within(), [&] { return seen->open_ms.has_value(); }));
  }
  if (opens.verdict == Verdict::kPass) {
    (void)(*connection)->send(*channel, kGreeting);
    judge(echoes, seen->echo_ms,
          seen->wait(within(), [&] { return seen->echo_ms.has_value() || !seen->echo_problem.empty(); }));
    std::lock_guard lock(seen->mutex);
    if (!seen->echo_problem.empty()) {
      echoes.verdict = Verdict::kFail;
      echoes.evidence = "came back: " + seen->echo_problem;
    }
  }
  results.insert(results.end(), {connects, opens, echoes});
  (*connection)->close();
  return results;
}

}  // namespace rtcstack::conform
