// The AV1 RTP payload format (AOM's "RTP Payload Format For AV1"): an aggregation header
// (Z: the first element continues an OBU; Y: the last one goes on in the next packet; W:
// how many elements, 0 meaning each has a length; N: a new coded video sequence) in front
// of OBU elements, which are OBUs without their size fields. Temporal delimiters, tile
// lists and padding are not sent. The receiver puts the size fields back, so a temporal
// unit reaches the decoder as AV1's low-overhead bitstream. No allocation once grown.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "media/video_payload.h"

namespace rtcstack::media {

/// obu_type values (AV1 §6.2.2) the format acts on.
namespace av1_obu {
inline constexpr std::uint8_t kSequenceHeader = 1;
inline constexpr std::uint8_t kTemporalDelimiter = 2;
inline constexpr std::uint8_t kTileList = 8;
inline constexpr std::uint8_t kPadding = 15;
}  // namespace av1_obu

/// One OBU of a low-overhead bitstream.
struct Av1Obu {
  std::uint8_t type = 0;
  base::ByteView header;   ///< the header byte and, when present, the extension byte
  base::ByteView payload;  ///< after the size field
};

/// Walks the OBUs of a temporal unit (each with its size field, or the last without).
/// kMalformed for a forbidden bit, a size past the end, or a leb128 over 8 bytes.
class Av1ObuReader {
 public:
  explicit Av1ObuReader(base::ByteView stream, std::size_t offset = 0) : stream_(stream), offset_(offset) {}
  /// The next OBU, nothing at the end, or the error that stops the walk.
  base::Result<std::optional<Av1Obu>> next();
  std::size_t offset() const { return offset_; }

 private:
  base::ByteView stream_;
  std::size_t offset_;
};

/// Cuts temporal units into payloads of at most `max_payload` bytes: OBU elements each
/// with its length (W = 0), an element that does not fit cut where the packet ends (Y, then
/// Z in the next), N on the first packet of a key frame.
class Av1Packetizer final : public VideoPacketizer {
 public:
  /// kInvalidArgument for a temporal unit with no OBU to send or that does not parse, or
  /// a max_payload under 3 bytes.
  base::Result<void> start(base::ByteView frame, bool key_frame, std::size_t max_payload) override;
  std::optional<base::ByteView> next(base::MutableByteView out) override;
  bool last_was_final() const override { return done_; }

 private:
  bool load_next_obu();  // the next OBU that is sent into element_*, false at the end

  base::ByteView frame_;
  std::size_t max_payload_ = 0;
  std::size_t reader_offset_ = 0;
  std::array<std::uint8_t, 2> element_header_{};  // the OBU header without obu_has_size_field
  std::size_t element_header_size_ = 0;
  base::ByteView element_payload_;
  std::size_t element_sent_ = 0;  // bytes of the element already in packets
  bool key_frame_ = false, first_packet_ = true, done_ = true;
};

/// Reads AV1 payloads back into a temporal unit with size fields. A temporal unit starts
/// with a packet whose first element does not continue an OBU; it is a key frame when
/// that packet has N set (a new coded video sequence starts with a key frame).
class Av1Depacketizer final : public VideoDepacketizer {
 public:
  base::Result<FrameStart> frame_start(base::ByteView payload) override;
  void begin_frame() override;
  base::Result<void> append(base::ByteView payload, base::Buffer& frame) override;
  base::Result<FrameInfo> finish(base::Buffer& frame) override;

 private:
  base::Result<void> complete_obu(base::Buffer& frame);

  base::Buffer obu_;  // the OBU element being reassembled across packets
  bool in_fragment_ = false, first_packet_ = true, new_sequence_ = false;
  std::size_t obus_ = 0;
};

}  // namespace rtcstack::media
