#include "media/frame_assembler.h"

namespace rtcstack::media {

void FrameAssembler::drop_current() {
  if (in_frame_) ++dropped_;
  in_frame_ = false;
  chain_intact_ = false;
}

void FrameAssembler::begin(std::uint32_t timestamp, bool broken) {
  if (in_frame_) drop_current();
  in_frame_ = true;
  frame_broken_ = broken;
  timestamp_ = timestamp;
  frame_.clear();
  depacketizer_->begin_frame();
}

std::optional<AssembledFrame> FrameAssembler::push(const RtpPacket& packet) {
  const std::uint16_t sequence = packet.sequence_number();
  const bool gap = next_sequence_ && sequence != *next_sequence_;
  if (gap) {
    // The packets missing may have held any part of any frame.
    if (in_frame_) frame_broken_ = true;
    chain_intact_ = false;
  }
  next_sequence_ = static_cast<std::uint16_t>(sequence + 1);
  after_gap_ = after_gap_ || gap;
  if (packet.payload().empty()) return std::nullopt;  // padding only (bandwidth probing)
  const bool follows_gap = after_gap_, follows_marker = after_marker_;
  after_gap_ = false;
  after_marker_ = packet.marker();

  auto start = depacketizer_->frame_start(packet.payload());
  if (!start) {
    ++malformed_;
    if (in_frame_) frame_broken_ = true;
    return std::nullopt;
  }
  if (in_frame_ && packet.timestamp() != timestamp_) drop_current();  // its last packet never came
  switch (*start) {
    case FrameStart::kStarts: begin(packet.timestamp(), false); break;
    case FrameStart::kUnknown:
      // The first packet after a marker, or of a new timestamp, begins a frame; whether it
      // is the frame's first is certain only when nothing went missing just before it.
      if (!in_frame_ || follows_marker) begin(packet.timestamp(), follows_gap);
      break;
    case FrameStart::kContinues: break;
  }
  if (!in_frame_) {
    chain_intact_ = false;  // the middle of a frame whose start was lost
    return std::nullopt;
  }
  if (auto appended = depacketizer_->append(packet.payload(), frame_); !appended) {
    ++malformed_;
    frame_broken_ = true;
  }
  if (!packet.marker()) return std::nullopt;

  in_frame_ = false;
  std::optional<FrameInfo> info;
  if (!frame_broken_) {
    if (auto finished = depacketizer_->finish(frame_)) info = *finished;
  }
  if (!info) {
    ++dropped_;
    chain_intact_ = false;
    return std::nullopt;
  }
  if (info->key_frame) chain_intact_ = true;
  ++completed_;
  AssembledFrame frame;
  frame.bytes = frame_.view();
  frame.timestamp = timestamp_;
  frame.key_frame = info->key_frame;
  frame.decodable = chain_intact_;
  frame.width = info->width;
  frame.height = info->height;
  return frame;
}

}  // namespace rtcstack::media
