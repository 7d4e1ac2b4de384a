// Opus through libopus: 48 kHz, mono or stereo, 16-bit PCM frames in and out; in-band
// FEC, DTX and packet-loss concealment. Encoder and decoder are move-only owners of the
// libopus state; neither allocates per frame.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "base/bytes.h"
#include "base/result.h"

struct OpusEncoder;  // libopus
struct OpusDecoder;

namespace rtcstack::media {

struct OpusEncoderConfig {
  int channels = 1;               ///< 1 or 2
  int bitrate_bps = 32'000;
  int frame_ms = 20;              ///< 10, 20, 40 or 60
  bool voice = true;              ///< OPUS_APPLICATION_VOIP, else AUDIO (music)
  bool inband_fec = false;        ///< RFC 6716 LBRR: the next packet can rebuild a lost one
  int expected_loss_percent = 0;  ///< how much redundancy FEC spends
  bool dtx = false;               ///< send almost nothing during silence
};

class OpusAudioEncoder {
 public:
  static base::Result<OpusAudioEncoder> create(const OpusEncoderConfig& config);
  /// Samples per channel in one frame (960 for 20 ms).
  std::size_t frame_samples() const { return frame_samples_; }
  int channels() const { return channels_; }
  /// Encodes one frame: frame_samples() * channels() interleaved samples. Returns the
  /// Opus packet, a prefix of `out` (1500 bytes always suffice). With DTX a silent frame
  /// may come out as 1-2 bytes; the caller may skip sending those.
  base::Result<base::ByteView> encode(std::span<const std::int16_t> pcm, base::MutableByteView out);
  /// Changes the target bitrate (congestion control).
  base::Result<void> set_bitrate(int bitrate_bps);

 private:
  struct Free {
    void operator()(::OpusEncoder* encoder) const;
  };
  std::unique_ptr<::OpusEncoder, Free> encoder_;
  std::size_t frame_samples_ = 0;
  int channels_ = 1;
};

class OpusAudioDecoder {
 public:
  static base::Result<OpusAudioDecoder> create(int channels);
  int channels() const { return channels_; }
  /// Decodes one packet into `pcm` (interleaved; room for 120 ms = 5760 samples per
  /// channel always suffices). Returns samples per channel.
  base::Result<std::size_t> decode(base::ByteView packet, std::span<std::int16_t> pcm);
  /// Packet-loss concealment: `samples` per channel of audio for a packet that never came.
  base::Result<std::size_t> conceal(std::size_t samples, std::span<std::int16_t> pcm);
  /// Rebuilds the packet lost just before `next` from the FEC data `next` carries (if its
  /// encoder used in-band FEC; otherwise this conceals).
  base::Result<std::size_t> recover(base::ByteView next, std::size_t samples, std::span<std::int16_t> pcm);

 private:
  struct Free {
    void operator()(::OpusDecoder* decoder) const;
  };
  base::Result<std::size_t> run(const std::uint8_t* data, std::size_t size, std::size_t samples,
                                std::span<std::int16_t> pcm, bool fec);
  std::unique_ptr<::OpusDecoder, Free> decoder_;
  int channels_ = 1;
};

}  // namespace rtcstack::media
