#include "media_echo.h"

#include <algorithm>
#include <array>
#include <utility>

#include "media/encoder_bitrate.h"
#include "media/red_payload.h"
#include "media/rtp_packet.h"
#include "media/rtp_stream.h"

namespace rtcstack::echo {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxPayload = 1100;

base::Instant instant(Clock::time_point at) {
  return base::Instant::from_nanoseconds(
      std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count());
}

}  // namespace

base::Result<std::unique_ptr<MediaEcho>> MediaEcho::create(const MediaEchoConfig& config) {
  media::VideoEncoderConfig video;
  video.width = config.width;
  video.height = config.height;
  video.bitrate_kbps = config.bitrate_kbps;
  auto video_sender = media::VideoSender::create(config.codec, video, kMaxPayload);
  if (!video_sender) return video_sender.error();
  auto video_receiver = media::VideoReceiver::create(config.codec);
  if (!video_receiver) return video_receiver.error();
  media::OpusEncoderConfig audio;
  audio.channels = support::TestTone::kChannels;  // RFC 7587: opus/48000/2 whatever is coded; stereo exercises it fully
  auto audio_encoder = media::OpusAudioEncoder::create(audio);
  if (!audio_encoder) return audio_encoder.error();
  auto audio_decoder = media::OpusAudioDecoder::create(support::TestTone::kChannels);
  if (!audio_decoder) return audio_decoder.error();
  return std::unique_ptr<MediaEcho>(new MediaEcho(config, std::move(*video_sender), std::move(*video_receiver),
                                                  std::move(*audio_encoder), std::move(*audio_decoder)));
}

MediaEcho::MediaEcho(const MediaEchoConfig& config, media::VideoSender video_sender, media::VideoReceiver video_receiver,
                     media::OpusAudioEncoder audio_encoder, media::OpusAudioDecoder audio_decoder)
    : config_(config),
      audio_encoder_(std::move(audio_encoder)),
      video_receiver_(std::move(video_receiver)),
      audio_decoder_(std::move(audio_decoder)),
      pcm_(5760 * 2) {
  layers_.push_back(VideoLayer{"", config.width, config.height, support::TestPattern(config.width, config.height),
                               std::move(video_sender), 0, false});
}

void MediaEcho::attach(std::weak_ptr<net::PeerConnectionHandle> handle, pc::TransceiverHandle video,
                       pc::TransceiverHandle audio) {
  std::lock_guard lock(mutex_);
  handle_ = std::move(handle);
  video_ = video;
  audio_ = audio;
}

