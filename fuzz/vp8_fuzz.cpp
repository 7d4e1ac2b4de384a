// Fuzzes the VP8 payload format (RFC 7741): the descriptor parser (every accepted
// descriptor is rewritten and parses back the same), the frame header parser, and the
// frame assembler fed a stream of RTP packets cut from the input (lengths, sequence
// jumps, markers and timestamps all chosen by the fuzzer).
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/frame_assembler.h"
#include "media/vp8_payload.h"
#include "packet_stream.h"

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
  // The same bytes as a packet stream (packet_stream.h).
  FrameAssembler assembler(VideoCodec::kVp8);
  fuzzing::for_each_packet(input, [&](const RtpPacket& packet) {
    if (const auto frame = assembler.push(packet)) {
      if (frame->bytes.empty() || (frame->key_frame && !frame->decodable)) std::abort();
    }
  });
  return 0;
}
