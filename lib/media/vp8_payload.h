// The VP8 RTP payload format (RFC 7741): the payload descriptor in front of every
// packet's data, the VP8 frame header at the start of a frame (RFC 6386 §9.1), a
// packetizer that splits an encoded frame into equal-sized packets and its depacketizer.
// No allocation.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "media/video_payload.h"

namespace rtcstack::media {

/// RFC 7741 §4.2. Optional fields are present when set.
struct Vp8Descriptor {
  bool non_reference = false;       ///< N: no other frame refers to this one
  bool start_of_partition = false;  ///< S: the first packet of a partition
  std::uint8_t partition_index = 0;  ///< PID, 0-7
  std::optional<std::uint16_t> picture_id;  ///< 7 or 15 bits (see long_picture_id)
  bool long_picture_id = true;       ///< M: the picture id is written in 15 bits
  std::optional<std::uint8_t> tl0_pic_index;
  std::optional<std::uint8_t> temporal_id;  ///< TID, 0-3
  bool layer_sync = false;           ///< Y (with TID)
  std::optional<std::uint8_t> key_index;  ///< KEYIDX, 0-31

  /// True for the packet that starts a frame: S set and partition 0.
  bool starts_frame() const { return start_of_partition && partition_index == 0; }
};

/// A descriptor and where the VP8 data starts after it.
struct Vp8PayloadView {
  Vp8Descriptor descriptor;
  base::ByteView data;  ///< the VP8 bytes after the descriptor (may be empty)
};

/// kTruncated when an announced field runs past the payload.
base::Result<Vp8PayloadView> parse_vp8_payload(base::ByteView payload);

/// Bytes write_vp8_descriptor() writes for `descriptor` (1-6).
std::size_t vp8_descriptor_size(const Vp8Descriptor& descriptor);
/// Writes the descriptor at the start of `out` (which must hold vp8_descriptor_size()).
void write_vp8_descriptor(const Vp8Descriptor& descriptor, base::MutableByteView out);

/// The frame header at the start of an encoded VP8 frame (RFC 6386 §9.1), and for key
/// frames their size.
struct Vp8FrameHeader {
  bool key_frame = false;
  std::uint8_t version = 0;
  bool show_frame = false;
  std::uint32_t first_partition_size = 0;
  std::uint16_t width = 0;   ///< key frames only
  std::uint16_t height = 0;  ///< key frames only
};

/// kTruncated for a frame shorter than its header (3 bytes, 10 for a key frame);
/// kMalformed for a key frame without the start code 9d 01 2a.
base::Result<Vp8FrameHeader> parse_vp8_frame_header(base::ByteView frame);

/// Splits each encoded frame of a stream into RTP payloads of at most `max_payload` bytes,
/// each with a descriptor carrying the frame's 15-bit picture id (one more each frame);
/// the payloads are as equal as possible (a small last packet costs the same header for
/// little data).
class Vp8Packetizer final : public VideoPacketizer {
 public:
  explicit Vp8Packetizer(std::uint16_t first_picture_id = 0) : picture_id_(first_picture_id & 0x7FFF) {}
  /// kInvalidArgument for an empty frame or a max_payload too small for the descriptor
  /// and one byte.
  base::Result<void> start(base::ByteView frame, bool key_frame, std::size_t max_payload) override;
  std::optional<base::ByteView> next(base::MutableByteView out) override;
  bool last_was_final() const override { return offset_ == frame_.size(); }
  std::size_t packet_count() const { return packets_; }

 private:
  base::ByteView frame_;
  Vp8Descriptor descriptor_;
  std::uint16_t picture_id_;  // the next frame's
  std::size_t offset_ = 0;
  std::size_t packets_ = 0;
  std::size_t sent_ = 0;
};

/// Reads VP8 payloads back: a frame starts with S set in partition 0, and a key frame is
/// told (with its size) by the VP8 frame header.
class Vp8Depacketizer final : public VideoDepacketizer {
 public:
  base::Result<FrameStart> frame_start(base::ByteView payload) override;
  void begin_frame() override {}
  base::Result<void> append(base::ByteView payload, base::Buffer& frame) override;
  base::Result<FrameInfo> finish(base::Buffer& frame) override;
};

}  // namespace rtcstack::media
