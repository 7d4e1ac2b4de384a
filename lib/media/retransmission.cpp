#include "media/retransmission.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "base/endian.h"

namespace rtcstack::media {
namespace {

// The header of `packet` with the given fields replaced; extensions and CSRCs kept.
template <typename Write>
base::Result<base::ByteView> rewrite(const RtpPacket& packet, std::uint8_t payload_type, std::uint32_t ssrc,
                                     std::uint16_t sequence, Write&& write_payload, std::size_t payload_size,
                                     base::MutableByteView out, RidRename rename) {
  std::array<std::uint32_t, kMaxCsrcs> csrcs{};
  for (std::size_t i = 0; i < packet.csrc_count(); ++i) csrcs[i] = packet.csrc(i);
  std::array<HeaderExtension, 32> extensions{};
  std::size_t count = 0;
  HeaderExtensionIterator elements = packet.extensions();
  while (auto element = elements.next()) {
    if (count == extensions.size()) {
      return base::Error{base::ErrorCode::kResourceExhausted, "more than 32 header extensions to carry over"};
    }
    HeaderExtension extension = *element;
    if (rename.from != 0 && extension.id == rename.from) {
      if (rename.to == 0) continue;
      extension.id = rename.to;
    }
    extensions[count++] = extension;
  }
  RtpHeader header;
  header.marker = packet.marker();
  header.payload_type = payload_type;
  header.sequence_number = sequence;
  header.timestamp = packet.timestamp();
  header.ssrc = ssrc;
  header.csrcs = {csrcs.data(), packet.csrc_count()};
  header.extensions = {extensions.data(), count};
  const std::size_t header_size = rtp_header_size(header);
  if (header_size + payload_size > out.size()) {
    return base::Error{base::ErrorCode::kResourceExhausted, "the packet does not fit the buffer"};
  }
  // Write the payload at its final place first, then the header in front of it.
  write_payload(out.data() + header_size);
  return write_rtp(header, {out.data() + header_size, payload_size}, out);
}

}  // namespace

RetransmissionBuffer::RetransmissionBuffer(std::size_t capacity, std::size_t max_packet, base::Duration max_age,
                                           base::ByteBudget* budget)
    : slots_(std::max<std::size_t>(capacity, 1)),
      chunks_((slots_.size() + kSlotsPerChunk - 1) / kSlotsPerChunk),
      max_packet_(max_packet),
      max_age_(max_age),
      budget_(budget) {}

RetransmissionBuffer::~RetransmissionBuffer() {
  if (budget_ != nullptr) budget_->give_back(allocated_bytes());
}

std::uint8_t* RetransmissionBuffer::slot_bytes(std::size_t index) const {
  const auto& chunk = chunks_[index / kSlotsPerChunk];
  return chunk ? chunk.get() + (index % kSlotsPerChunk) * max_packet_ : nullptr;
}

std::size_t RetransmissionBuffer::allocated_bytes() const {
  return static_cast<std::size_t>(std::count_if(chunks_.begin(), chunks_.end(), [](const auto& c) { return c != nullptr; })) *
         kSlotsPerChunk * max_packet_;
}

void RetransmissionBuffer::store(base::Instant now, const RtpPacket& packet) {
  const base::ByteView bytes = packet.bytes();
  const std::size_t index = packet.sequence_number() % slots_.size();
  Slot& slot = slots_[index];
  if (bytes.size() > max_packet_) {
    slot.used = false;  // do not keep an older packet in the new one's place
    return;
  }
  auto& chunk = chunks_[index / kSlotsPerChunk];
  if (!chunk) {
    if (budget_ != nullptr && !budget_->try_take(kSlotsPerChunk * max_packet_)) {
      slot.used = false;
      return;
    }
    // Not zero-filled: a slot's bytes are read only after a packet was written there.
    chunk = std::make_unique_for_overwrite<std::uint8_t[]>(kSlotsPerChunk * max_packet_);
  }
  std::memcpy(slot_bytes(index), bytes.data(), bytes.size());
  slot = Slot{packet.sequence_number(), true, now, bytes.size()};
}

std::optional<base::ByteView> RetransmissionBuffer::find(base::Instant now, std::uint16_t sequence) const {
  const std::size_t index = sequence % slots_.size();
  const Slot& slot = slots_[index];
  if (!slot.used || slot.sequence != sequence || now - slot.stored > max_age_) return std::nullopt;
  return base::ByteView(slot_bytes(index), slot.size);
}

base::Result<base::ByteView> write_rtx(const RtpPacket& original, std::uint8_t rtx_payload_type, std::uint32_t rtx_ssrc,
                                       std::uint16_t rtx_sequence, base::MutableByteView out, RidRename rename) {
  const base::ByteView payload = original.payload();
  return rewrite(
      original, rtx_payload_type, rtx_ssrc, rtx_sequence,
      [&](std::uint8_t* at) {
        base::store_be16(at, original.sequence_number());
        if (!payload.empty()) std::memcpy(at + 2, payload.data(), payload.size());
      },
      2 + payload.size(), out, rename);
}

base::Result<RtxPayload> parse_rtx(const RtpPacket& rtx) {
  const base::ByteView payload = rtx.payload();
  if (payload.size() < 2) return base::Error{base::ErrorCode::kTruncated, "RTX payload shorter than its original sequence number"};
  return RtxPayload{base::load_be16(payload.data()), payload.subspan(2)};
}

base::Result<base::ByteView> restore_from_rtx(const RtpPacket& rtx, std::uint8_t payload_type, std::uint32_t ssrc,
                                              base::MutableByteView out, RidRename rename) {
  auto carried = parse_rtx(rtx);
  if (!carried) return carried.error();
  const base::ByteView payload = carried->payload;
  return rewrite(
      rtx, payload_type, ssrc, carried->original_sequence,
      [&](std::uint8_t* at) {
        if (!payload.empty()) std::memmove(at, payload.data(), payload.size());
      },
      payload.size(), out, rename);
}

}  // namespace rtcstack::media
