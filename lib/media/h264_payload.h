// The H.264 RTP payload format (RFC 6184) in its non-interleaved and single NAL unit modes
// (packetization-mode 1 and 0), as every WebRTC endpoint sends it: single NAL unit packets,
// STAP-A aggregates of small NAL units (SPS and PPS in front of an IDR picture) and FU-A
// fragments of large ones. Frames are Annex B byte streams on both sides, as encoders
// write them and decoders read them. No allocation once the buffers have grown.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "media/video_payload.h"

namespace rtcstack::media {

/// nal_unit_type values (H.264 Table 7-1, RFC 6184 Table 1) that the format acts on.
namespace h264_nal {
inline constexpr std::uint8_t kSlice = 1;
inline constexpr std::uint8_t kIdrSlice = 5;
inline constexpr std::uint8_t kSps = 7;
inline constexpr std::uint8_t kPps = 8;
inline constexpr std::uint8_t kStapA = 24;
inline constexpr std::uint8_t kFuA = 28;
}  // namespace h264_nal

/// Walks the NAL units of an Annex B byte stream: each one without its start code (three
/// or four bytes) and without trailing zero bytes. Bytes before the first start code are
/// not a NAL unit and are skipped.
class AnnexBReader {
 public:
  explicit AnnexBReader(base::ByteView stream, std::size_t offset = 0) : stream_(stream), offset_(offset) {}
  std::optional<base::ByteView> next();
  /// Where the search for the next NAL unit starts.
  std::size_t offset() const { return offset_; }

 private:
  base::ByteView stream_;
  std::size_t offset_ = 0;
};

/// Cuts Annex B frames into RTP payloads. Mode 1: NAL units that fit go whole, consecutive
/// ones aggregated into a STAP-A while it fits; larger ones as FU-A fragments of equal size.
/// Mode 0: every NAL unit whole in its own packet, so each must fit (the encoder's
/// max_nal_size sees to it).
class H264Packetizer final : public VideoPacketizer {
 public:
  explicit H264Packetizer(int packetization_mode = 1) : mode_(packetization_mode) {}
  /// kInvalidArgument for a frame with no NAL unit, or one of a type only RTP uses (0,
  /// 24-31), a max_payload under 3 bytes, or in mode 0 a NAL unit larger than max_payload.
  base::Result<void> start(base::ByteView frame, bool key_frame, std::size_t max_payload) override;
  std::optional<base::ByteView> next(base::MutableByteView out) override;
  bool last_was_final() const override { return final_; }

 private:
  base::ByteView write_fragment(base::MutableByteView out);

  int mode_;
  base::ByteView frame_;
  std::size_t max_payload_ = 0;
  std::size_t reader_offset_ = 0;  // where the next whole NAL unit is looked for
  base::ByteView fragmenting_;     // the NAL unit being sent as FU-A, its header byte included
  std::size_t fragment_offset_ = 0, fragments_left_ = 0;
  bool final_ = false;
};

/// Reads single NAL unit, STAP-A and FU-A payloads back into an Annex B frame. It keeps the
/// stream's last SPS and PPS: an IDR picture that arrives without them (a sender that sends
/// them only at the start, or in a frame of their own) gets them put in front, so that
/// every key frame decodes alone. An IDR picture is a key frame only once both are known.
class H264Depacketizer final : public VideoDepacketizer {
 public:
  base::Result<FrameStart> frame_start(base::ByteView payload) override;
  void begin_frame() override;
  base::Result<void> append(base::ByteView payload, base::Buffer& frame) override;
  base::Result<FrameInfo> finish(base::Buffer& frame) override;

 private:
  void append_nal(base::ByteView nal, base::Buffer& frame);
  void nal_complete(const base::Buffer& frame, std::size_t start);

  base::Buffer sps_, pps_;  // the stream's latest, without start codes
  base::Buffer scratch_;    // where a frame is rebuilt with parameter sets in front
  bool in_fragment_ = false;
  std::size_t fragment_start_ = 0;  // where the NAL unit being reassembled begins in the frame
  bool frame_sps_ = false, frame_pps_ = false, frame_idr_ = false, frame_picture_ = false;
};

}  // namespace rtcstack::media
