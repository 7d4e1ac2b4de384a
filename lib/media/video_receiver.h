// The receiving end of a video stream in any codec rtcstack has: packets go through the
// jitter buffer (reordering, waiting for repairs), frames are reassembled and decoded in
// order, and the receiver says what to ask the sender for: the sequence numbers to NACK,
// and a key frame (PLI) when the chain of frames broke beyond repair.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "media/jitter_buffer.h"
#include "media/nack_tracker.h"
#include "media/frame_assembler.h"
#include "media/video_codec.h"

namespace rtcstack::media {

struct VideoReceiverConfig {
  JitterBufferConfig jitter;
  NackConfig nack;
  /// Key frame requests at most this often (one PLI usually brings one within an RTT).
  base::Duration key_frame_request_interval = base::Duration::milliseconds(300);
};

class VideoReceiver {
 public:
  /// What the sender should be asked for now.
  struct Requests {
    std::span<const std::uint16_t> nack;  ///< valid until the next process()
    bool key_frame = false;
  };
  using FrameSink = std::function<void(const I420View& picture)>;

  static base::Result<VideoReceiver> create(VideoCodec codec, const VideoReceiverConfig& config = {});

  VideoCodec codec() const { return codec_; }

  /// A packet of the stream: an original, or a retransmission restored from RTX.
  void on_packet(base::Instant now, const RtpPacket& packet);
  /// Releases what can go on, decodes every decodable frame (each picture to `on_frame`
  /// when given), and returns the requests due. Call it when packets arrived and every
  /// few milliseconds while packets are missing (next_process() says when).
  Requests process(base::Instant now, base::Duration rtt, const FrameSink& on_frame = {});
  /// When process() next has something to do without new packets, if anything.
  std::optional<base::Instant> next_process(base::Duration rtt) const;

  std::uint64_t frames_decoded() const { return frames_decoded_; }
  std::uint64_t decode_errors() const { return decode_errors_; }
  std::uint64_t frames_dropped() const { return assembler_.frames_dropped() + undecodable_; }
  std::uint64_t packets_recovered() const { return nack_.recovered(); }
  std::uint64_t key_frames_requested() const { return key_frames_requested_; }
  const VideoJitterBuffer& jitter_buffer() const { return jitter_; }

 private:
  VideoReceiver(VideoCodec codec, const VideoReceiverConfig& config, std::unique_ptr<VideoDecoder> decoder);

  VideoCodec codec_;
  VideoReceiverConfig config_;
  VideoJitterBuffer jitter_;
  NackTracker nack_;
  FrameAssembler assembler_;
  std::unique_ptr<VideoDecoder> decoder_;
  std::vector<std::uint16_t> lost_ = std::vector<std::uint16_t>(256);
  std::optional<base::Instant> last_key_frame_request_;
  std::uint64_t broken_since_request_ = 0;  // frames lost or undecodable since the last PLI
  std::uint64_t dropped_seen_ = 0;
  std::uint64_t frames_decoded_ = 0, decode_errors_ = 0, undecodable_ = 0, key_frames_requested_ = 0;
};

}  // namespace rtcstack::media
