// Fuzzes the VP8 payload format (RFC 7741): the descriptor parser (every accepted
// descriptor is rewritten and parses back the same), the frame header parser, and the
// frame assembler fed a stream of RTP packets cut from the input (lengths, sequence
// jumps, markers and timestamps all chosen by the fuzzer).
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/rtp_packet.h"
#include "media/vp8_assembler.h"
#include "media/vp8_payload.h"

using namespace rtcstack;
using namespace rtcstack::media;

namespace {

void check_descriptor(base::ByteView payload) {
  const auto parsed = parse_vp8_payload(payload);
  if (!parsed.ok()) return;
  const Vp8Descriptor& d = parsed->descriptor;
  std::array<std::uint8_t, 8> out{};
  const std::size_t size = vp8_descriptor_size(d);
  if (size > payload.size() - parsed->data.size()) std::abort();  // never longer than what it parsed
  write_vp8_descriptor(d, out);
  const auto again = parse_vp8_payload({out.data(), size});
  if (!again.ok()) std::abort();
  const Vp8Descriptor& e = again->descriptor;
  if (e.non_reference != d.non_reference || e.start_of_partition != d.start_of_partition ||
      e.partition_index != d.partition_index || e.picture_id != d.picture_id || e.tl0_pic_index != d.tl0_pic_index ||
      e.temporal_id != d.temporal_id || e.key_index != d.key_index) {
    std::abort();
  }
  (void)parse_vp8_frame_header(parsed->data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> input(data, data + size);
  check_descriptor(input);
  // The same bytes as a packet stream: [length][flags] then `length` payload bytes, where
  // flags bit 0 is the marker, bits 1-3 a sequence jump, bit 4 a new timestamp.
  Vp8FrameAssembler assembler;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::size_t offset = 0;
  std::array<std::uint8_t, 300> packet{};
  while (offset + 2 <= input.size()) {
    const std::size_t length = std::min<std::size_t>(input[offset], input.size() - offset - 2);
    const std::uint8_t flags = input[offset + 1];
    offset += 2;
    sequence = static_cast<std::uint16_t>(sequence + 1 + ((flags >> 1) & 0x07));
    if (flags & 0x10) timestamp += 3000;
    RtpHeader header;
    header.marker = (flags & 0x01) != 0;
    header.payload_type = 96;
    header.sequence_number = sequence;
    header.timestamp = timestamp;
    const auto written = write_rtp(header, {input.data() + offset, length}, packet);
    offset += length;
    if (!written.ok()) std::abort();
    const std::vector<std::uint8_t> exact(written->begin(), written->end());
    const auto rtp = RtpPacket::parse(exact);
    if (!rtp.ok()) std::abort();
    if (const auto frame = assembler.push(*rtp)) {
      if (frame->bytes.empty() || (frame->key_frame && !frame->decodable)) std::abort();
    }
  }
  return 0;
}
