// The VP9 RTP payload format (RFC 9628): the payload descriptor in flexible and
// non-flexible mode with layer indices and the scalability structure (SS), the VP9
// uncompressed header's frame type and size (VP9 bitstream §6.2), a packetizer for a
// single-layer stream in non-flexible mode (as libvpx's realtime encoder makes it) and a
// depacketizer that turns a picture's layer frames back into one superframe (VP9 Annex B)
// for the decoder. No allocation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "media/video_payload.h"

namespace rtcstack::media {

/// The scalability structure (RFC 9628 §4.2.1): spatial layers with their sizes, and the
/// picture groups' temporal layers and references.
struct Vp9ScalabilityStructure {
  static constexpr std::size_t kMaxSpatialLayers = 8;
  static constexpr std::size_t kMaxPictureGroups = 64;
  std::uint8_t spatial_layers = 1;  ///< N_S + 1
  bool has_sizes = false;           ///< Y
  std::array<std::uint16_t, kMaxSpatialLayers> widths{}, heights{};
  bool has_groups = false;          ///< G
  struct Group {
    std::uint8_t temporal_id = 0;
    bool switching_up = false;
    std::uint8_t reference_count = 0;  ///< R, 0-3
    std::array<std::uint8_t, 3> differences{};
  };
  std::uint8_t group_count = 0;  ///< N_G, groups[] holds at most kMaxPictureGroups
  std::array<Group, kMaxPictureGroups> groups{};
};

/// RFC 9628 §4.2. Optional fields are present when set.
struct Vp9Descriptor {
  bool inter_predicted = false;  ///< P: refers to an earlier picture (not an intra frame)
  bool flexible = false;         ///< F
  bool begins_frame = false;     ///< B: the first packet of a layer frame
  bool ends_frame = false;       ///< E: the last packet of a layer frame
  bool not_upswitch_reference = false;  ///< Z
  std::optional<std::uint16_t> picture_id;  ///< 7 or 15 bits (see long_picture_id)
  bool long_picture_id = true;
  /// L: layer indices.
  struct Layers {
    std::uint8_t temporal_id = 0;
    bool switching_up = false;
    std::uint8_t spatial_id = 0;
    bool inter_layer_dependency = false;  ///< D
    std::optional<std::uint8_t> tl0_pic_index;  ///< non-flexible mode only
  };
  std::optional<Layers> layers;
  std::uint8_t reference_count = 0;  ///< flexible mode with P: P_DIFF entries, 1-3
  std::array<std::uint8_t, 3> reference_differences{};
  std::optional<Vp9ScalabilityStructure> scalability;  ///< V

  /// The packet begins a picture: a layer frame's first packet, of the base spatial layer.
  bool starts_picture() const { return begins_frame && (!layers || layers->spatial_id == 0); }
};

struct Vp9PayloadView {
  Vp9Descriptor descriptor;
  base::ByteView data;  ///< the VP9 bytes after the descriptor
};

/// kTruncated when an announced field runs past the payload; kMalformed for a flexible
/// descriptor that refers back with no difference, or more than 3 references.
base::Result<Vp9PayloadView> parse_vp9_payload(base::ByteView payload);
/// Bytes write_vp9_descriptor() writes for `descriptor`.
std::size_t vp9_descriptor_size(const Vp9Descriptor& descriptor);
/// Writes the descriptor at the start of `out` (which must hold vp9_descriptor_size()).
void write_vp9_descriptor(const Vp9Descriptor& descriptor, base::MutableByteView out);

/// The start of a VP9 frame's uncompressed header.
struct Vp9FrameHeader {
  std::uint8_t profile = 0;
  bool show_existing_frame = false;
  bool key_frame = false;
  std::uint16_t width = 0, height = 0;  ///< key frames only
};
/// kTruncated for a frame shorter than its header says; kMalformed without the frame marker
/// or, on a key frame, the sync code 49 83 42.
base::Result<Vp9FrameHeader> parse_vp9_frame_header(base::ByteView frame);

/// Cuts each frame of a single-layer stream into payloads of at most `max_payload` bytes
/// in non-flexible mode: a 15-bit picture id (one more each frame), P on frames that are
/// not key frames, B and E at the frame's edges, and on key frames the scalability
/// structure with the picture's size, as receivers want it.
class Vp9Packetizer final : public VideoPacketizer {
 public:
  explicit Vp9Packetizer(std::uint16_t first_picture_id = 0) : picture_id_(first_picture_id & 0x7FFF) {}
  /// kInvalidArgument for an empty frame, one whose header does not parse, or a
  /// max_payload too small for the descriptor and a byte.
  base::Result<void> start(base::ByteView frame, bool key_frame, std::size_t max_payload) override;
  std::optional<base::ByteView> next(base::MutableByteView out) override;
  bool last_was_final() const override { return offset_ == frame_.size(); }

 private:
  base::ByteView frame_;
  Vp9Descriptor descriptor_;
  std::uint16_t picture_id_;
  std::size_t max_payload_ = 0;
  std::size_t offset_ = 0, packets_ = 0, sent_ = 0;
};

/// Reads VP9 payloads back. A picture is the layer frames of one timestamp; one layer frame
/// goes to the decoder as it is, several (spatial layers) as a superframe with its index.
/// A key frame is a picture whose base layer frame is one.
class Vp9Depacketizer final : public VideoDepacketizer {
 public:
  base::Result<FrameStart> frame_start(base::ByteView payload) override;
  void begin_frame() override;
  base::Result<void> append(base::ByteView payload, base::Buffer& frame) override;
  base::Result<FrameInfo> finish(base::Buffer& frame) override;

 private:
  std::array<std::size_t, Vp9ScalabilityStructure::kMaxSpatialLayers + 1> layer_starts_{};
  std::size_t layer_count_ = 0;
  bool in_layer_ = false;
  std::uint16_t width_ = 0, height_ = 0;  // from this picture's scalability structure
};

}  // namespace rtcstack::media
