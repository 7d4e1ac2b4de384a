// StreamFramer: STUN and ChannelData messages back to back on a stream (TURN over TCP/TLS,
// RFC 8656 §12.5), cut into reads at every possible place, and streams that are not TURN;
// RFC 4571 frames (ICE-TCP) likewise.
#include <catch2/catch.hpp>

#include <vector>

#include "hex_bytes.h"
#include "rfc5769_vectors.h"
#include "stun/channel_data.h"
#include "stun/message.h"
#include "stun/stream_framer.h"

using namespace rtcstack;
using stun::StreamFramer;

namespace {

std::vector<std::uint8_t> bytes_of(base::ByteView view) { return {view.begin(), view.end()}; }

// Feeds `stream` in reads of `chunk` bytes; returns the messages, or fails the test.
std::vector<std::vector<std::uint8_t>> frame(const std::vector<std::uint8_t>& stream, std::size_t chunk,
                                             stun::Framing framing = stun::Framing::kTurn) {
  StreamFramer framer(framing);
  std::vector<std::vector<std::uint8_t>> messages;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    framer.append({stream.data() + at, std::min(chunk, stream.size() - at)});
    for (;;) {
      auto message = framer.next();
      REQUIRE(message.ok());
      if (!*message) break;
      messages.push_back(bytes_of(**message));
    }
  }
  CHECK(framer.buffered() == 0);
  return messages;
}

}  // namespace

TEST_CASE("a stream of STUN and padded ChannelData messages is split into the messages, however it is read",
          "[stun][stream]") {
  const std::vector<std::uint8_t> request = bytes_of(testing::hex_bytes(testing::rfc5769::kRequest));
  REQUIRE(stun::StunMessage::parse(request).ok());
  std::uint8_t buffer[64];
  const auto five = bytes_of(*stun::write_channel_data(buffer, 0x4001, base::as_bytes("hello"), true));
  const auto empty = bytes_of(*stun::write_channel_data(buffer, 0x4fff, {}, true));
  const auto eight = bytes_of(*stun::write_channel_data(buffer, 0x4002, base::as_bytes("12345678"), true));
  std::vector<std::uint8_t> stream;
  for (const auto* message : {&request, &five, &empty, &eight, &request}) stream.insert(stream.end(), message->begin(), message->end());

  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    CAPTURE(chunk);
    const auto messages = frame(stream, chunk);
    REQUIRE(messages.size() == 5);
    CHECK(messages[0] == request);
    // ChannelData comes without its padding: 4 + 5 bytes, not 12.
    CHECK(messages[1] == std::vector<std::uint8_t>(five.begin(), five.begin() + 9));
    CHECK(stun::parse_channel_data(messages[1])->channel == 0x4001);
    CHECK(messages[2] == empty);
    CHECK(messages[3] == eight);
    CHECK(messages[4] == request);
  }
}

TEST_CASE("a stream that is not TURN is refused for good, whatever follows", "[stun][stream]") {
  const std::vector<std::uint8_t> request = bytes_of(testing::hex_bytes(testing::rfc5769::kRequest));
  struct Case {
    const char* name;
    std::vector<std::uint8_t> bytes;
  };
  std::vector<std::uint8_t> bad_length = request;
  bad_length[3] |= 1;  // a STUN length that is not a multiple of 4
  std::vector<std::uint8_t> no_cookie = request;
  no_cookie[4] ^= 0xff;
  const Case cases[] = {
      {"a TLS alert where plain TURN was expected", {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}},
      {"a DTLS record", {0x16, 0xfe, 0xfd, 0, 0, 0, 0}},
      {"a reserved channel number", {0x50, 0x00, 0x00, 0x04, 1, 2, 3, 4}},
      {"a STUN length not a multiple of 4", bad_length},
      {"no magic cookie", no_cookie},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    StreamFramer framer;
    framer.append(c.bytes);
    const auto first = framer.next();
    REQUIRE_FALSE(first.ok());
    CHECK(first.error().code == base::ErrorCode::kMalformed);
    CHECK(framer.buffered() == 0);
    framer.append(request);  // a good message after it changes nothing
    CHECK_FALSE(framer.next().ok());
    CHECK(framer.buffered() == 0);
  }
}

TEST_CASE("a partial message waits; what is buffered stays bounded by one message", "[stun][stream]") {
  StreamFramer framer;
  std::vector<std::uint8_t> header = {0x01, 0x01, 0xff, 0xfc, 0x21, 0x12, 0xa4, 0x42};  // a 65532-byte body announced
  framer.append(header);
  CHECK_FALSE(framer.next()->has_value());
  const std::vector<std::uint8_t> zeros(4096, 0);
  for (int i = 0; i < 16; ++i) {
    framer.append(zeros);
    REQUIRE(framer.next().ok());
  }
  CHECK(framer.buffered() <= StreamFramer::kMaxMessage);
  framer.append(std::vector<std::uint8_t>(20 + 0xfffc - framer.buffered(), 0));
  const auto whole = framer.next();
  REQUIRE(whole.ok());
  REQUIRE(whole->has_value());
  CHECK((*whole)->size() == 20 + 0xfffc);
  CHECK(framer.buffered() == 0);
}

TEST_CASE("RFC 4571 frames of any content and length are split out, however the stream is read", "[stun][stream]") {
  // A STUN request, an empty frame, a DTLS-looking record and a frame of the largest size.
  std::vector<std::vector<std::uint8_t>> frames = {
      bytes_of(testing::hex_bytes(testing::rfc5769::kRequest)), {}, {0x16, 0xfe, 0xfd, 0, 1, 2, 3}, std::vector<std::uint8_t>(65535, 0xab)};
  std::vector<std::uint8_t> stream;
  for (const auto& f : frames) {
    std::uint8_t header[2];
    StreamFramer::write_rfc4571_header(f.size(), header);
    stream.insert(stream.end(), header, header + 2);
    stream.insert(stream.end(), f.begin(), f.end());
  }
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{1000}, stream.size()}) {
    CAPTURE(chunk);
    CHECK(frame(stream, chunk, stun::Framing::kRfc4571) == frames);
  }
  // Bytes that would break TURN framing are just a frame's content here.
  StreamFramer framer(stun::Framing::kRfc4571);
  const std::uint8_t garbage[] = {0x00, 0x03, 0xff, 0xee, 0xdd, 0x00};
  framer.append(garbage);
  auto first = framer.next();
  REQUIRE(first.ok());
  REQUIRE(*first);
  CHECK(bytes_of(**first) == std::vector<std::uint8_t>{0xff, 0xee, 0xdd});
  auto partial = framer.next();  // one byte of the next header: wait for more
  REQUIRE(partial.ok());
  CHECK_FALSE(*partial);
  CHECK(framer.buffered() == 1);
}