base::Result<void> MediaEcho::follow_negotiated_codec(net::PeerConnectionHandle& handle) {
  const auto negotiated = handle.send_codec(video_);
  if (!negotiated) return {};  // not yet: send_rtp refuses anyway
  codec_checked_ = true;
  // Audio: Opus in RED when the answer put RED first; the echo comes back the same way.
  // The encoder as the peer's Opus fmtp asks (mono unless it said stereo=1, FEC, DTX).
  const auto audio = handle.send_codec(audio_);
  const auto negotiated_audio = handle.negotiated_codecs(audio_);
  std::optional<pc::CodecParameters> opus = audio;
  if (audio && audio->name == "red") {
    const auto blocks = pc::red_block_payload_type(*audio).value_or(111);
    red_encoder_.emplace(blocks);
    for (const auto& codec : negotiated_audio) {
      if (codec.payload_type == blocks) opus = codec;
    }
  }
  if (opus) {
    auto encoder = media::OpusAudioEncoder::create(pc::opus_encoder_config(*opus));
    if (!encoder) return encoder.error();
    audio_encoder_ = std::move(*encoder);
  }
  for (const auto& codec : negotiated_audio) {
    if (codec.name == "red") {
      std::lock_guard lock(mutex_);
      red_payload_type_ = codec.payload_type;
    }
  }
  const auto codec = pc::video_codec(*negotiated);
  if (!codec) return base::Error{base::ErrorCode::kUnsupported, "the negotiated video codec " + negotiated->name + " is not lib/media's"};
  // An encoder per encoding the answer left (simulcast: each its own size), lowest first.
  std::vector<VideoLayer> layers;
  for (const pc::RtpEncodingParameters& encoding : handle.send_encodings(video_)) {
    if (!encoding.active) continue;  // sends nothing (send_rtp would refuse it)
    const double scale = encoding.scale_resolution_down_by.value_or(1.0);
    // Even sizes (I420), at least 16 pixels.
    const int width = std::max(16, static_cast<int>(config_.width / scale) & ~1);
    const int height = std::max(16, static_cast<int>(config_.height / scale) & ~1);
    media::VideoEncoderConfig video;
    video.width = width;
    video.height = height;
    video.bitrate_kbps = encoding.max_bitrate_bps ? static_cast<int>(*encoding.max_bitrate_bps / 1000) : config_.bitrate_kbps;
    auto sender = media::VideoSender::create(*codec, video, kMaxPayload, pc::payload_options(*negotiated));
    if (!sender) return sender.error();
    layers.push_back(VideoLayer{encoding.rid, width, height, support::TestPattern(width, height), std::move(*sender),
                                encoding.max_bitrate_bps.value_or(0), false});
  }
  if (layers.empty()) return base::Error{base::ErrorCode::kInternal, "the video transceiver has no encoding"};
  auto receiver = media::VideoReceiver::create(*codec);  // the echo comes back in the same codec
  if (!receiver) return receiver.error();
  layers_ = std::move(layers);
  config_.codec = *codec;
  applied_bps_ = 0;  // the new encoder takes the target afresh
  std::lock_guard lock(mutex_);
  video_receiver_ = std::move(*receiver);
  return {};
}

base::Result<void> MediaEcho::send_video() {
  auto handle = handle_.lock();
  if (!handle) return base::Error{base::ErrorCode::kClosed, "the connection is gone"};
  if (!codec_checked_) {
    if (auto followed = follow_negotiated_codec(*handle); !followed) return followed;
  }
  const int index = video_frames_sent_++;
  {
    std::lock_guard lock(mutex_);
    for (const std::string& rid : std::exchange(key_frames_wanted_, {})) {
      for (VideoLayer& layer : layers_) {
        if (layer.rid == rid || rid.empty()) layer.sender.request_key_frame();
      }
    }
  }
  const auto timestamp = static_cast<std::uint32_t>(index * 3000);
  for (VideoLayer& layer : layers_) {
    if (layer.paused) continue;
    auto sent = layer.sender.send_frame(layer.pattern.draw(index), timestamp, [&](base::ByteView payload, bool marker) {
      return handle->send_rtp(video_, payload, timestamp, marker, layer.rid);
    });
    if (!sent) return sent.error();
  }
  return {};
}

base::Result<void> MediaEcho::apply_target(std::uint64_t target) {
  const media::TargetSplit split = media::split_target(target);
  if (auto set = audio_encoder_.set_bitrate(static_cast<int>(split.audio_payload_bps)); !set) return set;
  if (layers_.size() == 1) return layers_.front().sender.set_target_bitrate(split.video_wire_bps);
  std::array<std::uint64_t, media::kMaxSimulcastLayers> maxima{}, shares{};
  const std::size_t count = std::min(layers_.size(), maxima.size());
  for (std::size_t i = 0; i < count; ++i) maxima[i] = layers_[i].max_bps;
  media::split_simulcast(split.video_wire_bps, {maxima.data(), count}, {shares.data(), count});
  for (std::size_t i = 0; i < count; ++i) {
    VideoLayer& layer = layers_[i];
    const bool paused = shares[i] == 0;
    // A layer that resumes starts with a key frame: its decoder saw nothing for a while.
    if (layer.paused && !paused) layer.sender.request_key_frame();
    layer.paused = paused;
    if (shares[i] != 0) {
      if (auto set = layer.sender.set_target_bitrate(shares[i]); !set) return set;
    }
  }
  return {};
}

