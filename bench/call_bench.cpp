// Whole calls over loopback UDP through lib/net, both PeerConnections in this process.
// The first three are the scenarios bench/compare.py runs for every stack (same names,
// units and rules as bench/peers/*):
//   bench_call setup N       call_setup_ms: createOffer to data channel open on both
//                            sides, N calls: median, p95
//   bench_call throughput S  call_channel_throughput: one reliable ordered channel, 64 KiB
//                            messages for S seconds with backpressure, MB/s
//   bench_call memory N      call_idle_memory: resident bytes per connected idle
//                            PeerConnection with one open channel, N pairs
//   bench_call media S       call_media_cpu: CPU time per second of a two-way 640x480
//                            30 fps VP8 + Opus call (each end encodes its own picture and
//                            tone and decodes the other's, with NACK/PLI repair)
//   bench_call many N        call_many_one_port: N connections served by one UDP port of
//                            one runtime (accepts() demux), their N peers on another:
//                            time until every channel is open, CPU seconds
//   bench_call impaired S    call_impaired_throughput: throughput as above for S seconds
//                            through bench/impairment_relay.h at RTT 0, 20, 50, 100 ms x
//                            loss 0 and 1 % (jitter RTT/20)
//   bench_call via S A B     call_relayed_throughput: the same through a bench_relay
//                            process whose aliases for a and b are ports A and B
//   bench_call setup-tcp N   call_setup_ms_ice_tcp, call_channel_throughput_ice_tcp:
//                            setup (N calls) and throughput (5 s) as above, both runtimes
//                            offering ICE-TCP candidates only (RFC 6544, RFC 4571 frames)
//   bench_call               the first five (setup 50, throughput 5, memory 200, media 5,
//                            many 1000)
// Prints one JSON object per line, like the Google Benchmark programs.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "call_helpers.h"
#include "impairment_relay.h"
#include "media_echo.h"
#include "net/runtime.h"

namespace {

using namespace rtcstack;
using bench::Clock;
using bench::HandleRef;
using bench::trickle_to;
using bench::trickle_via;
using bench::wait_for;

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Two connections with trickle between them; b echoes nothing, counts bytes.
struct Call {
  std::shared_ptr<net::PeerConnectionHandle> a, b;
  HandleRef a_ref = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  HandleRef b_ref = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  std::atomic<int> opens{0};
  std::atomic<bool> both_open{false};
  Clock::time_point both_open_at;  // set by the second channel-open callback, before both_open
  std::atomic<std::size_t> received{0};
  pc::ChannelHandle channel = 0;

  explicit Call(net::Runtime& runtime) : Call(runtime, runtime) {}
  // a (the offerer) on one runtime, b on another; through a relay when its alias ports
  // for a and b are given.
  Call(net::Runtime& runtime_a, net::Runtime& runtime_b, std::optional<std::pair<std::uint16_t, std::uint16_t>> aliases = {}) {
    net::Callbacks on_a, on_b;
    on_a.on_ice_candidate = aliases ? trickle_via(b_ref, aliases->first) : trickle_to(b_ref);
    on_b.on_ice_candidate = aliases ? trickle_via(a_ref, aliases->second) : trickle_to(a_ref);
    // The instant the second end opens is taken in its callback, so that the setup time
    // does not include how long the waiting thread takes to notice (as Pion's harness
    // is woken by a Go channel).
    const auto on_open = [this](pc::ChannelHandle, pc::DataChannelState state) {
      if (state != pc::DataChannelState::kOpen || opens.fetch_add(1) + 1 != 2) return;
      both_open_at = Clock::now();
      both_open.store(true, std::memory_order_release);
    };
    on_a.on_channel_state = on_open;
    on_b.on_channel_state = on_open;
    on_b.on_message = [this](pc::ChannelHandle, bool, base::Buffer data) { received += data.size(); };
    a = *runtime_a.create_peer_connection({}, on_a);
    b = *runtime_b.create_peer_connection({}, on_b);
    *a_ref = a;
    *b_ref = b;
  }
  ~Call() {
    a->close();
    b->close();
  }

