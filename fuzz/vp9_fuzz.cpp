// Fuzzes the VP9 payload format (RFC 9628): the descriptor parser (every accepted
// descriptor is rewritten and parses back the same, never longer than what it read), the
// uncompressed header, and the frame assembler fed packet streams cut from the input
// (packet_stream.h): layer frames, B and E bits, superframes built from the fuzzer's layers.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/frame_assembler.h"
#include "media/vp9_payload.h"
#include "packet_stream.h"

using namespace rtcstack;
using namespace rtcstack::media;

namespace {

void check_descriptor(base::ByteView payload) {
  const auto parsed = parse_vp9_payload(payload);
  if (!parsed.ok()) return;
  const Vp9Descriptor& d = parsed->descriptor;
  const std::size_t size = vp9_descriptor_size(d);
  if (size != payload.size() - parsed->data.size()) std::abort();  // the size it read
  std::vector<std::uint8_t> out(size);
  write_vp9_descriptor(d, out);
  const auto again = parse_vp9_payload(out);
  if (!again.ok() || !again->data.empty()) std::abort();
  const Vp9Descriptor& e = again->descriptor;
  if (e.picture_id != d.picture_id || e.inter_predicted != d.inter_predicted || e.flexible != d.flexible ||
      e.begins_frame != d.begins_frame || e.ends_frame != d.ends_frame || e.layers.has_value() != d.layers.has_value() ||
      e.reference_count != d.reference_count || e.reference_differences != d.reference_differences ||
      e.scalability.has_value() != d.scalability.has_value()) {
    std::abort();
  }
  if (d.scalability && (e.scalability->widths != d.scalability->widths || e.scalability->group_count != d.scalability->group_count)) {
    std::abort();
  }
  (void)parse_vp9_frame_header(parsed->data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> input(data, data + size);
  check_descriptor(input);
  FrameAssembler assembler(VideoCodec::kVp9);
  fuzzing::for_each_packet(input, [&](const RtpPacket& packet) {
    if (const auto frame = assembler.push(packet)) {
      if (frame->bytes.empty() || (frame->key_frame && !frame->decodable)) std::abort();
    }
  });
  return 0;
}
