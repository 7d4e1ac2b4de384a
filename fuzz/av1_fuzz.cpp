// Fuzzes the AV1 payload format: the input as a temporal unit goes through the packetizer
// at a payload size the input picks and back through the depacketizer (the same OBUs must
// come out, temporal delimiters aside), and as a stream of RTP packets (packet_stream.h)
// through the frame assembler: aggregation headers, element lengths, fragments and size
// fields all the fuzzer's.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/av1_payload.h"
#include "media/frame_assembler.h"
#include "packet_stream.h"

using namespace rtcstack;
using namespace rtcstack::media;

namespace {

// The OBUs a decoder gets: type and payload, delimiters, tile lists and padding left out.
std::vector<std::vector<std::uint8_t>> sent_obus(base::ByteView stream) {
  std::vector<std::vector<std::uint8_t>> out;
  Av1ObuReader reader(stream);
  while (true) {
    auto obu = reader.next();
    if (!obu) std::abort();  // only streams that parse come here
    if (!*obu) return out;
    const std::uint8_t type = (*obu)->type;
    if (type == av1_obu::kTemporalDelimiter || type == av1_obu::kTileList || type == av1_obu::kPadding) continue;
    std::vector<std::uint8_t> bytes{type, static_cast<std::uint8_t>((*obu)->header.size())};
    bytes.insert(bytes.end(), (*obu)->header.begin() + 1, (*obu)->header.end());
    bytes.insert(bytes.end(), (*obu)->payload.begin(), (*obu)->payload.end());
    out.push_back(std::move(bytes));
  }
}

void round_trip(const std::vector<std::uint8_t>& unit) {
  if (unit.empty()) return;
  const std::size_t max_payload = 3 + unit.back() % 300;
  Av1Packetizer packetizer;
  if (!packetizer.start(unit, (unit.back() & 1) != 0, max_payload).ok()) return;
  Av1Depacketizer depacketizer;
  depacketizer.begin_frame();
  base::Buffer rebuilt;
  std::vector<std::uint8_t> out(max_payload);
  while (auto payload = packetizer.next(out)) {
    if (payload->size() > max_payload || !depacketizer.append(*payload, rebuilt).ok()) std::abort();
  }
  if (!packetizer.last_was_final() || !depacketizer.finish(rebuilt).ok()) std::abort();
  if (sent_obus(rebuilt.view()) != sent_obus(unit)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> input(data, data + size);
  round_trip(input);
  Av1Depacketizer depacketizer;
  (void)depacketizer.frame_start(input);
  FrameAssembler assembler(VideoCodec::kAv1);
  fuzzing::for_each_packet(input, [&](const RtpPacket& packet) {
    if (const auto frame = assembler.push(packet)) {
      if (frame->bytes.size() < 2 || (frame->key_frame && !frame->decodable)) std::abort();
    }
  });
  return 0;
}
