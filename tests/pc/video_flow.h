// Calls for congestion-control scenarios: a sender and a receiver PeerConnection on a
// shared simulated network, the sender's video following its TargetBitrateEvents. The
// video is either libvpx (media::VideoSender with VP8 on a test pattern) or a model of an encoder -
// frames at 30 fps whose sizes make the target (a key frame five times a delta frame),
// cut by the VP8 packetizer - for runs of tens of seconds at rates a small test picture
// would not fill. Optionally a data channel beside it sends as fast as SCTP lets it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "media/video_sender.h"
#include "media/vp8_payload.h"
#include "pc_harness.h"
#include "test_pattern.h"

namespace rtcstack::testing {

struct FlowOptions {
  bool real_vp8 = false;       ///< libvpx at 320x240 instead of the modelled encoder
  bool greedy_channel = false; ///< a data channel that always has more to send
  bool video = true;
  /// The receiver's offer is read without transport-wide CC (a peer that only knows
  /// REMB): the receiver estimates and sends REMB, the sender follows it.
  bool remb_only = false;
  pc::Configuration configuration;
};

class VideoFlow {
 public:
  VideoFlow(SimNetwork& network, const char* sender_ip, const char* receiver_ip, std::uint64_t seed, FlowOptions options = {});

  /// Negotiates and runs the network until both ends are connected.
  bool connect();
  /// Sends what is due at `now` (frames, channel data); call every few milliseconds.
  void tick(base::Instant now);

  PcEndpoint sender, receiver;
  std::uint64_t target_bps = 0;         ///< the sender's last TargetBitrateEvent
  std::uint64_t video_bytes = 0;        ///< RTP bytes that reached the receiver
  std::uint64_t channel_bytes = 0;      ///< data channel bytes that reached the receiver
  std::uint64_t frames_sent = 0;
  std::uint64_t rembs = 0;             ///< REMB the receiver sent (from its stats)
  std::unique_ptr<media::VideoSender> encoder;  ///< with real_vp8

 private:
  void send_frame();
  void send_payloads(base::ByteView frame, std::uint32_t timestamp);

  SimNetwork& network_;
  FlowOptions options_;
  pc::TransceiverHandle video_ = 0;
  std::optional<pc::ChannelHandle> channel_;
  base::Instant next_frame_ = base::Instant::max();
  std::vector<std::uint8_t> frame_, payload_;
  media::Vp8Packetizer packetizer_;  // the modelled encoder's frames
  support::TestPattern pattern_{320, 240};
};

/// Runs `flows` on `network` for `duration`, ticking each every 5 ms; `sample` (optional)
/// is called every 100 ms.
template <typename Sample>
void run_flows(SimNetwork& network, std::vector<VideoFlow*> flows, base::Duration duration, Sample&& sample) {
  const base::Instant end = network.now() + duration;
  base::Instant next_sample = network.now() + base::Duration::milliseconds(100);
  while (network.now() < end) {
    network.run_until(network.now() + base::Duration::milliseconds(5));
    for (VideoFlow* flow : flows) flow->tick(network.now());
    if (network.now() >= next_sample) {
      sample(network.now());
      next_sample = next_sample + base::Duration::milliseconds(100);
    }
  }
}

}  // namespace rtcstack::testing
