// VP8 through libvpx: a realtime encoder (one pass, no lag, CBR toward a target bitrate,
// error resilient, key frames on request) and a decoder, both over I420 pictures the
// caller owns. Move-only owners of the libvpx state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"

struct vpx_codec_ctx;  // libvpx
struct vpx_codec_enc_cfg;

namespace rtcstack::media {

/// An I420 picture in someone else's memory: a full-size Y plane and half-size U, V.
struct I420View {
  int width = 0;
  int height = 0;
  const std::uint8_t* y = nullptr;
  const std::uint8_t* u = nullptr;
  const std::uint8_t* v = nullptr;
  int stride_y = 0, stride_u = 0, stride_v = 0;
};

struct Vp8EncoderConfig {
  int width = 640;
  int height = 480;
  int bitrate_kbps = 1000;
  int fps = 30;
  int key_frame_interval = 3000;  ///< frames; WebRTC relies on PLI rather than periodic key frames
  int cpu_used = -6;              ///< libvpx speed: -16 fastest .. 16; negative is realtime-adaptive
};

/// One encoded frame: a view into the encoder's output, valid until the next encode().
struct EncodedVp8Frame {
  base::ByteView bytes;
  bool key_frame = false;
};

class Vp8Encoder {
 public:
  static base::Result<Vp8Encoder> create(const Vp8EncoderConfig& config);
  Vp8Encoder(Vp8Encoder&&) noexcept;
  Vp8Encoder& operator=(Vp8Encoder&&) noexcept;
  ~Vp8Encoder();

  /// Encodes the next picture (config.width x height) at `timestamp_90k`. The result may
  /// be empty when the rate control drops the frame.
  base::Result<std::optional<EncodedVp8Frame>> encode(const I420View& picture, std::uint32_t timestamp_90k,
                                                      bool force_key_frame = false);
  base::Result<void> set_bitrate(int bitrate_kbps);

 private:
  Vp8Encoder();
  std::unique_ptr<::vpx_codec_ctx> codec_;
  std::unique_ptr<::vpx_codec_enc_cfg> config_;
  unsigned long frame_duration_ = 3000;  // in 90 kHz ticks
  bool initialised_ = false;
};

class Vp8Decoder {
 public:
  static base::Result<Vp8Decoder> create();
  Vp8Decoder(Vp8Decoder&&) noexcept;
  Vp8Decoder& operator=(Vp8Decoder&&) noexcept;
  ~Vp8Decoder();

  /// Decodes one whole frame; the picture is libvpx's, valid until the next decode().
  /// kMalformed when libvpx rejects the frame (corrupt, or its reference is missing).
  base::Result<I420View> decode(base::ByteView frame);

 private:
  Vp8Decoder();
  std::unique_ptr<::vpx_codec_ctx> codec_;
  bool initialised_ = false;
};

}  // namespace rtcstack::media
