#include <catch2/catch.hpp>

#include "base/endian.h"
#include "stun/channel_data.h"
#include "stun/demux.h"

using namespace rtcstack;
using namespace rtcstack::stun;
using base::ErrorCode;

TEST_CASE("ChannelData round-trips with and without padding", "[stun][channel]") {
  const auto payload = base::as_bytes("hello");
  std::uint8_t out[64];
  for (bool pad : {false, true}) {
    const auto written = write_channel_data(out, 0x4001, payload, pad);
    REQUIRE(written.ok());
    CHECK(written->size() == (pad ? 12u : 9u));
    CHECK(written->size() == channel_data_size(payload.size(), pad));
    CHECK(base::load_be16(written->data()) == 0x4001);
    CHECK(base::load_be16(written->data() + 2) == 5);  // length excludes padding
    const auto parsed = parse_channel_data(*written);
    REQUIRE(parsed.ok());
    CHECK(parsed->channel == 0x4001);
    CHECK(base::bytes_equal(parsed->data, payload));
    CHECK(looks_like_channel_data(*written));
    CHECK_FALSE(looks_like_stun(*written));
  }
  const auto empty = write_channel_data(out, 0x4FFF, {}, true);
  REQUIRE(empty.ok());
  CHECK(empty->size() == 4);
  CHECK(parse_channel_data(*empty)->data.empty());
}

TEST_CASE("ChannelData rejects bad channels, lengths and excess bytes", "[stun][channel]") {
  std::uint8_t bytes[16] = {0x40, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0};
  CHECK(parse_channel_data({bytes, 3}).error().code == ErrorCode::kTruncated);
  CHECK(parse_channel_data({bytes, 8}).error().code == ErrorCode::kTruncated);
  CHECK(parse_channel_data({bytes, 9}).ok());
  CHECK(parse_channel_data({bytes, 12}).ok());  // 3 padding bytes
  CHECK(parse_channel_data({bytes, 13}).error().code == ErrorCode::kMalformed);
  bytes[0] = 0x50;
  CHECK(parse_channel_data({bytes, 9}).error().code == ErrorCode::kMalformed);
  bytes[0] = 0x3f;
  CHECK(parse_channel_data({bytes, 9}).error().code == ErrorCode::kMalformed);

  std::uint8_t out[8];
  CHECK(write_channel_data(out, 0x3fff, {}, false).error().code == ErrorCode::kInvalidArgument);
  CHECK(write_channel_data(out, 0x4000, base::as_bytes("123456789"), false).error().code ==
        ErrorCode::kResourceExhausted);
}

TEST_CASE("demux by first byte and cookie (RFC 7983)", "[stun][demux]") {
  std::uint8_t stun[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42};
  CHECK(looks_like_stun(stun));
  CHECK_FALSE(looks_like_stun({stun, 19}));
  stun[4] = 0x22;
  CHECK_FALSE(looks_like_stun(stun));  // cookie
  stun[4] = 0x21;
  stun[3] = 0x04;
  CHECK_FALSE(looks_like_stun(stun));  // length runs past the datagram
  stun[3] = 0x00;
  for (int first = 0; first < 256; ++first) {
    stun[0] = static_cast<std::uint8_t>(first);
    CHECK(looks_like_stun(stun) == (first <= 3));
    CHECK(looks_like_channel_data(stun) == (first >= 64 && first <= 79));
  }
}
