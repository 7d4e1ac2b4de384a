// Fuzzes from_hex with and without a separator: no crash, and accepted text decodes to
// bytes that print back to the same text up to letter case.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/hex.h"

namespace {

void check(std::string_view text, char separator) {
  const auto decoded = rtcstack::base::from_hex(text, separator);
  if (!decoded.ok()) return;
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (rtcstack::base::to_hex(*decoded, separator) != lower) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = rtcstack::base::as_string_view({data, size});
  check(text, '\0');
  check(text, ':');
  return 0;
}
