#include "media/vp8_assembler.h"

#include "media/vp8_payload.h"

namespace rtcstack::media {

void Vp8FrameAssembler::drop_current() {
  if (in_frame_) ++dropped_;
  in_frame_ = false;
  chain_intact_ = false;
}

std::optional<AssembledVp8Frame> Vp8FrameAssembler::push(const RtpPacket& packet) {
  const std::uint16_t sequence = packet.sequence_number();
  if (next_sequence_ && sequence != *next_sequence_) {
    // A gap: the packets missing may have held any part of any frame.
    if (in_frame_) frame_broken_ = true;
    chain_intact_ = false;
  }
  next_sequence_ = static_cast<std::uint16_t>(sequence + 1);
  if (packet.payload().empty()) return std::nullopt;  // padding only (bandwidth probing)

  auto payload = parse_vp8_payload(packet.payload());
  if (!payload) {
    ++malformed_;
    if (in_frame_) frame_broken_ = true;
    return std::nullopt;
  }
  if (in_frame_ && packet.timestamp() != timestamp_) drop_current();  // its last packet never came
  if (payload->descriptor.starts_frame()) {
    if (in_frame_) drop_current();
    in_frame_ = true;
    frame_broken_ = false;
    timestamp_ = packet.timestamp();
    picture_id_ = payload->descriptor.picture_id;
    frame_.clear();
  } else if (!in_frame_) {
    chain_intact_ = false;  // the middle of a frame whose start was lost
    return std::nullopt;
  }
  frame_.append(payload->data);
  if (!packet.marker()) return std::nullopt;

  in_frame_ = false;
  const auto header = parse_vp8_frame_header(frame_);
  if (frame_broken_ || !header) {
    ++dropped_;
    chain_intact_ = false;
    return std::nullopt;
  }
  if (header->key_frame) chain_intact_ = true;
  ++completed_;
  AssembledVp8Frame frame;
  frame.bytes = frame_.view();
  frame.timestamp = timestamp_;
  frame.picture_id = picture_id_;
  frame.key_frame = header->key_frame;
  frame.decodable = chain_intact_;
  frame.width = header->width;
  frame.height = header->height;
  return frame;
}

}  // namespace rtcstack::media
