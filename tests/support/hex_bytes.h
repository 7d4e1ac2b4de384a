// Hex as RFCs print it ("00 01 00 58\n 21 12 ...") to bytes, for test vectors.
#pragma once

#include <cctype>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/hex.h"

namespace rtcstack::testing {

inline base::Buffer hex_bytes(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) digits += c;
  }
  auto bytes = base::from_hex(digits);
  if (!bytes) std::abort();  // a typo in a test vector
  return std::move(bytes).value();
}

}  // namespace rtcstack::testing
