package main

// VP8 and Opus for the media scenario. Pion carries media but codes none, and Debian has
// no Go codec package, so these call libvpx and libopus (the libraries rtcstack's
// lib/media uses) with the settings of rtcstack's media::Vp8Encoder and
// media::OpusAudioEncoder, so that both stacks spend the same on coding.

/*
#cgo pkg-config: vpx opus
#include <stdlib.h>
#include <string.h>
#include <opus/opus.h>
#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

static vpx_codec_ctx_t* vp8_encoder(int width, int height, int kbps) {
  vpx_codec_enc_cfg_t cfg;
  if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &cfg, 0) != VPX_CODEC_OK) return NULL;
  cfg.g_w = width;
  cfg.g_h = height;
  cfg.g_timebase.num = 1;
  cfg.g_timebase.den = 90000;
  cfg.g_threads = 1;
  cfg.g_lag_in_frames = 0;
  cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
  cfg.g_pass = VPX_RC_ONE_PASS;
  cfg.rc_end_usage = VPX_CBR;
  cfg.rc_target_bitrate = kbps;
  cfg.rc_min_quantizer = 2;
  cfg.rc_max_quantizer = 56;
  cfg.rc_undershoot_pct = 100;
  cfg.rc_overshoot_pct = 15;
  cfg.rc_buf_initial_sz = 500;
  cfg.rc_buf_optimal_sz = 600;
  cfg.rc_buf_sz = 1000;
  cfg.rc_dropframe_thresh = 0;
  cfg.kf_mode = VPX_KF_AUTO;
  cfg.kf_max_dist = 3000;
  vpx_codec_ctx_t* codec = malloc(sizeof *codec);
  if (codec == NULL || vpx_codec_enc_init(codec, vpx_codec_vp8_cx(), &cfg, 0) != VPX_CODEC_OK) {
    free(codec);
    return NULL;
  }
  vpx_codec_control(codec, VP8E_SET_CPUUSED, -6);
  vpx_codec_control(codec, VP8E_SET_NOISE_SENSITIVITY, 0);
  vpx_codec_control(codec, VP8E_SET_STATIC_THRESHOLD, 1);
  vpx_codec_control(codec, VP8E_SET_TOKEN_PARTITIONS, VP8_ONE_TOKENPARTITION);
  return codec;
}

// One I420 picture in, its frame into out; the frame's size, 0 for none, -1 on error.
static int vp8_encode(vpx_codec_ctx_t* codec, unsigned char* i420, int width, int height, long pts, int key,
                      unsigned char* out, int capacity) {
  vpx_image_t image;
  vpx_img_wrap(&image, VPX_IMG_FMT_I420, width, height, 1, i420);
  if (vpx_codec_encode(codec, &image, pts, 3000, key ? VPX_EFLAG_FORCE_KF : 0, VPX_DL_REALTIME) != VPX_CODEC_OK) return -1;
  int size = 0;
  vpx_codec_iter_t iter = NULL;
  const vpx_codec_cx_pkt_t* packet;
  while ((packet = vpx_codec_get_cx_data(codec, &iter)) != NULL) {
    if (packet->kind != VPX_CODEC_CX_FRAME_PKT) continue;
    if (size + (int)packet->data.frame.sz > capacity) return -1;
    memcpy(out + size, packet->data.frame.buf, packet->data.frame.sz);
    size += (int)packet->data.frame.sz;
  }
  return size;
}

// Congestion control's target, in kbit/s, for the frames after this call.
static int vp8_set_bitrate(vpx_codec_ctx_t* codec, int kbps) {
  vpx_codec_enc_cfg_t cfg = *codec->config.enc;
  cfg.rc_target_bitrate = kbps;
  return vpx_codec_enc_config_set(codec, &cfg) == VPX_CODEC_OK ? 0 : -1;
}

static vpx_codec_ctx_t* vp8_decoder(void) {
  vpx_codec_ctx_t* codec = malloc(sizeof *codec);
  vpx_codec_dec_cfg_t cfg = {1, 0, 0};
  if (codec == NULL || vpx_codec_dec_init(codec, vpx_codec_vp8_dx(), &cfg, 0) != VPX_CODEC_OK) {
    free(codec);
    return NULL;
  }
  return codec;
}

// Pictures decoded from one frame, -1 on error.
static int vp8_decode(vpx_codec_ctx_t* codec, const unsigned char* frame, int size) {
  if (vpx_codec_decode(codec, frame, (unsigned)size, NULL, 0) != VPX_CODEC_OK) return -1;
  vpx_codec_iter_t iter = NULL;
  int pictures = 0;
  while (vpx_codec_get_frame(codec, &iter) != NULL) ++pictures;
  return pictures;
}

// opus_encoder_ctl is variadic, which cgo cannot call.
static OpusEncoder* opus_voice_encoder(int channels, int bitrate) {
  int error = 0;
  OpusEncoder* encoder = opus_encoder_create(48000, channels, OPUS_APPLICATION_VOIP, &error);
  if (encoder == NULL) return NULL;
  opus_encoder_ctl(encoder, OPUS_SET_BITRATE(bitrate));
  return encoder;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

type vp8Encoder struct {
	codec         *C.vpx_codec_ctx_t
	width, height int
	out           []byte
}

func newVP8Encoder(width, height, kbps int) (*vp8Encoder, error) {
	codec := C.vp8_encoder(C.int(width), C.int(height), C.int(kbps))
	if codec == nil {
		return nil, errors.New("libvpx: no VP8 encoder")
	}
	return &vp8Encoder{codec: codec, width: width, height: height, out: make([]byte, 1<<20)}, nil
}

// encode returns the frame of an I420 picture; valid until the next call.
func (e *vp8Encoder) encode(i420 []byte, pts int64, key bool) ([]byte, error) {
	force := C.int(0)
	if key {
		force = 1
	}
	n := C.vp8_encode(e.codec, (*C.uchar)(unsafe.Pointer(&i420[0])), C.int(e.width), C.int(e.height), C.long(pts), force,
		(*C.uchar)(unsafe.Pointer(&e.out[0])), C.int(len(e.out)))
	if n < 0 {
		return nil, errors.New("libvpx: encoding failed")
	}
	return e.out[:n], nil
}

// setBitrate follows congestion control from the next frame on.
func (e *vp8Encoder) setBitrate(kbps int) error {
	if C.vp8_set_bitrate(e.codec, C.int(kbps)) != 0 {
		return errors.New("libvpx: the bitrate was refused")
	}
	return nil
}

type vp8Decoder struct{ codec *C.vpx_codec_ctx_t }

func newVP8Decoder() (*vp8Decoder, error) {
	codec := C.vp8_decoder()
	if codec == nil {
		return nil, errors.New("libvpx: no VP8 decoder")
	}
	return &vp8Decoder{codec}, nil
}

// decode returns how many pictures the frame gave (0 or 1), or -1 when it did not decode.
func (d *vp8Decoder) decode(frame []byte) int {
	if len(frame) == 0 {
		return -1
	}
	return int(C.vp8_decode(d.codec, (*C.uchar)(unsafe.Pointer(&frame[0])), C.int(len(frame))))
}

type opusEncoder struct {
	encoder *C.OpusEncoder
	out     []byte
}

func newOpusEncoder(channels, bitrate int) (*opusEncoder, error) {
	encoder := C.opus_voice_encoder(C.int(channels), C.int(bitrate))
	if encoder == nil {
		return nil, errors.New("libopus: no encoder")
	}
	return &opusEncoder{encoder: encoder, out: make([]byte, 1500)}, nil
}

// encode codes one 20 ms frame of interleaved samples; the packet is valid until the next call.
func (e *opusEncoder) encode(pcm []int16, samplesPerChannel int) ([]byte, error) {
	n := C.opus_encode(e.encoder, (*C.opus_int16)(unsafe.Pointer(&pcm[0])), C.int(samplesPerChannel),
		(*C.uchar)(unsafe.Pointer(&e.out[0])), C.opus_int32(len(e.out)))
	if n < 0 {
		return nil, errors.New("libopus: encoding failed")
	}
	return e.out[:n], nil
}

type opusDecoder struct {
	decoder *C.OpusDecoder
	pcm     []int16
}

func newOpusDecoder(channels int) (*opusDecoder, error) {
	var status C.int
	decoder := C.opus_decoder_create(48000, C.int(channels), &status)
	if decoder == nil {
		return nil, errors.New("libopus: no decoder")
	}
	return &opusDecoder{decoder: decoder, pcm: make([]int16, 5760*channels)}, nil
}

// decode returns the samples per channel the packet gave, or -1.
func (d *opusDecoder) decode(packet []byte) int {
	if len(packet) == 0 {
		return -1
	}
	return int(C.opus_decode(d.decoder, (*C.uchar)(unsafe.Pointer(&packet[0])), C.opus_int32(len(packet)),
		(*C.opus_int16)(unsafe.Pointer(&d.pcm[0])), 5760, 0))
}
