#include "media/vpx_codec.h"

#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

#include <string>

namespace rtcstack::media {
namespace {

base::Error vpx_error(vpx_codec_ctx_t* codec, const char* what) {
  const char* detail = vpx_codec_error_detail(codec);
  return base::Error{base::ErrorCode::kInternal, std::string("libvpx ") + what + ": " + vpx_codec_error(codec) +
                                                     (detail ? std::string(" (") + detail + ")" : std::string())};
}

vpx_codec_iface_t* encoder_interface(VideoCodec codec) {
  return codec == VideoCodec::kVp9 ? vpx_codec_vp9_cx() : vpx_codec_vp8_cx();
}
vpx_codec_iface_t* decoder_interface(VideoCodec codec) {
  return codec == VideoCodec::kVp9 ? vpx_codec_vp9_dx() : vpx_codec_vp8_dx();
}

class VpxEncoder final : public VideoEncoder {
 public:
  explicit VpxEncoder(VideoCodec codec) : codec_id_(codec) {}
  VpxEncoder(const VpxEncoder&) = delete;
  VpxEncoder& operator=(const VpxEncoder&) = delete;
  ~VpxEncoder() override {
    if (initialised_) vpx_codec_destroy(&codec_);
  }
  base::Result<void> init(const VideoEncoderConfig& config);
  base::Result<std::optional<EncodedFrame>> encode(const I420View& picture, std::uint32_t timestamp_90k,
                                                   bool force_key_frame) override;
  base::Result<void> set_bitrate(int bitrate_kbps) override;

 private:
  VideoCodec codec_id_;
  vpx_codec_ctx_t codec_{};
  vpx_codec_enc_cfg_t config_{};
  unsigned long frame_duration_ = 3000;  // in 90 kHz ticks
  bool initialised_ = false;
};

class VpxDecoder final : public VideoDecoder {
 public:
  explicit VpxDecoder(VideoCodec codec) : codec_id_(codec) {}
  VpxDecoder(const VpxDecoder&) = delete;
  VpxDecoder& operator=(const VpxDecoder&) = delete;
  ~VpxDecoder() override {
    if (initialised_) vpx_codec_destroy(&codec_);
  }
  base::Result<void> init();
  base::Result<I420View> decode(base::ByteView frame) override;

