#include "media_echo.h"

#include <array>
#include <cmath>

#include "media/rtp_packet.h"
#include "media/vp8_payload.h"

namespace rtcstack::echo {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kPi = 3.14159265358979323846;
constexpr std::size_t kMaxPayload = 1100;

base::Instant instant(Clock::time_point at) {
  return base::Instant::from_nanoseconds(
      std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count());
}

}  // namespace

base::Result<std::unique_ptr<MediaEcho>> MediaEcho::create() {
  media::Vp8EncoderConfig video;
  video.width = kWidth;
  video.height = kHeight;
  video.bitrate_kbps = 600;
  auto video_encoder = media::Vp8Encoder::create(video);
  if (!video_encoder) return video_encoder.error();
  auto video_decoder = media::Vp8Decoder::create();
  if (!video_decoder) return video_decoder.error();
  media::OpusEncoderConfig audio;
  audio.channels = 2;  // RFC 7587: opus/48000/2 whatever is coded; stereo exercises it fully
  auto audio_encoder = media::OpusAudioEncoder::create(audio);
  if (!audio_encoder) return audio_encoder.error();
  auto audio_decoder = media::OpusAudioDecoder::create(2);
  if (!audio_decoder) return audio_decoder.error();
  return std::unique_ptr<MediaEcho>(new MediaEcho(std::move(*video_encoder), std::move(*video_decoder),
                                                  std::move(*audio_encoder), std::move(*audio_decoder)));
}

MediaEcho::MediaEcho(media::Vp8Encoder video_encoder, media::Vp8Decoder video_decoder,
                     media::OpusAudioEncoder audio_encoder, media::OpusAudioDecoder audio_decoder)
    : video_encoder_(std::move(video_encoder)),
      audio_encoder_(std::move(audio_encoder)),
      y_(kWidth * kHeight),
      u_(kWidth * kHeight / 4),
      v_(kWidth * kHeight / 4),
      video_decoder_(std::move(video_decoder)),
      audio_decoder_(std::move(audio_decoder)),
      pcm_(5760 * 2) {}

void MediaEcho::attach(std::weak_ptr<net::PeerConnectionHandle> handle, pc::TransceiverHandle video,
                       pc::TransceiverHandle audio) {
  std::lock_guard lock(mutex_);
  handle_ = std::move(handle);
  video_ = video;
  audio_ = audio;
}

void MediaEcho::draw(int frame) {
  // Diagonal stripes that drift, and a bright square crossing the picture.
  for (int row = 0; row < kHeight; ++row) {
    for (int col = 0; col < kWidth; ++col) {
      const bool square = std::abs(col - (frame * 6) % kWidth) < 20 && std::abs(row - kHeight / 2) < 20;
      y_[static_cast<std::size_t>(row * kWidth + col)] = square ? 235 : static_cast<std::uint8_t>(16 + (row + col + frame * 4) % 200);
    }
  }
  for (std::size_t i = 0; i < u_.size(); ++i) {
    u_[i] = static_cast<std::uint8_t>(128 + (static_cast<int>(i) / 40 + frame) % 50);
    v_[i] = static_cast<std::uint8_t>(100 + (static_cast<int>(i) % 60));
  }
}

base::Result<void> MediaEcho::send_video() {
  auto handle = handle_.lock();
  if (!handle) return base::Error{base::ErrorCode::kClosed, "the connection is gone"};
  const int index = video_frames_sent_++;
  draw(index);
  bool key = false;
  {
    std::lock_guard lock(mutex_);
    std::swap(key, key_frame_wanted_);
  }
  const auto timestamp = static_cast<std::uint32_t>(index * 3000);
  auto encoded = video_encoder_.encode({kWidth, kHeight, y_.data(), u_.data(), v_.data(), kWidth, kWidth / 2, kWidth / 2},
                                       timestamp, key);
  if (!encoded) return encoded.error();
  if (!*encoded) return {};  // the rate control skipped this frame
  media::Vp8Packetizer packetizer;
  if (auto started = packetizer.start((*encoded)->bytes, static_cast<std::uint16_t>(index), kMaxPayload); !started) {
    return started.error();
  }
  std::array<std::uint8_t, kMaxPayload> payload{};
  while (auto next = packetizer.next(payload)) {
    if (auto sent = handle->send_rtp(video_, *next, timestamp, packetizer.last_was_final()); !sent) return sent.error();
  }
  return {};
}