  // Offer and answer with a channel in them; the connection then comes up on its own.
  bool negotiate() {
    pc::DataChannelInit init;
    init.label = "bench";
    channel = *a->create_data_channel(init);
    auto offer = a->create_offer();
    if (!offer || !a->set_local_description(*offer) || !b->set_remote_description(*offer)) return false;
    auto answer = b->create_answer();
    return answer && b->set_local_description(*answer) && a->set_remote_description(*answer);
  }
  bool open() const { return both_open.load(std::memory_order_acquire); }
  bool connect() {
    return negotiate() && wait_for([&] { return open(); });
  }
};

// A two-way audio/video call: each end a MediaEcho (rtc-echo's synthetic endpoint)
// sending its picture and tone and decoding the other's. a offers; b answers with
// add_track on the transceivers a's offer made (W3C).
struct MediaCall {
  std::unique_ptr<echo::MediaEcho> a_media, b_media;
  std::shared_ptr<net::PeerConnectionHandle> a, b;
  HandleRef a_ref = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  HandleRef b_ref = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  std::atomic<bool> a_connected{false}, b_connected{false};

  MediaCall(net::Runtime& runtime, const echo::MediaEchoConfig& config)
      : a_media(std::move(*echo::MediaEcho::create(config))), b_media(std::move(*echo::MediaEcho::create(config))) {
    const auto callbacks = [](HandleRef peer, echo::MediaEcho& media, std::atomic<bool>& connected) {
      net::Callbacks on;
      on.on_ice_candidate = trickle_to(std::move(peer));
      on.on_connection_state_change = [&connected](pc::PeerConnectionState state, const std::string&) {
        if (state == pc::PeerConnectionState::kConnected) connected = true;
      };
      on.on_rtp = [&media](pc::TransceiverHandle transceiver, base::Buffer packet, const std::string&) { media.on_rtp(transceiver, packet); };
      on.on_key_frame_request = [&media](pc::TransceiverHandle transceiver, const std::string&) { media.on_key_frame_request(transceiver); };
      on.on_target_bitrate = [&media](std::uint64_t bps) { media.on_target_bitrate(bps); };
      return on;
    };
    a = *runtime.create_peer_connection({}, callbacks(b_ref, *a_media, a_connected));
    b = *runtime.create_peer_connection({}, callbacks(a_ref, *b_media, b_connected));
    *a_ref = a;
    *b_ref = b;
  }
  ~MediaCall() {
    a->close();
    b->close();
  }

  bool connect() {
    const auto a_video = a->add_transceiver(pc::MediaKind::kVideo);
    const auto a_audio = a->add_transceiver(pc::MediaKind::kAudio);
    auto offer = a->create_offer();
    if (!a_video || !a_audio || !offer || !a->set_local_description(*offer) || !b->set_remote_description(*offer)) return false;
    const auto b_video = b->add_track(pc::MediaKind::kVideo);
    const auto b_audio = b->add_track(pc::MediaKind::kAudio);
    auto answer = b->create_answer();
    if (!b_video || !b_audio || !answer || !b->set_local_description(*answer) || !a->set_remote_description(*answer)) {
      return false;
    }
    a_media->attach(a, *a_video, *a_audio);
    b_media->attach(b, *b_video, *b_audio);
    // Connected means DTLS is up, so SRTP keys exist.
    return wait_for([&] { return a_connected && b_connected; });
  }
};

// The benchmarks open thousands of connections at once on purpose: no caps.
net::RuntimeOptions uncapped(bool share_sockets = false, bool tcp_only = false) {
  net::RuntimeOptions options;
  options.udp_candidates = !tcp_only;
  options.tcp_candidates = tcp_only;
  options.addresses = {*base::IpAddress::parse("127.0.0.1")};
  options.share_sockets = share_sockets;
  options.max_connections = options.max_unconnected = std::numeric_limits<std::size_t>::max();
  return options;
}

std::unique_ptr<net::Runtime> loopback_runtime() { return std::move(*net::Runtime::create(uncapped())); }

double percentile(const std::vector<double>& sorted, double p) {
  const double at = p / 100 * static_cast<double>(sorted.size() - 1);
  const auto low = static_cast<std::size_t>(at);
  if (low + 1 >= sorted.size()) return sorted.back();
  return sorted[low] + (at - static_cast<double>(low)) * (sorted[low + 1] - sorted[low]);
}

bool run_setup(net::Runtime& runtime, int calls, const char* name = "call_setup_ms") {
  std::vector<double> setups;
  for (int i = 0; i < calls; ++i) {
    Call call(runtime);
    const auto start = Clock::now();
    if (!call.connect()) {
      std::printf("{\"benchmark\":\"%s\",\"error\":\"call %d did not open its channel\"}\n", name, i);
      return false;
    }
    setups.push_back(std::chrono::duration<double, std::milli>(call.both_open_at - start).count());
  }
  std::sort(setups.begin(), setups.end());
  std::printf("{\"benchmark\":\"%s\",\"calls\":%d,\"median_ms\":%.2f,\"p95_ms\":%.2f,\"min_ms\":%.2f,"
              "\"max_ms\":%.2f}\n",
              name, calls, percentile(setups, 50), percentile(setups, 95), setups.front(), setups.back());
  return true;
}

// Sends 64 KiB messages for `seconds` with backpressure; MB/s over the time until all
// arrived, or until 60 s more have passed (then what arrived by then counts).
double measure_throughput(Call& call, double seconds) {
  const std::vector<std::uint8_t> message(64 * 1024, 0x5a);
  std::size_t sent = 0;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    if (call.a->buffered_amount(call.channel) > 4 * 1024 * 1024 || !call.a->send(call.channel, message, true)) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    sent += message.size();
  }
  wait_for([&] { return call.received == sent; }, std::chrono::seconds(60));
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return static_cast<double>(call.received) / elapsed / 1e6;
}

