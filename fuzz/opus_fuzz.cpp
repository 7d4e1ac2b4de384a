// Fuzzes the Opus payload check (RFC 6716 §3) differentially against libopus's own
// packet parser: both must accept or reject the same packets and agree on the frame
// count and duration; every accepted packet is then decoded (no crash, no overread).
#include <opus/opus.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/opus_codec.h"
#include "media/opus_payload.h"

using namespace rtcstack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> packet(data, data + size);  // exact size: overreads are reports
  const auto ours = media::parse_opus_packet(packet);
  const unsigned char* frames[48];
  opus_int16 sizes[48];
  const int count = size == 0 ? OPUS_INVALID_PACKET
                              : opus_packet_parse(packet.data(), static_cast<opus_int32>(size), nullptr, frames, sizes, nullptr);
  if (ours.ok() != (count > 0)) std::abort();
  if (!ours.ok()) return 0;
  if (ours->frame_count != count) std::abort();
  if (static_cast<int>(ours->duration_samples()) != opus_packet_get_nb_samples(packet.data(), static_cast<opus_int32>(size), 48000)) {
    std::abort();
  }
  static auto decoder = media::OpusAudioDecoder::create(2);
  static std::vector<std::int16_t> pcm(5760 * 2);
  (void)decoder->decode(packet, pcm);
  return 0;
}
