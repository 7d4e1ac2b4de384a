// bench_congestion SECONDS ALIAS_A ALIAS_B: rtcstack's side of bench/congestion_compare.py.
// Two connections in this process, a sending 640x480 VP8 at 30 fps (libvpx through
// media::VideoSender, following its TargetBitrateEvents) to b through a bench_relay process
// whose aliases for a and b are ports A and B (the relay makes the bottleneck). Prints the
// target and the rate b receives every 500 ms as JSON lines, from the moment the call
// connects, then a summary line; Pion's side (bench/peers/pion, "cc") prints the same.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>

#include "call_helpers.h"
#include "media/video_sender.h"
#include "net/runtime.h"
#include "test_pattern.h"

namespace {

using namespace rtcstack;
using bench::Clock;

constexpr int kWidth = 640, kHeight = 480;

int run(double seconds, std::uint16_t alias_a, std::uint16_t alias_b) {
  net::RuntimeOptions options;
  options.addresses = {*base::IpAddress::parse("127.0.0.1")};
  auto runtime = std::move(*net::Runtime::create(options));
  std::atomic<std::uint64_t> target{0}, received{0};
  std::atomic<bool> a_connected{false}, b_connected{false}, key_frame{false};
  const bench::HandleRef a_ref = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  const bench::HandleRef b_ref = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  net::Callbacks on_a, on_b;
  on_a.on_ice_candidate = bench::trickle_via(b_ref, alias_a);
  on_b.on_ice_candidate = bench::trickle_via(a_ref, alias_b);
  on_a.on_connection_state_change = [&](pc::PeerConnectionState state, const std::string&) {
    if (state == pc::PeerConnectionState::kConnected) a_connected = true;
  };
  on_b.on_connection_state_change = [&](pc::PeerConnectionState state, const std::string&) {
    if (state == pc::PeerConnectionState::kConnected) b_connected = true;
  };
  on_a.on_target_bitrate = [&](std::uint64_t bps) { target = bps; };
  on_a.on_key_frame_request = [&](pc::TransceiverHandle, const std::string&) { key_frame = true; };
  on_b.on_rtp = [&](pc::TransceiverHandle, base::Buffer packet, const std::string&) { received += packet.size(); };
  auto a = *runtime->create_peer_connection({}, on_a);
  auto b = *runtime->create_peer_connection({}, on_b);
  *a_ref = a;
  *b_ref = b;
  const auto video = a->add_transceiver(pc::MediaKind::kVideo, pc::RtpTransceiverDirection::kSendOnly);
  auto offer = a->create_offer();
  if (!video || !offer || !a->set_local_description(*offer) || !b->set_remote_description(*offer)) return 1;
  auto answer = b->create_answer();
  if (!answer || !b->set_local_description(*answer) || !a->set_remote_description(*answer)) return 1;
  if (!bench::wait_for([&] { return a_connected && b_connected; })) {
    std::printf("{\"benchmark\":\"cc\",\"stack\":\"rtcstack\",\"error\":\"the call did not connect\"}\n");
    return 1;
  }
  media::VideoEncoderConfig config;
  config.width = kWidth;
  config.height = kHeight;
  config.bitrate_kbps = 300;
  auto sender = *media::VideoSender::create(media::VideoCodec::kVp8, config);
  support::TestPattern pattern(kWidth, kHeight);
  const auto start = Clock::now();
  auto next_sample = start + std::chrono::milliseconds(500);
  std::uint64_t applied = 0, received_before = 0;
  for (int frame = 0;; ++frame) {
    const auto due = start + std::chrono::microseconds(33'333) * frame;
    while (Clock::now() < due) {
      if (Clock::now() >= next_sample) {
        const std::uint64_t now_received = received;
        std::printf("{\"benchmark\":\"cc_sample\",\"stack\":\"rtcstack\",\"t\":%.1f,\"target_bps\":%llu,\"received_bps\":%llu}\n",
                    std::chrono::duration<double>(next_sample - start).count(), static_cast<unsigned long long>(target.load()),
                    static_cast<unsigned long long>((now_received - received_before) * 8 * 2));
        received_before = now_received;
        next_sample += std::chrono::milliseconds(500);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (std::chrono::duration<double>(Clock::now() - start).count() >= seconds) break;
    if (const std::uint64_t wanted = target; wanted != 0 && wanted != applied) {
      (void)sender.set_target_bitrate(wanted);
      applied = wanted;
    }
    if (key_frame.exchange(false)) sender.request_key_frame();
    const auto timestamp = static_cast<std::uint32_t>(frame * 3000);
    const auto sent = sender.send_frame(pattern.draw(frame), timestamp, [&](base::ByteView payload, bool marker) {
      return a->send_rtp(*video, payload, timestamp, marker);
    });
    if (!sent) {
      std::printf("{\"benchmark\":\"cc\",\"stack\":\"rtcstack\",\"error\":\"%s\"}\n", sent.error().message.c_str());
      return 1;
    }
  }
  std::printf("{\"benchmark\":\"cc\",\"stack\":\"rtcstack\",\"seconds\":%.1f,\"frames\":%llu}\n", seconds,
              static_cast<unsigned long long>(sender.frames_sent()));
  a->close();
  b->close();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || std::atof(argv[1]) <= 0) {
    std::fprintf(stderr, "usage: bench_congestion SECONDS ALIAS_A ALIAS_B\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  return run(std::atof(argv[1]), static_cast<std::uint16_t>(std::atoi(argv[2])), static_cast<std::uint16_t>(std::atoi(argv[3])));
}
