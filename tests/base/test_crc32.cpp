#include <catch2/catch.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/crc32.h"
#include "base/random.h"

using rtcstack::base::as_bytes;
using rtcstack::base::crc32;
using rtcstack::base::crc32c;
using rtcstack::base::crc32c_portable;

namespace {

// Bit-at-a-time definition of a reflected CRC with all-ones init and final XOR, written
// straight from the polynomial: an independent reference for the table-driven code.
std::uint32_t reference_crc(std::uint32_t polynomial, const std::vector<std::uint8_t>& data) {
  std::uint32_t crc = 0xffffffffu;
  for (std::uint8_t byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? polynomial : 0);
  }
  return ~crc;
}

}  // namespace

TEST_CASE("CRC-32 check values", "[base][crc]") {
  CHECK(crc32(as_bytes("123456789")) == 0xCBF43926u);  // the catalogue check value
  CHECK(crc32(as_bytes("")) == 0u);
  CHECK(crc32(as_bytes("The quick brown fox jumps over the lazy dog")) == 0x414FA339u);
}

TEST_CASE("CRC-32C check values", "[base][crc]") {
  CHECK(crc32c(as_bytes("123456789")) == 0xE3069283u);
  CHECK(crc32c_portable(as_bytes("123456789")) == 0xE3069283u);

  // RFC 3720 Appendix B.4 (iSCSI, the same CRC SCTP uses).
  std::vector<std::uint8_t> zeros(32, 0x00);
  std::vector<std::uint8_t> ones(32, 0xff);
  std::vector<std::uint8_t> incrementing(32);
  std::vector<std::uint8_t> decrementing(32);
  for (int i = 0; i < 32; ++i) {
    incrementing[i] = static_cast<std::uint8_t>(i);
    decrementing[i] = static_cast<std::uint8_t>(31 - i);
  }
  CHECK(crc32c(zeros) == 0x8A9136AAu);
  CHECK(crc32c(ones) == 0x62A8AB43u);
  CHECK(crc32c(incrementing) == 0x46DD794Eu);
  CHECK(crc32c(decrementing) == 0x113FDB5Cu);
  CHECK(crc32c_portable(decrementing) == 0x113FDB5Cu);
}

TEST_CASE("CRC fast paths agree with the bitwise definition at every length and alignment",
          "[base][crc]") {
  rtcstack::base::SeededRandom random(7);
  std::vector<std::uint8_t> storage(600);
  random.fill(storage);
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t length = 0; length + offset <= 520; length += (length < 40 ? 1 : 37)) {
      const std::vector<std::uint8_t> data(storage.begin() + offset,
                                           storage.begin() + offset + length);
      INFO("offset " << offset << " length " << length);
      REQUIRE(crc32(data) == reference_crc(0xEDB88320u, data));
      REQUIRE(crc32c(data) == reference_crc(0x82F63B78u, data));
      REQUIRE(crc32c_portable(data) == reference_crc(0x82F63B78u, data));
    }
  }
}

TEST_CASE("CRC over chunks equals CRC over the whole", "[base][crc]") {
  const std::string_view text = "The quick brown fox jumps over the lazy dog";
  for (std::size_t split = 0; split <= text.size(); ++split) {
    const auto head = as_bytes(text.substr(0, split));
    const auto tail = as_bytes(text.substr(split));
    CHECK(crc32(tail, crc32(head)) == crc32(as_bytes(text)));
    CHECK(crc32c(tail, crc32c(head)) == crc32c(as_bytes(text)));
    CHECK(crc32c_portable(tail, crc32c_portable(head)) == crc32c(as_bytes(text)));
  }
}
