#include <catch2/catch.hpp>

#include <string>

#include "base/base64.h"
#include "base/random.h"

using rtcstack::base::as_bytes;
using rtcstack::base::as_string_view;
using rtcstack::base::base64_decode;
using rtcstack::base::base64_encode;
using rtcstack::base::Buffer;
using rtcstack::base::ErrorCode;

TEST_CASE("base64 test vectors from RFC 4648 section 10", "[base][base64]") {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CHECK(base64_encode(as_bytes(plain)) == encoded);
    const auto decoded = base64_decode(encoded);
    REQUIRE(decoded.ok());
    CHECK(as_string_view(*decoded) == plain);
  }
}

TEST_CASE("base64 round-trips arbitrary bytes", "[base][base64]") {
  rtcstack::base::SeededRandom random(42);
  for (std::size_t length = 0; length < 200; ++length) {
    Buffer bytes(length);
    random.fill(bytes.mutable_view());
    const auto decoded = base64_decode(base64_encode(bytes));
    REQUIRE(decoded.ok());
    CHECK(*decoded == bytes);
  }
  // All 256 byte values survive.
  Buffer all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
  CHECK(*base64_decode(base64_encode(all)) == all);
}

TEST_CASE("base64 rejects non-canonical and malformed text with a reason", "[base][base64]") {
  const char* bad[] = {
      "Zg=",       // length not a multiple of 4
      "Zh==",      // bits after the last full byte are not zero
      "Zm9=",      // same, one padding character
      "Zg=a",      // padding before the end
      "Z===",      // three padding characters
      "====",      // nothing but padding
      "Zm9v\n",    // whitespace
      "Zm 9",      // space
      "Zm9v-_==",  // URL-safe alphabet is not base64
      "Zg==Zg==",  // padding in the middle
  };
  for (const char* text : bad) {
    INFO(text);
    const auto decoded = base64_decode(text);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().code == ErrorCode::kMalformed);
    CHECK(decoded.error().message.find("base64") != std::string::npos);
  }
}
