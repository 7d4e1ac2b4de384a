// Fuzzes StreamFramer: the input is a stream cut into reads whose sizes come from its first
// byte, whose low bit picks the framing. No crash; TURN framing returns only whole STUN
// (its length field and the magic cookie agree) or ChannelData (its length field agrees),
// and once it refuses, it refuses for good; RFC 4571 framing returns frames that, with
// their headers, add up to the bytes consumed. What is buffered stays bounded.
#include <cstdint>
#include <cstdlib>

#include "stun/stream_framer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = std::size_t{data[0]} / 2 + 1;
  const bool rfc4571 = (data[0] & 1) != 0;
  rtcstack::stun::StreamFramer framer(rfc4571 ? rtcstack::stun::Framing::kRfc4571 : rtcstack::stun::Framing::kTurn);
  bool refused = false;
  std::size_t framed = 0;  // RFC 4571: bytes of the frames returned, headers included
  for (std::size_t at = 1; at < size; at += chunk) {
    const std::size_t length = std::min(chunk, size - at);
    framer.append({data + at, length});
    if (framer.buffered() > rtcstack::stun::StreamFramer::kMaxMessage + chunk) std::abort();
    for (;;) {
      auto message = framer.next();
      if (rfc4571) {
        if (!message.ok()) std::abort();  // any bytes are a stream of frames
        if (!*message) break;
        const rtcstack::base::ByteView frame = **message;
        if (frame.size() != (std::size_t{data[1 + framed]} << 8 | data[2 + framed])) std::abort();
        framed += 2 + frame.size();
        if (frame.data() != nullptr && frame.size() > 0 && frame[0] != data[1 + framed - frame.size()]) std::abort();
        continue;
      }
      if (!message.ok()) {
        refused = true;
        if (framer.buffered() != 0) std::abort();
        break;
      }
      if (refused) std::abort();  // a refused stream never yields a message again
      if (!*message) break;
      const rtcstack::base::ByteView m = **message;
      const std::size_t field = std::size_t{m[2]} << 8 | m[3];
      if (m[0] < 4) {
        if (m.size() != 20 + field || field % 4 != 0 || m[4] != 0x21 || m[5] != 0x12 || m[6] != 0xa4 || m[7] != 0x42) {
          std::abort();
        }
      } else if (m[0] < 0x40 || m[0] > 0x4f || m.size() != 4 + field) {
        std::abort();
      }
    }
  }
  return 0;
}
