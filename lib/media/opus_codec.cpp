#include "media/opus_codec.h"

#include <opus/opus.h>

#include <algorithm>
#include <string>

namespace rtcstack::media {
namespace {

base::Error opus_error(const char* what, int code) {
  return base::Error{base::ErrorCode::kInternal, std::string("libopus ") + what + ": " + opus_strerror(code)};
}

}  // namespace

void OpusAudioEncoder::Free::operator()(::OpusEncoder* encoder) const { opus_encoder_destroy(encoder); }
void OpusAudioDecoder::Free::operator()(::OpusDecoder* decoder) const { opus_decoder_destroy(decoder); }

base::Result<OpusAudioEncoder> OpusAudioEncoder::create(const OpusEncoderConfig& config) {
  if (config.channels != 1 && config.channels != 2) {
    return base::Error{base::ErrorCode::kInvalidArgument, "Opus encodes 1 or 2 channels"};
  }
  if (config.frame_ms != 10 && config.frame_ms != 20 && config.frame_ms != 40 && config.frame_ms != 60) {
    return base::Error{base::ErrorCode::kInvalidArgument, "Opus frames here are 10, 20, 40 or 60 ms"};
  }
  int error = OPUS_OK;
  OpusAudioEncoder encoder;
  encoder.encoder_.reset(opus_encoder_create(48000, config.channels,
                                             config.voice ? OPUS_APPLICATION_VOIP : OPUS_APPLICATION_AUDIO, &error));
  if (error != OPUS_OK) return opus_error("encoder_create", error);
  encoder.channels_ = config.channels;
  encoder.frame_samples_ = static_cast<std::size_t>(48 * config.frame_ms);
  ::OpusEncoder* e = encoder.encoder_.get();
  if ((error = opus_encoder_ctl(e, OPUS_SET_BITRATE(config.bitrate_bps))) != OPUS_OK) return opus_error("bitrate", error);
  if ((error = opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(config.inband_fec ? 1 : 0))) != OPUS_OK) return opus_error("FEC", error);
  if ((error = opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(config.expected_loss_percent))) != OPUS_OK) {
    return opus_error("loss percentage", error);
  }
  if ((error = opus_encoder_ctl(e, OPUS_SET_DTX(config.dtx ? 1 : 0))) != OPUS_OK) return opus_error("DTX", error);
  return encoder;
}

base::Result<base::ByteView> OpusAudioEncoder::encode(std::span<const std::int16_t> pcm, base::MutableByteView out) {
  if (pcm.size() != frame_samples_ * static_cast<std::size_t>(channels_)) {
    return base::Error{base::ErrorCode::kInvalidArgument, "an Opus frame here is " + std::to_string(frame_samples_) +
                                                              " samples per channel, interleaved"};
  }
  const opus_int32 size = opus_encode(encoder_.get(), pcm.data(), static_cast<int>(frame_samples_), out.data(),
                                      static_cast<opus_int32>(std::min<std::size_t>(out.size(), 1275 * 3)));
  if (size < 0) return opus_error("encode", size);
  return base::ByteView(out.data(), static_cast<std::size_t>(size));
}

base::Result<void> OpusAudioEncoder::set_bitrate(int bitrate_bps) {
  const int error = opus_encoder_ctl(encoder_.get(), OPUS_SET_BITRATE(bitrate_bps));
  if (error != OPUS_OK) return opus_error("bitrate", error);
  return {};
}

base::Result<OpusAudioDecoder> OpusAudioDecoder::create(int channels) {
  if (channels != 1 && channels != 2) return base::Error{base::ErrorCode::kInvalidArgument, "Opus decodes to 1 or 2 channels"};
  int error = OPUS_OK;
  OpusAudioDecoder decoder;
  decoder.decoder_.reset(opus_decoder_create(48000, channels, &error));
  if (error != OPUS_OK) return opus_error("decoder_create", error);
  decoder.channels_ = channels;
  return decoder;
}

base::Result<std::size_t> OpusAudioDecoder::run(const std::uint8_t* data, std::size_t size, std::size_t samples,
                                                std::span<std::int16_t> pcm, bool fec) {
  const std::size_t room = pcm.size() / static_cast<std::size_t>(channels_);
  if (samples > room) return base::Error{base::ErrorCode::kInvalidArgument, "the PCM buffer is too small"};
  const int decoded = opus_decode(decoder_.get(), data, static_cast<opus_int32>(size), pcm.data(),
                                  static_cast<int>(samples), fec ? 1 : 0);
  if (decoded < 0) return base::Error{base::ErrorCode::kMalformed, std::string("Opus packet: ") + opus_strerror(decoded)};
  return static_cast<std::size_t>(decoded);
}

base::Result<std::size_t> OpusAudioDecoder::decode(base::ByteView packet, std::span<std::int16_t> pcm) {
  if (packet.empty()) return base::Error{base::ErrorCode::kMalformed, "an empty Opus packet"};
  const std::size_t room = pcm.size() / static_cast<std::size_t>(channels_);
  return run(packet.data(), packet.size(), std::min<std::size_t>(room, 5760), pcm, false);
}

base::Result<std::size_t> OpusAudioDecoder::conceal(std::size_t samples, std::span<std::int16_t> pcm) {
  return run(nullptr, 0, samples, pcm, false);
}

base::Result<std::size_t> OpusAudioDecoder::recover(base::ByteView next, std::size_t samples, std::span<std::int16_t> pcm) {
  if (next.empty()) return conceal(samples, pcm);
  return run(next.data(), next.size(), samples, pcm, true);
}

}  // namespace rtcstack::media