bool run_throughput(net::Runtime& runtime, double seconds, const char* name = "call_channel_throughput") {
  Call call(runtime);
  if (!call.connect()) return false;
  const double rate = measure_throughput(call, seconds);
  std::printf("{\"benchmark\":\"%s\",\"seconds\":%.1f,\"mb_per_second\":%.1f}\n", name, seconds, rate);
  return rate > 0;
}

// The same through the impairment relay, over a grid of round trips and loss rates.
bool run_impaired(net::Runtime& runtime, double seconds) {
  bool ok = true;
  for (const double rtt : {0.0, 20.0, 50.0, 100.0}) {
    for (const double loss : {0.0, 0.01}) {
      bench::ImpairmentRelay relay({.rtt_ms = rtt, .jitter_ms = rtt / 20, .loss = loss, .seed = 7});
      Call call(runtime, runtime, std::make_pair(relay.alias_of_a().port(), relay.alias_of_b().port()));
      const bool connected = call.connect();
      const double rate = connected ? measure_throughput(call, seconds) : 0;
      std::printf("{\"benchmark\":\"call_impaired_throughput\",\"rtt_ms\":%.0f,\"loss\":%.2f,\"seconds\":%.1f,"
                  "\"mb_per_second\":%.1f,\"relay_dropped\":%llu}\n",
                  rtt, loss, seconds, rate, static_cast<unsigned long long>(relay.dropped()));
      std::fflush(stdout);
      ok = ok && rate > 0;
    }
  }
  return ok;
}

// Through a relay of another process (bench_relay): one measurement.
bool run_via(net::Runtime& runtime, double seconds, std::uint16_t alias_a, std::uint16_t alias_b) {
  Call call(runtime, runtime, std::make_pair(alias_a, alias_b));
  const double rate = call.connect() ? measure_throughput(call, seconds) : 0;
  std::printf("{\"benchmark\":\"call_relayed_throughput\",\"seconds\":%.1f,\"mb_per_second\":%.1f}\n", seconds, rate);
  return rate > 0;
}

bool run_memory(net::Runtime& runtime, int pairs) {
  const std::size_t before = resident_bytes();
  std::vector<std::unique_ptr<Call>> calls;
  for (int i = 0; i < pairs; ++i) {
    calls.push_back(std::make_unique<Call>(runtime));
    if (!calls.back()->connect()) return false;
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const std::size_t after = resident_bytes();
  std::printf("{\"benchmark\":\"call_idle_memory\",\"connections\":%d,\"resident_bytes_per_connection\":%zu}\n",
              2 * pairs, (after - std::min(after, before)) / static_cast<std::size_t>(2 * pairs));
  return true;
}

// Many connections served by one UDP port: b of every call lives on a runtime whose
// connections share one socket (accepts() routes each datagram); each a has a socket of
// its own, so the server sees a distinct remote address per connection.
bool run_many(int count) {
  auto server = std::move(*net::Runtime::create(uncapped(true)));
  auto clients = loopback_runtime();
  std::vector<std::unique_ptr<Call>> calls;
  const double cpu_start = cpu_seconds();
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    calls.push_back(std::make_unique<Call>(*clients, *server));
    if (!calls.back()->negotiate()) return false;
  }
  const bool all_open = wait_for([&] {
    return std::all_of(calls.begin(), calls.end(), [](const auto& call) { return call->open(); });
  }, std::chrono::seconds(120));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = cpu_seconds() - cpu_start;
  const auto opened = std::count_if(calls.begin(), calls.end(), [](const auto& call) { return call->open(); });
  std::printf("{\"benchmark\":\"call_many_one_port\",\"connections\":%d,\"opened\":%ld,\"seconds_to_connect_all\":%.2f,"
              "\"cpu_seconds\":%.2f,\"cpu_ms_per_connection\":%.2f}\n",
              count, static_cast<long>(opened), seconds, cpu, cpu * 1000 / count);
  return all_open;
}

