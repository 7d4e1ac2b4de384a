// The sending end of a video stream in any codec rtcstack has: encodes pictures and cuts
// each frame into RTP payloads of the codec's format for whatever sends them, with a key
// frame when the receiver asks (PLI, FIR).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "base/result.h"
#include "media/video_codec.h"
#include "media/video_payload.h"

namespace rtcstack::media {

class VideoSender {
 public:
  /// Takes one RTP payload; `marker` is set on the frame's last.
  using Sink = std::function<base::Result<void>(base::ByteView payload, bool marker)>;

  /// `max_payload`: bytes per RTP payload, the format's headers included. With H.264 in
  /// packetization-mode 0 the encoder cuts pictures into slices that fit one payload.
  static base::Result<VideoSender> create(VideoCodec codec, const VideoEncoderConfig& config,
                                          std::size_t max_payload = 1100, const PayloadOptions& options = {});

  VideoCodec codec() const { return codec_; }
  /// The next frame is a key frame.
  void request_key_frame() { key_frame_requested_ = true; }
  /// Follows congestion control: `wire_bps` of packets on the wire (the target, less what
  /// other streams take) becomes the encoder's payload bitrate (encoder_bitrate.h), from
  /// the next frame on. Resolution and frame rate stay the application's choice.
  base::Result<void> set_target_bitrate(std::uint64_t wire_bps);
  /// Encodes `picture` (the configured size) taken at `timestamp_90k` and hands its
  /// payloads to `send` in order. Returns how many; 0 when the encoder's rate control
  /// skipped the frame. The first error from the encoder or `send` ends the frame.
  base::Result<std::size_t> send_frame(const I420View& picture, std::uint32_t timestamp_90k, const Sink& send);

  VideoEncoder& encoder() { return *encoder_; }
  std::uint64_t frames_sent() const { return frames_sent_; }
  std::uint64_t key_frames_sent() const { return key_frames_sent_; }

 private:
  VideoSender(VideoCodec codec, std::unique_ptr<VideoEncoder> encoder, std::unique_ptr<VideoPacketizer> packetizer,
              std::size_t max_payload);

  VideoCodec codec_;
  std::unique_ptr<VideoEncoder> encoder_;
  std::unique_ptr<VideoPacketizer> packetizer_;
  std::size_t max_payload_;
  std::vector<std::uint8_t> payload_;
  bool key_frame_requested_ = false;
  std::uint64_t frames_sent_ = 0, key_frames_sent_ = 0;
};

}  // namespace rtcstack::media
