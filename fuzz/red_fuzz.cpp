// Fuzzes RED (RFC 2198): the parser on any payload (blocks inside it, in order, the primary
// what is left), and the encoder's payloads built from the input's chunks parsed back to
// the same blocks.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/red_payload.h"

using namespace rtcstack;
using namespace rtcstack::media;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const base::ByteView input(data, size);
  if (const auto red = parse_red_payload(input, 0x12345678)) {
    std::size_t carried = 0;
    for (std::size_t i = 0; i < red->count; ++i) {
      const RedBlock& block = red->blocks[i];
      if (block.data.size() > 0 && (block.data.data() < data || block.data.data() + block.data.size() > data + size)) {
        std::abort();  // a block outside the payload
      }
      carried += block.data.size();
    }
    if (red->count == 0 || carried > size || red->primary().timestamp != 0x12345678) std::abort();
  }
  // The input as a stream of Opus packets: [length][timestamp step] then the bytes.
  RedEncoder encoder(111, size % 2 + 1);
  std::array<std::uint8_t, 4096> out{};
  std::uint32_t timestamp = 0;
  std::size_t offset = 0;
  while (offset + 2 <= size) {
    const std::size_t length = std::min<std::size_t>(data[offset] * 4u, size - offset - 2);
    timestamp += data[offset + 1] * 240u;
    const base::ByteView primary(data + offset + 2, length);
    offset += 2 + length;
    auto payload = encoder.encode(primary, timestamp, out);
    if (!payload) std::abort();  // 4096 bytes hold a primary of at most 1020 and two blocks as long
    const auto red = parse_red_payload(*payload, timestamp);
    if (!red || red->primary().data.size() != length || red->count > 3) std::abort();
    for (std::size_t i = 0; i + 1 < red->count; ++i) {
      const std::uint32_t age = timestamp - red->blocks[i].timestamp;
      if (age == 0 || age >= (1u << 14) || red->blocks[i].payload_type != 111) std::abort();
    }
  }
  return 0;
}
