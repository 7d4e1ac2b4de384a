#include "media/av1_codec.h"

#include <aom/aom_encoder.h>
#include <aom/aomcx.h>
#include <dav1d/dav1d.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace rtcstack::media {
namespace {

class Av1Encoder final : public VideoEncoder {
 public:
  Av1Encoder() = default;
  Av1Encoder(const Av1Encoder&) = delete;
  Av1Encoder& operator=(const Av1Encoder&) = delete;
  ~Av1Encoder() override {
    if (initialised_) aom_codec_destroy(&codec_);
  }

  base::Result<void> init(const VideoEncoderConfig& config) {
    if (aom_codec_enc_config_default(aom_codec_av1_cx(), &config_, AOM_USAGE_REALTIME) != AOM_CODEC_OK) {
      return base::Error{base::ErrorCode::kInternal, "libaom has no realtime AV1 configuration"};
    }
    config_.g_w = static_cast<unsigned>(config.width);
    config_.g_h = static_cast<unsigned>(config.height);
    config_.g_timebase = {1, 90000};  // RTP's video clock
    config_.g_threads = 1;
    config_.g_lag_in_frames = 0;  // a temporal unit out for every picture in
    config_.g_pass = AOM_RC_ONE_PASS;
    config_.rc_end_usage = AOM_CBR;
    config_.rc_target_bitrate = static_cast<unsigned>(config.bitrate_kbps);
    config_.rc_min_quantizer = 10;
    config_.rc_max_quantizer = 56;
    config_.rc_undershoot_pct = 50;
    config_.rc_overshoot_pct = 50;
    config_.rc_buf_initial_sz = 600;
    config_.rc_buf_optimal_sz = 600;
    config_.rc_buf_sz = 1000;
    config_.rc_dropframe_thresh = 0;
    config_.kf_mode = AOM_KF_AUTO;
    config_.kf_max_dist = static_cast<unsigned>(config.key_frame_interval);
    if (aom_codec_enc_init(&codec_, aom_codec_av1_cx(), &config_, 0) != AOM_CODEC_OK) {
      return base::Error{base::ErrorCode::kInternal, std::string("libaom encoder init: ") + aom_codec_error(&codec_)};
    }
    initialised_ = true;
    // Realtime AV1 as WebRTC runs it: the fastest speed, cyclic-refresh quantization, CDEF on.
    aom_codec_control(&codec_, AOME_SET_CPUUSED, 10);
    aom_codec_control(&codec_, AV1E_SET_AQ_MODE, 3);
    aom_codec_control(&codec_, AV1E_SET_ENABLE_CDEF, 1);
    frame_duration_ = static_cast<unsigned long>(90000 / config.fps);
    return {};
  }

  base::Result<std::optional<EncodedFrame>> encode(const I420View& picture, std::uint32_t timestamp_90k,
                                                   bool force_key_frame) override {
    if (picture.width != static_cast<int>(config_.g_w) || picture.height != static_cast<int>(config_.g_h)) {
      return base::Error{base::ErrorCode::kInvalidArgument, "the picture's size is not the encoder's"};
    }
    aom_image_t image{};
    aom_img_wrap(&image, AOM_IMG_FMT_I420, config_.g_w, config_.g_h, 1, const_cast<std::uint8_t*>(picture.y));
    image.planes[AOM_PLANE_Y] = const_cast<std::uint8_t*>(picture.y);
    image.planes[AOM_PLANE_U] = const_cast<std::uint8_t*>(picture.u);
    image.planes[AOM_PLANE_V] = const_cast<std::uint8_t*>(picture.v);
    image.stride[AOM_PLANE_Y] = picture.stride_y;
    image.stride[AOM_PLANE_U] = picture.stride_u;
    image.stride[AOM_PLANE_V] = picture.stride_v;
    const aom_enc_frame_flags_t flags = force_key_frame ? AOM_EFLAG_FORCE_KF : 0;
    if (aom_codec_encode(&codec_, &image, timestamp_90k, frame_duration_, flags) != AOM_CODEC_OK) {
      return base::Error{base::ErrorCode::kInternal, std::string("libaom encode: ") + aom_codec_error(&codec_)};
    }
    std::optional<EncodedFrame> frame;
    aom_codec_iter_t iterator = nullptr;
    while (const aom_codec_cx_pkt_t* packet = aom_codec_get_cx_data(&codec_, &iterator)) {
      if (packet->kind != AOM_CODEC_CX_FRAME_PKT) continue;
      // No lag: one temporal unit per encode() call.
      frame = EncodedFrame{{static_cast<const std::uint8_t*>(packet->data.frame.buf), packet->data.frame.sz},
                           (packet->data.frame.flags & AOM_FRAME_IS_KEY) != 0};
    }
    return frame;
  }

