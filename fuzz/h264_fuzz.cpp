// Fuzzes the H.264 payload format (RFC 6184): the input as an Annex B frame goes through
// the packetizer in both modes and back through the depacketizer (the same NAL units must
// come out, whatever the payload size), and as a stream of RTP packets (packet_stream.h)
// through the frame assembler: STAP-A sizes, FU-A bits, gaps and markers all the fuzzer's.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/frame_assembler.h"
#include "media/h264_payload.h"
#include "packet_stream.h"

using namespace rtcstack;
using namespace rtcstack::media;

namespace {

std::vector<std::vector<std::uint8_t>> nal_units(base::ByteView stream) {
  std::vector<std::vector<std::uint8_t>> units;
  AnnexBReader reader(stream);
  while (auto unit = reader.next()) units.emplace_back(unit->begin(), unit->end());
  return units;
}

void round_trip(const std::vector<std::uint8_t>& frame, int mode) {
  if (frame.empty()) return;
  const std::size_t max_payload = 3 + frame[0] % 200;
  H264Packetizer packetizer(mode);
  if (!packetizer.start(frame, false, max_payload).ok()) return;
  H264Depacketizer depacketizer;
  depacketizer.begin_frame();
  base::Buffer rebuilt;
  std::vector<std::uint8_t> out(max_payload);
  bool ended = false;
  while (auto payload = packetizer.next(out)) {
    if (ended || payload->size() > max_payload) std::abort();  // nothing after the final one
    if (!depacketizer.append(*payload, rebuilt).ok()) std::abort();
    ended = packetizer.last_was_final();
  }
  if (!ended) std::abort();
  // The NAL units that went in come out, in order (a frame without a slice is refused).
  if (depacketizer.finish(rebuilt).ok() && nal_units(rebuilt.view()) != nal_units(frame)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> input(data, data + size);
  round_trip(input, 1);
  round_trip(input, 0);
  H264Depacketizer depacketizer;
  (void)depacketizer.frame_start(input);
  FrameAssembler assembler(VideoCodec::kH264);
  fuzzing::for_each_packet(input, [&](const RtpPacket& packet) {
    if (const auto frame = assembler.push(packet)) {
      if (frame->bytes.size() < 5 || (frame->key_frame && !frame->decodable)) std::abort();
    }
  });
  return 0;
}
