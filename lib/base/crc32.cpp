#include "base/crc32.h"

#include <array>
#include <cstring>

namespace rtcstack::base {

namespace {

// Slicing-by-8: table[k][b] is the CRC of byte b followed by k zero bytes, so eight input
// bytes are folded with eight independent lookups instead of a serial chain of eight.
using SliceTables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr SliceTables make_tables(std::uint32_t reflected_polynomial) {
  SliceTables tables{};
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? reflected_polynomial : 0);
    tables[0][byte] = crc;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::size_t byte = 0; byte < 256; ++byte) {
      const std::uint32_t previous = tables[k - 1][byte];
      tables[k][byte] = (previous >> 8) ^ tables[0][previous & 0xff];
    }
  }
  return tables;
}

constexpr SliceTables kCrc32Tables = make_tables(0xEDB88320u);   // 0x04C11DB7 reflected
constexpr SliceTables kCrc32cTables = make_tables(0x82F63B78u);  // 0x1EDC6F41 reflected

// Both CRCs are reflected with initial value and final XOR 0xFFFFFFFF; `crc` here is the
// raw register (already inverted).
std::uint32_t update_sliced(const SliceTables& t, std::uint32_t crc, const std::uint8_t* p,
                            std::size_t n) {
  while (n >= 8) {
    std::uint32_t low;
    std::uint32_t high;
    std::memcpy(&low, p, 4);
    std::memcpy(&high, p + 4, 4);
    // The tables assume little-endian loads, which is what every target we build for has.
    low ^= crc;
    crc = t[7][low & 0xff] ^ t[6][(low >> 8) & 0xff] ^ t[5][(low >> 16) & 0xff] ^
          t[4][low >> 24] ^ t[3][high & 0xff] ^ t[2][(high >> 8) & 0xff] ^
          t[1][(high >> 16) & 0xff] ^ t[0][high >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t update_crc32c_hardware(std::uint32_t crc,
                                                                        const std::uint8_t* p,
                                                                        std::size_t n) {
  std::uint64_t wide = crc;
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    wide = __builtin_ia32_crc32di(wide, word);
    p += 8;
    n -= 8;
  }
  crc = static_cast<std::uint32_t>(wide);
  while (n-- > 0) crc = __builtin_ia32_crc32qi(crc, *p++);
  return crc;
}

bool has_sse42() {
  static const bool supported = __builtin_cpu_supports("sse4.2");
  return supported;
}
#endif

}  // namespace

std::uint32_t crc32(ByteView data, std::uint32_t crc) {
  return ~update_sliced(kCrc32Tables, ~crc, data.data(), data.size());
}

std::uint32_t crc32c(ByteView data, std::uint32_t crc) {
#if defined(__x86_64__)
  if (has_sse42()) return ~update_crc32c_hardware(~crc, data.data(), data.size());
#endif
  return crc32c_portable(data, crc);
}

std::uint32_t crc32c_portable(ByteView data, std::uint32_t crc) {
  return ~update_sliced(kCrc32cTables, ~crc, data.data(), data.size());
}

}  // namespace rtcstack::base