bool run_media(net::Runtime& runtime, double seconds) {
  echo::MediaEchoConfig config;
  config.width = 640;
  config.height = 480;
  config.bitrate_kbps = 1500;
  MediaCall call(runtime, config);
  if (!call.connect()) {
    std::printf("{\"benchmark\":\"call_media_cpu\",\"error\":\"the call did not connect\"}\n");
    return false;
  }
  const double cpu_start = cpu_seconds();
  const auto start = Clock::now();
  while (Clock::now() - start < std::chrono::duration<double>(seconds)) {
    const auto now = Clock::now();
    if (!call.a_media->tick(now) || !call.b_media->tick(now)) {
      std::printf("{\"benchmark\":\"call_media_cpu\",\"error\":\"sending media failed\"}\n");
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = cpu_seconds() - cpu_start;
  std::printf("{\"benchmark\":\"call_media_cpu\",\"seconds\":%.2f,\"video\":\"640x480 30 fps VP8 %d kbps each way\","
              "\"audio\":\"stereo Opus 20 ms each way\",\"cpu_seconds_per_second\":%.3f,"
              "\"frames_decoded_a\":%llu,\"frames_decoded_b\":%llu,\"audio_ms_decoded_a\":%zu,\"audio_ms_decoded_b\":%zu}\n",
              wall, config.bitrate_kbps, cpu / wall, static_cast<unsigned long long>(call.a_media->video_frames_decoded()),
              static_cast<unsigned long long>(call.b_media->video_frames_decoded()),
              call.a_media->audio_samples_decoded() / 48, call.b_media->audio_samples_decoded() / 48);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "via") {
    auto runtime = loopback_runtime();
    return run_via(*runtime, std::atof(argv[2]), static_cast<std::uint16_t>(std::atoi(argv[3])),
                   static_cast<std::uint16_t>(std::atoi(argv[4])))
               ? 0
               : 1;
  }
  const std::string scenario = argc == 3 ? argv[1] : "";
  const double value = argc == 3 ? std::atof(argv[2]) : 0;
  if (argc == 2 || argc > 3 || (argc == 3 && value <= 0)) {
    std::fprintf(stderr, "usage: bench_call [setup N | throughput SECONDS | memory PAIRS | media SECONDS | many N | impaired SECONDS |"
                 " via SECONDS ALIAS_A ALIAS_B | setup-tcp N]\n");
    return 2;
  }
  std::printf("{\"context\":{\"cpus\":%u,\"program\":\"call_bench\",\"stack\":\"rtcstack\",\"transport\":\"loopback UDP, one process\"}}\n",
              std::thread::hardware_concurrency());
  auto runtime = loopback_runtime();
  bool ok = true;
  if (scenario.empty() || scenario == "setup") ok = ok && run_setup(*runtime, argc == 3 ? static_cast<int>(value) : 50);
  if (scenario.empty() || scenario == "throughput") ok = ok && run_throughput(*runtime, argc == 3 ? value : 5);
  if (scenario.empty() || scenario == "memory") ok = ok && run_memory(*runtime, argc == 3 ? static_cast<int>(value) : 200);
  if (scenario.empty() || scenario == "media") ok = ok && run_media(*runtime, argc == 3 ? value : 5);
  if (scenario.empty() || scenario == "many") ok = ok && run_many(argc == 3 ? static_cast<int>(value) : 1000);
  if (scenario == "impaired") ok = ok && run_impaired(*runtime, value);
  if (scenario == "setup-tcp") {
    auto tcp = std::move(*net::Runtime::create(uncapped(false, true)));
    ok = ok && run_setup(*tcp, static_cast<int>(value), "call_setup_ms_ice_tcp") &&
         run_throughput(*tcp, 5, "call_channel_throughput_ice_tcp");
  }
  return ok ? 0 : 1;
}