base::Result<void> MediaEcho::send_audio() {
  auto handle = handle_.lock();
  if (!handle) return base::Error{base::ErrorCode::kClosed, "the connection is gone"};
  const int index = audio_frames_sent_++;
  std::array<std::uint8_t, 1500> out{};
  // The tone is stereo; a mono encoder takes its left channel.
  std::span<const std::int16_t> pcm = tone_.frame(index);
  if (audio_encoder_.channels() == 1) {
    for (std::size_t i = 0; i < mono_.size(); ++i) mono_[i] = pcm[2 * i];
    pcm = mono_;
  }
  auto packet = audio_encoder_.encode(pcm, out);
  if (!packet) return packet.error();
  const auto timestamp = static_cast<std::uint32_t>(index * 960);
  if (red_encoder_) {
    std::array<std::uint8_t, 1500> red{};
    auto wrapped = red_encoder_->encode(*packet, timestamp, red);
    if (!wrapped) return wrapped.error();
    return handle->send_rtp(audio_, *wrapped, timestamp, index == 0);
  }
  return handle->send_rtp(audio_, *packet, timestamp, index == 0);
}

base::Result<void> MediaEcho::tick(Clock::time_point now) {
  if (started_ == Clock::time_point{}) started_ = now;
  // The encoders follow congestion control's target, split as the docs recommend.
  std::uint64_t target = 0;
  {
    const std::lock_guard lock(mutex_);
    target = target_bps_;
  }
  if (target != 0 && target != applied_bps_) {
    if (auto applied = apply_target(target); !applied) return applied;
    applied_bps_ = target;
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - started_).count();
  while (video_frames_sent_ * 1000 / 30 <= elapsed) {
    if (auto sent = send_video(); !sent) return sent;
  }
  while (audio_frames_sent_ * 20 <= elapsed) {
    if (auto sent = send_audio(); !sent) return sent;
  }
  // Repairs of the echoed video: NACK what is missing, PLI when the chain broke.
  std::array<std::uint16_t, 256> lost{};
  std::size_t count = 0;
  bool want_key_frame = false;
  {
    std::lock_guard lock(mutex_);
    const auto requests = video_receiver_.process(instant(now), base::Duration::milliseconds(20));
    count = std::min(requests.nack.size(), lost.size());
    std::copy_n(requests.nack.begin(), count, lost.begin());
    want_key_frame = requests.key_frame;
  }
  auto handle = handle_.lock();
  if (!handle) return base::Error{base::ErrorCode::kClosed, "the connection is gone"};
  if (count > 0) (void)handle->send_nack(video_, {lost.data(), count});
  if (want_key_frame) (void)handle->request_key_frame(video_);
  return {};
}

void MediaEcho::on_rtp(pc::TransceiverHandle transceiver, const base::Buffer& bytes) {
  auto packet = media::RtpPacket::parse(bytes);
  if (!packet) return;
  std::lock_guard lock(mutex_);
  const base::Instant now = instant(Clock::now());
  if (transceiver == video_) {
    video_receiver_.on_packet(now, *packet);
    return;
  }
  if (transceiver != audio_) return;
  // RED: the primary is this packet's Opus; the blocks before it are earlier packets.
  std::optional<media::RedPayload> red;
  if (red_payload_type_ && packet->payload_type() == *red_payload_type_) {
    auto parsed = media::parse_red_payload(packet->payload(), packet->timestamp());
    if (!parsed) return;
    red = *parsed;
    ++red_packets_;
  }
  // Loopback keeps audio in order; a gap is filled from RED's redundancy when it has the
  // missing packet, else concealed; a late packet is dropped.
  if (next_audio_sequence_) {
    const auto gap = static_cast<std::int16_t>(packet->sequence_number() - *next_audio_sequence_);
    if (gap < 0) return;
    for (int i = 0; i < gap && i < 5; ++i) {
      const std::uint32_t missing = packet->timestamp() - static_cast<std::uint32_t>((gap - i) * 960);
      const media::RedBlock* block = nullptr;
      for (std::size_t b = 0; red && b + 1 < red->count; ++b) {
        if (red->blocks[b].timestamp == missing) block = &red->blocks[b];
      }
      if (block != nullptr) {
        if (auto samples = audio_decoder_.decode(block->data, pcm_)) {
          audio_samples_decoded_ += *samples;
          ++audio_recovered_;
          continue;
        }
      }
      if (audio_decoder_.conceal(960, pcm_)) ++audio_concealed_;
    }
  }
  next_audio_sequence_ = static_cast<std::uint16_t>(packet->sequence_number() + 1);
  const base::ByteView opus = red ? red->primary().data : packet->payload();
  if (auto samples = audio_decoder_.decode(opus, pcm_)) audio_samples_decoded_ += *samples;
}

