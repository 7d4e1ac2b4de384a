#include <catch2/catch.hpp>

#include "base/hex.h"

using rtcstack::base::as_bytes;
using rtcstack::base::as_string_view;
using rtcstack::base::ErrorCode;
using rtcstack::base::from_hex;
using rtcstack::base::HexCase;
using rtcstack::base::to_hex;

TEST_CASE("hex encodes RFC 4648 base16 vectors", "[base][hex]") {
  CHECK(to_hex(as_bytes("")) == "");
  CHECK(to_hex(as_bytes("f"), '\0', HexCase::kUpper) == "66");
  CHECK(to_hex(as_bytes("foobar"), '\0', HexCase::kUpper) == "666F6F626172");
  CHECK(to_hex(as_bytes("foobar")) == "666f6f626172");
}

TEST_CASE("hex with separators, as in SDP fingerprints", "[base][hex]") {
  const std::uint8_t bytes[] = {0xab, 0xcd, 0x01};
  CHECK(to_hex(bytes, ':', HexCase::kUpper) == "AB:CD:01");
  const auto parsed = from_hex("AB:cd:01", ':');
  REQUIRE(parsed.ok());
  CHECK(rtcstack::base::bytes_equal(*parsed, bytes));
  CHECK(from_hex("", ':')->empty());
  CHECK(from_hex("7f", ':')->size() == 1);
}

TEST_CASE("hex decoding round-trips and accepts both cases", "[base][hex]") {
  CHECK(as_string_view(*from_hex("666F6f626172")) == "foobar");
  std::uint8_t all[256];
  for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
  CHECK(rtcstack::base::bytes_equal(*from_hex(to_hex(all)), all));
  CHECK(rtcstack::base::bytes_equal(*from_hex(to_hex(all, '-', HexCase::kUpper), '-'), all));
}

TEST_CASE("hex rejects malformed text with the offending offset", "[base][hex]") {
  struct Case {
    const char* text;
    char separator;
    const char* offset;
  };
  const Case bad[] = {
      {"abc", '\0', "offset 3"},    {"zz", '\0', "offset 0"},       {"az", '\0', "offset 1"},
      {"ab:c", ':', "offset 4"},    {"ab-cd", ':', "offset 2"},     {"ab:", ':', "offset 3"},
      {":ab", ':', "offset 3"},     {"abcd", ':', "offset 4"},      {"a b", '\0', "offset 3"},
  };
  for (const Case& c : bad) {
    INFO(c.text);
    const auto parsed = from_hex(c.text, c.separator);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::kMalformed);
    CHECK(parsed.error().message.find(c.offset) != std::string::npos);
  }
}
