// Fuzzes parse_channel_data: no crash, and an accepted message written again (with and
// without padding) parses to the same channel and data.
#include <cstdint>
#include <cstdlib>

#include "stun/channel_data.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = rtcstack::stun::parse_channel_data({data, size});
  if (!parsed.ok()) return 0;
  static std::uint8_t out[65536 + 8];
  for (bool pad : {false, true}) {
    const auto written = rtcstack::stun::write_channel_data(out, parsed->channel, parsed->data, pad);
    if (!written.ok()) std::abort();
    const auto again = rtcstack::stun::parse_channel_data(*written);
    if (!again.ok() || again->channel != parsed->channel ||
        !rtcstack::base::bytes_equal(again->data, parsed->data)) {
      std::abort();
    }
  }
  return 0;
}
