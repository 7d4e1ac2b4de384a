#include "media/h264_codec.h"

#include <wels/codec_api.h>

#include <string>
#include <vector>

namespace rtcstack::media {
namespace {

class H264Encoder final : public VideoEncoder {
 public:
  H264Encoder() = default;
  H264Encoder(const H264Encoder&) = delete;
  H264Encoder& operator=(const H264Encoder&) = delete;
  ~H264Encoder() override {
    if (!encoder_) return;
    encoder_->Uninitialize();
    WelsDestroySVCEncoder(encoder_);
  }

  base::Result<void> init(const VideoEncoderConfig& config) {
    if (WelsCreateSVCEncoder(&encoder_) != 0 || !encoder_) {
      encoder_ = nullptr;
      return base::Error{base::ErrorCode::kInternal, "OpenH264 could not create an encoder"};
    }
    int quiet = WELS_LOG_QUIET;
    encoder_->SetOption(ENCODER_OPTION_TRACE_LEVEL, &quiet);
    SEncParamExt params{};
    encoder_->GetDefaultParams(&params);
    params.iUsageType = CAMERA_VIDEO_REAL_TIME;
    params.iPicWidth = config.width;
    params.iPicHeight = config.height;
    params.iTargetBitrate = config.bitrate_kbps * 1000;
    params.iMaxBitrate = UNSPECIFIED_BIT_RATE;
    params.iRCMode = RC_BITRATE_MODE;
    params.fMaxFrameRate = static_cast<float>(config.fps);
    params.bEnableFrameSkip = false;  // as libvpx here: rate control by quantizer, every frame out
    params.uiIntraPeriod = static_cast<unsigned>(config.key_frame_interval);
    params.iMultipleThreadIdc = 1;
    params.iSpatialLayerNum = 1;
    params.iTemporalLayerNum = 1;
    params.iEntropyCodingModeFlag = 0;  // CAVLC: Constrained Baseline
    params.eSpsPpsIdStrategy = CONSTANT_ID;  // a receiver that missed an IDR keeps its parameter sets valid
    params.bPrefixNalAddingCtrl = false;
    params.bEnableDenoise = false;
    params.bEnableBackgroundDetection = false;
    params.bEnableSceneChangeDetect = false;  // key frames only when asked (PLI), as WebRTC expects
    params.iComplexityMode = LOW_COMPLEXITY;
    SSpatialLayerConfig& layer = params.sSpatialLayers[0];
    layer.iVideoWidth = config.width;
    layer.iVideoHeight = config.height;
    layer.fFrameRate = params.fMaxFrameRate;
    layer.iSpatialBitrate = params.iTargetBitrate;
    layer.iMaxSpatialBitrate = UNSPECIFIED_BIT_RATE;
    layer.uiProfileIdc = PRO_BASELINE;
    // One slice a picture, which the RTP packetizer fragments (FU-A); or, for
    // packetization-mode 0, where every NAL unit travels whole, slices that fit a payload.
    layer.sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
    if (config.max_nal_size > 0) {
      layer.sSliceArgument.uiSliceMode = SM_SIZELIMITED_SLICE;
      layer.sSliceArgument.uiSliceSizeConstraint = static_cast<unsigned>(config.max_nal_size);
      params.uiMaxNalSize = static_cast<unsigned>(config.max_nal_size);
    }
    if (encoder_->InitializeExt(&params) != 0) {
      return base::Error{base::ErrorCode::kInternal, "OpenH264 refused the encoder configuration"};
    }
    int format = videoFormatI420;
    encoder_->SetOption(ENCODER_OPTION_DATAFORMAT, &format);
    width_ = config.width;
    height_ = config.height;
    return {};
  }

  base::Result<std::optional<EncodedFrame>> encode(const I420View& picture, std::uint32_t timestamp_90k,
                                                   bool force_key_frame) override {
    if (picture.width != width_ || picture.height != height_) {
      return base::Error{base::ErrorCode::kInvalidArgument, "the picture's size is not the encoder's"};
    }
    if (force_key_frame) encoder_->ForceIntraFrame(true);
    SSourcePicture source{};
    source.iColorFormat = videoFormatI420;
    source.iPicWidth = width_;
    source.iPicHeight = height_;
    source.iStride[0] = picture.stride_y;
    source.iStride[1] = picture.stride_u;
    source.iStride[2] = picture.stride_v;
    source.pData[0] = const_cast<std::uint8_t*>(picture.y);
    source.pData[1] = const_cast<std::uint8_t*>(picture.u);
    source.pData[2] = const_cast<std::uint8_t*>(picture.v);
    source.uiTimeStamp = timestamp_90k / 90;  // milliseconds
    SFrameBSInfo info{};
    if (encoder_->EncodeFrame(&source, &info) != cmResultSuccess) {
      return base::Error{base::ErrorCode::kInternal, "OpenH264 failed to encode a picture"};
    }
    if (info.eFrameType == videoFrameTypeSkip || info.eFrameType == videoFrameTypeInvalid) {
      return std::optional<EncodedFrame>();
    }
    // The layers' NAL units, each with its start code, are consecutive in one stream.
    output_.clear();
    for (int i = 0; i < info.iLayerNum; ++i) {
      const SLayerBSInfo& layer = info.sLayerInfo[i];
      std::size_t size = 0;
      for (int n = 0; n < layer.iNalCount; ++n) size += static_cast<std::size_t>(layer.pNalLengthInByte[n]);
      output_.insert(output_.end(), layer.pBsBuf, layer.pBsBuf + size);
    }
    return std::optional<EncodedFrame>(EncodedFrame{{output_.data(), output_.size()}, info.eFrameType == videoFrameTypeIDR});
  }

