#include "base/hex.h"

#include <string>

namespace rtcstack::base {

namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Error hex_error(std::size_t position, std::string_view why) {
  return make_error(ErrorCode::kMalformed,
                    "hex at offset " + std::to_string(position) + ": " + std::string(why));
}

}  // namespace

std::string to_hex(ByteView bytes, char separator, HexCase letter_case) {
  const char* digits = letter_case == HexCase::kUpper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * (separator != '\0' ? 3 : 2));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0 && separator != '\0') text += separator;
    text += digits[bytes[i] >> 4];
    text += digits[bytes[i] & 0x0f];
  }
  return text;
}

Result<Buffer> from_hex(std::string_view text, char separator) {
  const std::size_t stride = separator != '\0' ? 3 : 2;
  // With separators, n bytes take 3n-1 characters; without, 2n.
  const std::size_t padded = text.size() + (separator != '\0' && !text.empty() ? 1 : 0);
  if (padded % stride != 0) {
    return hex_error(text.size(), "length " + std::to_string(text.size()) +
                                      " is not a whole number of bytes");
  }
  Buffer bytes(padded / stride);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const std::size_t at = i * stride;
    if (i > 0 && separator != '\0' && text[at - 1] != separator) {
      return hex_error(at - 1, std::string("expected separator '") + separator + "'");
    }
    const int high = digit_value(text[at]);
    const int low = digit_value(text[at + 1]);
    if (high < 0 || low < 0) return hex_error(high < 0 ? at : at + 1, "not a hex digit");
    bytes[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return bytes;
}

}  // namespace rtcstack::base
