#include "base/base64.h"

#include <array>
#include <string>

namespace rtcstack::base {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  table.fill(kInvalid);
  for (std::uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}

constexpr std::array<std::uint8_t, 256> kDecode = make_decode_table();

Error base64_error(std::size_t position, std::string_view why) {
  return make_error(ErrorCode::kMalformed,
                    "base64 at offset " + std::to_string(position) + ": " + std::string(why));
}

}  // namespace

std::string base64_encode(ByteView bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2];
    text += kAlphabet[group >> 18];
    text += kAlphabet[(group >> 12) & 63];
    text += kAlphabet[(group >> 6) & 63];
    text += kAlphabet[group & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    const std::uint32_t group = bytes[i] << 16 | (rest == 2 ? bytes[i + 1] << 8 : 0);
    text += kAlphabet[group >> 18];
    text += kAlphabet[(group >> 12) & 63];
    text += rest == 2 ? kAlphabet[(group >> 6) & 63] : '=';
    text += '=';
  }
  return text;
}

Result<Buffer> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return base64_error(text.size(), "length " + std::to_string(text.size()) +
                                         " is not a multiple of 4");
  }
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;

  Buffer bytes(text.size() / 4 * 3 - padding);
  std::size_t out = 0;
  for (std::size_t at = 0; at < text.size(); at += 4) {
    const bool last = at + 4 == text.size();
    const std::size_t symbols = last ? 4 - padding : 4;
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const unsigned char c = static_cast<unsigned char>(text[at + k]);
      if (k >= symbols) {
        group <<= 6;  // a padding position, already known to hold '='
        continue;
      }
      const std::uint8_t value = kDecode[c];
      if (value == kInvalid) {
        return base64_error(at + k, c == '=' ? "padding before the end" : "not a base64 symbol");
      }
      group = group << 6 | value;
    }
    if ((padding == 1 && last && (group & 0xff) != 0) ||
        (padding == 2 && last && (group & 0xffff) != 0)) {
      return base64_error(at + symbols - 1, "non-zero bits before the padding");
    }
    bytes[out++] = static_cast<std::uint8_t>(group >> 16);
    if (symbols > 2) bytes[out++] = static_cast<std::uint8_t>(group >> 8);
    if (symbols > 3) bytes[out++] = static_cast<std::uint8_t>(group);
  }
  return bytes;
}

}  // namespace rtcstack::base