  base::Result<void> set_bitrate(int bitrate_kbps) override {
    SBitrateInfo bitrate{};
    bitrate.iLayer = SPATIAL_LAYER_ALL;
    bitrate.iBitrate = bitrate_kbps * 1000;
    if (encoder_->SetOption(ENCODER_OPTION_BITRATE, &bitrate) != cmResultSuccess) {
      return base::Error{base::ErrorCode::kInternal, "OpenH264 refused the bitrate"};
    }
    return {};
  }

 private:
  ISVCEncoder* encoder_ = nullptr;
  std::vector<std::uint8_t> output_;  // reused: grows to the largest frame once
  int width_ = 0, height_ = 0;
};

class H264Decoder final : public VideoDecoder {
 public:
  H264Decoder() = default;
  H264Decoder(const H264Decoder&) = delete;
  H264Decoder& operator=(const H264Decoder&) = delete;
  ~H264Decoder() override {
    if (!decoder_) return;
    decoder_->Uninitialize();
    WelsDestroyDecoder(decoder_);
  }

  base::Result<void> init() {
    if (WelsCreateDecoder(&decoder_) != 0 || !decoder_) {
      decoder_ = nullptr;
      return base::Error{base::ErrorCode::kInternal, "OpenH264 could not create a decoder"};
    }
    int quiet = WELS_LOG_QUIET;
    decoder_->SetOption(DECODER_OPTION_TRACE_LEVEL, &quiet);
    SDecodingParam params{};
    // No concealment: a frame whose reference is gone is an error, and the receiver asks
    // for a key frame, as with VP8.
    params.eEcActiveIdc = ERROR_CON_DISABLE;
    params.sVideoProperty.size = sizeof(params.sVideoProperty);
    params.sVideoProperty.eVideoBsType = VIDEO_BITSTREAM_AVC;
    if (decoder_->Initialize(&params) != 0) {
      return base::Error{base::ErrorCode::kInternal, "OpenH264 refused the decoder configuration"};
    }
    return {};
  }

  base::Result<I420View> decode(base::ByteView frame) override {
    if (frame.empty()) return base::Error{base::ErrorCode::kMalformed, "an empty H.264 frame"};
    unsigned char* planes[3] = {nullptr, nullptr, nullptr};
    SBufferInfo info{};
    const DECODING_STATE state =
        decoder_->DecodeFrameNoDelay(frame.data(), static_cast<int>(frame.size()), planes, &info);
    if (state != dsErrorFree) {
      return base::Error{base::ErrorCode::kMalformed, "H.264 frame rejected (OpenH264 state " + std::to_string(state) + ")"};
    }
    if (info.iBufferStatus != 1) return base::Error{base::ErrorCode::kMalformed, "H.264 frame decoded to no picture"};
    I420View view;
    view.width = info.UsrData.sSystemBuffer.iWidth;
    view.height = info.UsrData.sSystemBuffer.iHeight;
    view.y = planes[0];
    view.u = planes[1];
    view.v = planes[2];
    view.stride_y = info.UsrData.sSystemBuffer.iStride[0];
    view.stride_u = view.stride_v = info.UsrData.sSystemBuffer.iStride[1];
    return view;
  }

 private:
  ISVCDecoder* decoder_ = nullptr;
};

}  // namespace

base::Result<std::unique_ptr<VideoEncoder>> create_h264_encoder(const VideoEncoderConfig& config) {
  if (auto checked = detail::check_encoder_config(config); !checked) return checked.error();
  auto encoder = std::make_unique<H264Encoder>();
  if (auto ready = encoder->init(config); !ready) return ready.error();
  return std::unique_ptr<VideoEncoder>(std::move(encoder));
}

base::Result<std::unique_ptr<VideoDecoder>> create_h264_decoder() {
  auto decoder = std::make_unique<H264Decoder>();
  if (auto ready = decoder->init(); !ready) return ready.error();
  return std::unique_ptr<VideoDecoder>(std::move(decoder));
}

}  // namespace rtcstack::media
