// Fuzzes base64_decode: it must never crash, and whatever it accepts must re-encode to
// exactly the input (the decoder accepts canonical text only).
#include <cstdint>
#include <cstdlib>

#include "base/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = rtcstack::base::as_string_view({data, size});
  const auto decoded = rtcstack::base::base64_decode(text);
  if (decoded.ok() && rtcstack::base::base64_encode(*decoded) != text) std::abort();
  return 0;
}