base::Result<void> MediaEcho::send_audio() {
  auto handle = handle_.lock();
  if (!handle) return base::Error{base::ErrorCode::kClosed, "the connection is gone"};
  const int index = audio_frames_sent_++;
  std::vector<std::int16_t> pcm(960 * 2);
  for (int i = 0; i < 960; ++i) {
    const double t = (index * 960 + i) / 48000.0;
    pcm[static_cast<std::size_t>(2 * i)] = static_cast<std::int16_t>(6000 * std::sin(2 * kPi * 440 * t));
    pcm[static_cast<std::size_t>(2 * i + 1)] = static_cast<std::int16_t>(6000 * std::sin(2 * kPi * 660 * t));
  }
  std::array<std::uint8_t, 1500> out{};
  auto packet = audio_encoder_.encode(pcm, out);
  if (!packet) return packet.error();
  return handle->send_rtp(audio_, *packet, static_cast<std::uint32_t>(index * 960), index == 0);
}

base::Result<void> MediaEcho::tick(Clock::time_point now) {
  if (started_ == Clock::time_point{}) started_ = now;
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - started_).count();
  while (video_frames_sent_ * 1000 / 30 <= elapsed) {
    if (auto sent = send_video(); !sent) return sent;
  }
  while (audio_frames_sent_ * 20 <= elapsed) {
    if (auto sent = send_audio(); !sent) return sent;
  }
  // Repairs of the echoed video: NACK what is missing, PLI when the chain broke.
  std::array<std::uint16_t, 64> lost{};
  std::size_t count = 0;
  bool want_key_frame = false;
  {
    std::lock_guard lock(mutex_);
    const base::Instant at = instant(now);
    count = nack_.poll(at, base::Duration::milliseconds(20), lost);
    jitter_.release(at, [&](const media::RtpPacket& packet) {
      auto frame = assembler_.push(packet);
      if (!frame || !frame->decodable) return;
      if (video_decoder_.decode(frame->bytes)) {
        ++video_frames_decoded_;
      } else {
        ++video_decode_errors_;
      }
    });
    want_key_frame = assembler_.needs_key_frame() && assembler_.frames_completed() > 0 &&
                     now - last_pli_ > std::chrono::milliseconds(300);
    if (want_key_frame) last_pli_ = now;
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
    nack_.on_packet(now, packet->sequence_number());
    jitter_.insert(now, *packet);
    return;
  }
  if (transceiver != audio_) return;
  // Loopback keeps audio in order; a gap is concealed, a late packet dropped.
  if (next_audio_sequence_) {
    const auto gap = static_cast<std::int16_t>(packet->sequence_number() - *next_audio_sequence_);
    if (gap < 0) return;
    for (int i = 0; i < gap && i < 5; ++i) {
      if (audio_decoder_.conceal(960, pcm_)) ++audio_concealed_;
    }
  }
  next_audio_sequence_ = static_cast<std::uint16_t>(packet->sequence_number() + 1);
  if (auto samples = audio_decoder_.decode(packet->payload(), pcm_)) audio_samples_decoded_ += *samples;
}

void MediaEcho::on_key_frame_request(pc::TransceiverHandle transceiver) {
  std::lock_guard lock(mutex_);
  if (transceiver == video_) key_frame_wanted_ = true;
}

bool MediaEcho::passed() const {
  std::lock_guard lock(mutex_);
  return video_frames_decoded_ >= kFramesWanted && audio_samples_decoded_ >= kSamplesWanted;
}

std::string MediaEcho::progress() const {
  std::lock_guard lock(mutex_);
  return "decoded " + std::to_string(video_frames_decoded_) + " video frames (" + std::to_string(kWidth) + "x" +
         std::to_string(kHeight) + " VP8, " + std::to_string(video_decode_errors_) + " decode errors, " +
         std::to_string(assembler_.frames_dropped()) + " dropped, " + std::to_string(nack_.recovered()) +
         " packets repaired) and " + std::to_string(audio_samples_decoded_ / 48) + " ms of Opus audio (" +
         std::to_string(audio_concealed_) + " frames concealed); sent " + std::to_string(video_frames_sent_) +
         " video and " + std::to_string(audio_frames_sent_) + " audio frames";
}

}  // namespace rtcstack::echo