void MediaEcho::on_target_bitrate(std::uint64_t bps) {
  const std::lock_guard lock(mutex_);
  target_bps_ = bps;
}

void MediaEcho::on_key_frame_request(pc::TransceiverHandle transceiver, const std::string& rid) {
  std::lock_guard lock(mutex_);
  if (transceiver == video_ && key_frames_wanted_.size() < media::kMaxSimulcastLayers) key_frames_wanted_.push_back(rid);
}

std::uint64_t MediaEcho::fewest_frames_sent() const {
  std::uint64_t fewest = UINT64_MAX;
  for (const VideoLayer& layer : layers_) fewest = std::min(fewest, layer.sender.frames_sent());
  return fewest;
}

std::vector<std::string> MediaEcho::video_layers() const {
  std::vector<std::string> layers;
  for (const VideoLayer& layer : layers_) {
    layers.push_back((layer.rid.empty() ? "" : layer.rid + " ") + std::to_string(layer.width) + "x" + std::to_string(layer.height));
  }
  return layers;
}

bool MediaEcho::passed() const {
  std::lock_guard lock(mutex_);
  return video_receiver_.frames_decoded() >= kFramesWanted && audio_samples_decoded_ >= kSamplesWanted;
}

std::uint64_t MediaEcho::video_frames_decoded() const {
  std::lock_guard lock(mutex_);
  return video_receiver_.frames_decoded();
}

std::size_t MediaEcho::red_packets() const {
  std::lock_guard lock(mutex_);
  return red_packets_;
}

std::size_t MediaEcho::audio_samples_decoded() const {
  std::lock_guard lock(mutex_);
  return audio_samples_decoded_;
}

std::string MediaEcho::progress() const {
  std::string sent_as;  // the encodings, as "q 160x120, h 320x240, f 640x480" or "320x240"
  for (const std::string& layer : video_layers()) sent_as += (sent_as.empty() ? "" : ", ") + layer;
  std::lock_guard lock(mutex_);
  return "decoded " + std::to_string(video_receiver_.frames_decoded()) + " video frames (" +
         std::string(media::to_string(config_.codec)) + ", " + std::to_string(video_receiver_.decode_errors()) + " decode errors, " +
         std::to_string(video_receiver_.frames_dropped()) + " dropped, " + std::to_string(video_receiver_.packets_recovered()) +
         " packets repaired) and " + std::to_string(audio_samples_decoded_ / 48) + " ms of Opus audio (" +
         (red_packets_ ? std::to_string(red_packets_) + " packets in RED, " + std::to_string(audio_recovered_) +
                             " frames from its redundancy, " : std::string()) +
         std::to_string(audio_concealed_) + " frames concealed); sent " + std::to_string(video_frames_sent_) +
         " video frames as " + sent_as + " and " + std::to_string(audio_frames_sent_) + " audio frames" +
         (target_bps_ != 0 ? " (target " + std::to_string(target_bps_ / 1000) + " kbit/s)" : std::string());
}

}  // namespace rtcstack::echo
