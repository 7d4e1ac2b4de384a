// Echo test type 2 on the client side: sends a moving synthetic VP8 picture and an Opus
// tone on two transceivers, and decodes what the server echoes back: video through the
// jitter buffer (NACK for losses, PLI when a frame cannot be repaired), audio packet by
// packet with concealment for gaps. The test passes at 30 decoded video frames and one
// second of decoded audio. A video transceiver with simulcast encodings sends each
// negotiated one as a picture of its own size (scaleResolutionDownBy) and encoder, the
// target shared among them lowest first (media::split_simulcast, up to each maxBitrate).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "media/opus_codec.h"
#include "test_pattern.h"
#include "media/red_payload.h"
#include "media/video_receiver.h"
#include "media/video_sender.h"
#include "net/runtime.h"

namespace rtcstack::echo {

struct MediaEchoConfig {
  int width = 320, height = 240;  ///< of the picture sent
  int bitrate_kbps = 600;
  media::VideoCodec codec = media::VideoCodec::kVp8;  ///< until the negotiation says otherwise
};

class MediaEcho {
 public:
  static constexpr int kFramesWanted = 30;
  static constexpr std::size_t kSamplesWanted = 48000;

  /// kInternal when an encoder or decoder cannot be made.
  static base::Result<std::unique_ptr<MediaEcho>> create(const MediaEchoConfig& config = {});

  void attach(std::weak_ptr<net::PeerConnectionHandle> handle, pc::TransceiverHandle video, pc::TransceiverHandle audio);
  /// From the IO thread: an echoed packet, or the server's key frame request.
  void on_rtp(pc::TransceiverHandle transceiver, const base::Buffer& packet);
  /// `rid`: of the simulcast encoding asked for ("" without simulcast).
  void on_key_frame_request(pc::TransceiverHandle transceiver, const std::string& rid = {});
  /// From the IO thread: congestion control's target; both encoders follow it from the next
  /// frame (media::split_target).
  void on_target_bitrate(std::uint64_t bps);
  /// From the main thread, every 10 ms or so: sends what is due (a video frame every
  /// 33 ms, an audio frame every 20 ms), asks for repairs. An error stops the test.
  base::Result<void> tick(std::chrono::steady_clock::time_point now);

  bool passed() const;
  std::string progress() const;
  std::uint64_t video_frames_decoded() const;
  std::size_t audio_samples_decoded() const;
  /// Echoed audio packets that came in RED.
  std::size_t red_packets() const;
  /// The video encodings sent, as "rid WxH" ("WxH" without simulcast), once negotiated.
  std::vector<std::string> video_layers() const;
  /// Frames the least sent of the video encodings has sent (main thread).
  std::uint64_t fewest_frames_sent() const;

 private:
  /// One encoding of the video sent: the whole picture, or a simulcast layer of its size.
  struct VideoLayer {
    std::string rid;  // "" without simulcast
    int width = 0, height = 0;
    support::TestPattern pattern;
    media::VideoSender sender;
    std::uint64_t max_bps = 0;  // its sendEncodings maxBitrate (0: none)
    bool paused = false;        // the target leaves it nothing
  };
  MediaEcho(const MediaEchoConfig& config, media::VideoSender video_sender, media::VideoReceiver video_receiver,
            media::OpusAudioEncoder audio_encoder, media::OpusAudioDecoder audio_decoder);
  base::Result<void> send_video();
  /// The encoders follow the target: Opus first, video the rest, shared among the layers.
  base::Result<void> apply_target(std::uint64_t target);
  /// Once negotiated: the video sender and receiver become the negotiated codec's.
  base::Result<void> follow_negotiated_codec(net::PeerConnectionHandle& handle);
  base::Result<void> send_audio();

  mutable std::mutex mutex_;  // receive state (IO thread) against the main thread's reads
  std::weak_ptr<net::PeerConnectionHandle> handle_;
  pc::TransceiverHandle video_ = 0, audio_ = 0;

  // sending (main thread only)
  MediaEchoConfig config_;
  support::TestTone tone_;
  std::vector<VideoLayer> layers_;  // at least one
  bool codec_checked_ = false;
  std::optional<media::RedEncoder> red_encoder_;  // when the answer put RED first
  std::vector<std::int16_t> mono_ = std::vector<std::int16_t>(support::TestTone::kFrameSamples);  // the tone's left channel
  media::OpusAudioEncoder audio_encoder_;
  int video_frames_sent_ = 0, audio_frames_sent_ = 0;
  std::vector<std::string> key_frames_wanted_;  // guarded: rids, set on the IO thread
  std::uint64_t target_bps_ = 0, applied_bps_ = 0;  // the first guarded, set on the IO thread
  std::chrono::steady_clock::time_point started_{};

  // receiving (guarded)
  media::VideoReceiver video_receiver_;
  media::OpusAudioDecoder audio_decoder_;
  std::vector<std::int16_t> pcm_;
  std::optional<std::uint16_t> next_audio_sequence_;
  std::size_t audio_samples_decoded_ = 0, audio_concealed_ = 0, audio_recovered_ = 0, red_packets_ = 0;
  std::optional<std::uint8_t> red_payload_type_;  // RED's, once negotiated
};

}  // namespace rtcstack::echo