 private:
  VideoCodec codec_id_;
  vpx_codec_ctx_t codec_{};
  bool initialised_ = false;
};

base::Result<void> VpxEncoder::init(const VideoEncoderConfig& config) {
  vpx_codec_enc_cfg_t& cfg = config_;
  if (vpx_codec_enc_config_default(encoder_interface(codec_id_), &cfg, 0) != VPX_CODEC_OK) {
    return base::Error{base::ErrorCode::kInternal, "libvpx has no default encoder configuration"};
  }
  cfg.g_w = static_cast<unsigned>(config.width);
  cfg.g_h = static_cast<unsigned>(config.height);
  cfg.g_timebase = {1, 90000};  // RTP's video clock, so timestamps pass straight through
  cfg.g_threads = 1;
  cfg.g_lag_in_frames = 0;      // realtime: a frame out for every frame in
  cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
  cfg.g_pass = VPX_RC_ONE_PASS;
  cfg.rc_end_usage = VPX_CBR;
  cfg.rc_target_bitrate = static_cast<unsigned>(config.bitrate_kbps);
  cfg.rc_min_quantizer = 2;
  cfg.rc_max_quantizer = 56;
  cfg.rc_undershoot_pct = 100;
  cfg.rc_overshoot_pct = 15;
  cfg.rc_buf_initial_sz = 500;
  cfg.rc_buf_optimal_sz = 600;
  cfg.rc_buf_sz = 1000;
  cfg.rc_dropframe_thresh = 0;
  cfg.kf_mode = VPX_KF_AUTO;
  cfg.kf_max_dist = static_cast<unsigned>(config.key_frame_interval);
  if (vpx_codec_enc_init(&codec_, encoder_interface(codec_id_), &cfg, 0) != VPX_CODEC_OK) {
    return vpx_error(&codec_, "encoder init");
  }
  initialised_ = true;
  frame_duration_ = static_cast<unsigned long>(90000 / config.fps);
  vpx_codec_control(&codec_, VP8E_SET_STATIC_THRESHOLD, 1);
  if (codec_id_ == VideoCodec::kVp9) {
    // Realtime VP9 as WebRTC runs it: speed 7, cyclic-refresh adaptive quantization (cheap
    // quality where the picture changes), one tile, no denoiser.
    vpx_codec_control(&codec_, VP8E_SET_CPUUSED, 7);
    vpx_codec_control(&codec_, VP9E_SET_AQ_MODE, 3);
    vpx_codec_control(&codec_, VP9E_SET_TILE_COLUMNS, 0);
    vpx_codec_control(&codec_, VP9E_SET_NOISE_SENSITIVITY, 0);
  } else {
    vpx_codec_control(&codec_, VP8E_SET_CPUUSED, config.cpu_used);
    vpx_codec_control(&codec_, VP8E_SET_NOISE_SENSITIVITY, 0);
    vpx_codec_control(&codec_, VP8E_SET_TOKEN_PARTITIONS, VP8_ONE_TOKENPARTITION);
  }
  return {};
}

base::Result<std::optional<EncodedFrame>> VpxEncoder::encode(const I420View& picture, std::uint32_t timestamp_90k,
                                                            bool force_key_frame) {
  if (picture.width != static_cast<int>(config_.g_w) || picture.height != static_cast<int>(config_.g_h)) {
    return base::Error{base::ErrorCode::kInvalidArgument, "the picture's size is not the encoder's"};
  }
  vpx_image_t image{};
  vpx_img_wrap(&image, VPX_IMG_FMT_I420, config_.g_w, config_.g_h, 1, const_cast<std::uint8_t*>(picture.y));
  image.planes[VPX_PLANE_Y] = const_cast<std::uint8_t*>(picture.y);
  image.planes[VPX_PLANE_U] = const_cast<std::uint8_t*>(picture.u);
  image.planes[VPX_PLANE_V] = const_cast<std::uint8_t*>(picture.v);
  image.stride[VPX_PLANE_Y] = picture.stride_y;
  image.stride[VPX_PLANE_U] = picture.stride_u;
  image.stride[VPX_PLANE_V] = picture.stride_v;
  const vpx_enc_frame_flags_t flags = force_key_frame ? VPX_EFLAG_FORCE_KF : 0;
  if (vpx_codec_encode(&codec_, &image, timestamp_90k, frame_duration_, flags, VPX_DL_REALTIME) != VPX_CODEC_OK) {
    return vpx_error(&codec_, "encode");
  }
  std::optional<EncodedFrame> frame;
  vpx_codec_iter_t iterator = nullptr;
  while (const vpx_codec_cx_pkt_t* packet = vpx_codec_get_cx_data(&codec_, &iterator)) {
    if (packet->kind != VPX_CODEC_CX_FRAME_PKT) continue;
    // One token partition and no lag: one frame packet per encode() call.
    frame = EncodedFrame{{static_cast<const std::uint8_t*>(packet->data.frame.buf), packet->data.frame.sz},
                            (packet->data.frame.flags & VPX_FRAME_IS_KEY) != 0};
  }
  return frame;
}

base::Result<void> VpxEncoder::set_bitrate(int bitrate_kbps) {
  config_.rc_target_bitrate = static_cast<unsigned>(bitrate_kbps);
  if (vpx_codec_enc_config_set(&codec_, &config_) != VPX_CODEC_OK) return vpx_error(&codec_, "bitrate");
  return {};
}

base::Result<void> VpxDecoder::init() {
  vpx_codec_dec_cfg_t cfg{};
  cfg.threads = 1;
  if (vpx_codec_dec_init(&codec_, decoder_interface(codec_id_), &cfg, 0) != VPX_CODEC_OK) {
    return vpx_error(&codec_, "decoder init");
  }
  initialised_ = true;
  return {};
}

base::Result<I420View> VpxDecoder::decode(base::ByteView frame) {
  const std::string name(to_string(codec_id_));
  if (frame.empty()) return base::Error{base::ErrorCode::kMalformed, "an empty " + name + " frame"};
  if (vpx_codec_decode(&codec_, frame.data(), static_cast<unsigned>(frame.size()), nullptr, 0) != VPX_CODEC_OK) {
    return base::Error{base::ErrorCode::kMalformed, name + " frame rejected: " + vpx_codec_error(&codec_)};
  }
  // A VP9 superframe (spatial layers) may show more than one picture: the last is the
  // picture at the full size.
  vpx_codec_iter_t iterator = nullptr;
  const vpx_image_t* image = nullptr;
  while (const vpx_image_t* next = vpx_codec_get_frame(&codec_, &iterator)) image = next;
  if (!image) return base::Error{base::ErrorCode::kMalformed, name + " frame decoded to no picture"};
  if (image->fmt != VPX_IMG_FMT_I420) {
    return base::Error{base::ErrorCode::kUnsupported, name + " picture not 8-bit 4:2:0 (a profile rtcstack does not negotiate)"};
  }
  I420View view;
  view.width = static_cast<int>(image->d_w);
  view.height = static_cast<int>(image->d_h);
  view.y = image->planes[VPX_PLANE_Y];
  view.u = image->planes[VPX_PLANE_U];
  view.v = image->planes[VPX_PLANE_V];
  view.stride_y = image->stride[VPX_PLANE_Y];
  view.stride_u = image->stride[VPX_PLANE_U];
  view.stride_v = image->stride[VPX_PLANE_V];
  return view;
}

}  // namespace

base::Result<std::unique_ptr<VideoEncoder>> create_vpx_encoder(VideoCodec codec, const VideoEncoderConfig& config) {
  if (codec != VideoCodec::kVp8 && codec != VideoCodec::kVp9) {
    return base::Error{base::ErrorCode::kInvalidArgument, "libvpx codes VP8 and VP9"};
  }
  if (auto checked = detail::check_encoder_config(config); !checked) return checked.error();
  auto encoder = std::make_unique<VpxEncoder>(codec);
  if (auto ready = encoder->init(config); !ready) return ready.error();
  return std::unique_ptr<VideoEncoder>(std::move(encoder));
}

base::Result<std::unique_ptr<VideoDecoder>> create_vpx_decoder(VideoCodec codec) {
  if (codec != VideoCodec::kVp8 && codec != VideoCodec::kVp9) {
    return base::Error{base::ErrorCode::kInvalidArgument, "libvpx codes VP8 and VP9"};
  }
  auto decoder = std::make_unique<VpxDecoder>(codec);
  if (auto ready = decoder->init(); !ready) return ready.error();
  return std::unique_ptr<VideoDecoder>(std::move(decoder));
}

}  // namespace rtcstack::media