  base::Result<void> set_bitrate(int bitrate_kbps) override {
    config_.rc_target_bitrate = static_cast<unsigned>(bitrate_kbps);
    if (aom_codec_enc_config_set(&codec_, &config_) != AOM_CODEC_OK) {
      return base::Error{base::ErrorCode::kInternal, std::string("libaom bitrate: ") + aom_codec_error(&codec_)};
    }
    return {};
  }

 private:
  aom_codec_ctx_t codec_{};
  aom_codec_enc_cfg_t config_{};
  unsigned long frame_duration_ = 3000;
  bool initialised_ = false;
};

class Av1Decoder final : public VideoDecoder {
 public:
  Av1Decoder() = default;
  Av1Decoder(const Av1Decoder&) = delete;
  Av1Decoder& operator=(const Av1Decoder&) = delete;
  ~Av1Decoder() override {
    dav1d_picture_unref(&picture_);
    if (context_) dav1d_close(&context_);
  }

  base::Result<void> init() {
    Dav1dSettings settings;
    dav1d_default_settings(&settings);
    settings.n_threads = 1;
    settings.max_frame_delay = 1;  // low latency: the picture of a temporal unit at once
    settings.logger.callback = nullptr;
    if (dav1d_open(&context_, &settings) != 0) return base::Error{base::ErrorCode::kInternal, "dav1d could not open a decoder"};
    return {};
  }

  base::Result<I420View> decode(base::ByteView frame) override {
    if (frame.empty()) return base::Error{base::ErrorCode::kMalformed, "an empty AV1 temporal unit"};
    dav1d_picture_unref(&picture_);  // the last picture handed out is done with
    // dav1d keeps its input until it is decoded: a copy it owns.
    Dav1dData data{};
    std::uint8_t* bytes = dav1d_data_create(&data, frame.size());
    if (!bytes) return base::Error{base::ErrorCode::kResourceExhausted, "dav1d could not hold the temporal unit"};
    std::memcpy(bytes, frame.data(), frame.size());
    int sent = dav1d_send_data(context_, &data);
    if (sent < 0 && sent != DAV1D_ERR(EAGAIN)) {
      dav1d_data_unref(&data);
      return base::Error{base::ErrorCode::kMalformed, "AV1 temporal unit rejected by dav1d (" + std::to_string(sent) + ")"};
    }
    const int got = dav1d_get_picture(context_, &picture_);
    if (data.sz > 0) {
      // Not all taken before a picture was due: the rest goes in now.
      sent = dav1d_send_data(context_, &data);
      dav1d_data_unref(&data);
      if (sent < 0 && sent != DAV1D_ERR(EAGAIN)) {
        return base::Error{base::ErrorCode::kMalformed, "AV1 temporal unit rejected by dav1d (" + std::to_string(sent) + ")"};
      }
    }
    if (got < 0) return base::Error{base::ErrorCode::kMalformed, "AV1 temporal unit decoded to no picture"};
    if (picture_.p.layout != DAV1D_PIXEL_LAYOUT_I420 || picture_.p.bpc != 8) {
      return base::Error{base::ErrorCode::kUnsupported, "AV1 picture not 8-bit 4:2:0 (a profile rtcstack does not negotiate)"};
    }
    I420View view;
    view.width = picture_.p.w;
    view.height = picture_.p.h;
    view.y = static_cast<const std::uint8_t*>(picture_.data[0]);
    view.u = static_cast<const std::uint8_t*>(picture_.data[1]);
    view.v = static_cast<const std::uint8_t*>(picture_.data[2]);
    view.stride_y = static_cast<int>(picture_.stride[0]);
    view.stride_u = view.stride_v = static_cast<int>(picture_.stride[1]);
    return view;
  }

 private:
  Dav1dContext* context_ = nullptr;
  Dav1dPicture picture_{};
};

}  // namespace

base::Result<std::unique_ptr<VideoEncoder>> create_av1_encoder(const VideoEncoderConfig& config) {
  if (auto checked = detail::check_encoder_config(config); !checked) return checked.error();
  auto encoder = std::make_unique<Av1Encoder>();
  if (auto ready = encoder->init(config); !ready) return ready.error();
  return std::unique_ptr<VideoEncoder>(std::move(encoder));
}

base::Result<std::unique_ptr<VideoDecoder>> create_av1_decoder() {
  auto decoder = std::make_unique<Av1Decoder>();
  if (auto ready = decoder->init(); !ready) return ready.error();
  return std::unique_ptr<VideoDecoder>(std::move(decoder));
}

}  // namespace rtcstack::media
