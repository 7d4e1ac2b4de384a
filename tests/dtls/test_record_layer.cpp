#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dtls/record_layer.h"

using namespace rtcstack;
using dtls::ContentType;
using dtls::RecordHeader;
using dtls::RecordLayer;

namespace {

struct Suite {
  RecordLayer::Suite suite;
  std::size_t key, iv;
};

std::vector<std::uint8_t> filled(std::size_t size, std::uint8_t first) {
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(first + i);
  return bytes;
}

// Two ends of one session: a's write keys are b's read keys and the other way round.
struct Ends {
  explicit Ends(Suite s, std::uint64_t a_sequence = 1)
      : k1(filled(s.key, 1)), k2(filled(s.key, 101)), iv1(filled(s.iv, 51)), iv2(filled(s.iv, 151)),
        a(*RecordLayer::from_keys(s.suite, k1, iv1, k2, iv2, a_sequence)),
        b(*RecordLayer::from_keys(s.suite, k2, iv2, k1, iv1, 1)) {}
  std::vector<std::uint8_t> k1, k2, iv1, iv2;
  RecordLayer a, b;
};

std::vector<std::uint8_t> seal(RecordLayer& layer, ContentType type, std::string_view text) {
  std::vector<std::uint8_t> record(text.size() + layer.overhead());
  const auto size = layer.seal(type, base::as_bytes(text), record);
  REQUIRE(size.ok());
  REQUIRE(*size == record.size());
  return record;
}

base::Result<std::string> open(RecordLayer& layer, const std::vector<std::uint8_t>& record) {
  RecordHeader header;
  REQUIRE(RecordHeader::read(record, header));
  std::vector<std::uint8_t> plain(header.length);
  auto opened = layer.open(header, record, plain);
  if (!opened) return opened.error();
  return std::string(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(opened->size));
}

}  // namespace

TEST_CASE("record layer: each AEAD suite seals records the other end opens, and nothing else", "[dtls]") {
  const Suite suite = GENERATE(Suite{RecordLayer::Suite::kAes128Gcm, 16, 4}, Suite{RecordLayer::Suite::kAes256Gcm, 32, 4},
                               Suite{RecordLayer::Suite::kChaCha20Poly1305, 32, 12});
  Ends ends(suite, 7);
  const auto record = seal(ends.a, ContentType::kApplicationData, "an SCTP packet");
  // Header: application data, DTLS 1.2, epoch 1, sequence 7, then the fragment length.
  RecordHeader header;
  REQUIRE(RecordHeader::read(record, header));
  CHECK(header.type == 23);
  CHECK(record[1] == 0xfe);
  CHECK(record[2] == 0xfd);
  CHECK(header.epoch == 1);
  CHECK(header.sequence == 7);
  CHECK(header.length == record.size() - RecordHeader::kSize);
  CHECK(ends.a.overhead() == (suite.suite == RecordLayer::Suite::kChaCha20Poly1305 ? 29u : 37u));
  CHECK(open(ends.b, record).value() == "an SCTP packet");
  // The next record takes the next sequence number.
  const auto second = seal(ends.a, ContentType::kAlert, "\x01");
  REQUIRE(RecordHeader::read(second, header));
  CHECK(header.sequence == 8);

  SECTION("a replay is refused") {
    const auto again = open(ends.b, record);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == base::ErrorCode::kAuthentication);
    CHECK(open(ends.b, second).value() == "\x01");
  }
  SECTION("a flipped bit anywhere is refused, and the record still opens afterwards") {
    for (std::size_t i = 0; i < second.size(); ++i) {
      if (i == 11 || i == 12) continue;  // the length: checked against the record's size
      auto tampered = second;
      tampered[i] ^= 0x01;
      CHECK_FALSE(open(ends.b, tampered).ok());
    }
    CHECK(open(ends.b, second).value() == "\x01");
  }
  SECTION("the wrong keys, the wrong direction and another epoch are refused") {
    CHECK_FALSE(open(ends.a, record).ok());  // a's read keys are b's write keys
    auto epoch2 = record;
    epoch2[4] = 2;
    const auto refused = open(ends.b, epoch2);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("epoch 2") != std::string::npos);
  }
  SECTION("a record cut short is malformed, not read past its end") {
    auto cut = record;
    cut.resize(RecordHeader::kSize + 10);
    cut[11] = 0;
    cut[12] = 10;
    const auto refused = open(ends.b, cut);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == base::ErrorCode::kMalformed);
  }
}

TEST_CASE("record layer: out-of-order records open once each; those behind the window do not", "[dtls]") {
  Ends ends({RecordLayer::Suite::kAes128Gcm, 16, 4});
  std::vector<std::vector<std::uint8_t>> records;
  for (int i = 0; i < 200; ++i) records.push_back(seal(ends.a, ContentType::kApplicationData, std::to_string(i)));
  CHECK(open(ends.b, records[150]).value() == "150");
  CHECK(open(ends.b, records[149]).value() == "149");
  CHECK(open(ends.b, records[100]).value() == "100");  // 50 behind: inside the 64-record window
  CHECK_FALSE(open(ends.b, records[80]).ok());          // 70 behind
  CHECK(open(ends.b, records[199]).value() == "199");
  CHECK_FALSE(open(ends.b, records[150]).ok());
}

TEST_CASE("record layer: keys and payloads of the wrong size are refused", "[dtls]") {
  const std::vector<std::uint8_t> key(16), iv(4), long_iv(12);
  CHECK_FALSE(RecordLayer::from_keys(RecordLayer::Suite::kAes256Gcm, key, iv, key, iv, 1).ok());
  CHECK_FALSE(RecordLayer::from_keys(RecordLayer::Suite::kAes128Gcm, key, long_iv, key, long_iv, 1).ok());
  auto layer = RecordLayer::from_keys(RecordLayer::Suite::kAes128Gcm, key, iv, key, iv, 1);
  REQUIRE(layer.ok());
  std::vector<std::uint8_t> payload(100), small(100);
  CHECK_FALSE(layer->seal(ContentType::kApplicationData, payload, small).ok());
  std::vector<std::uint8_t> huge(70000), out(70000 + layer->overhead());
  CHECK_FALSE(layer->seal(ContentType::kApplicationData, huge, out).ok());
}
