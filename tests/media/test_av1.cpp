// The AV1 RTP payload format: OBUs of a temporal unit, elements without size fields, the
// aggregation header's Z, Y, W and N, fragments across packets, and the temporal unit
// rebuilt with size fields for the decoder.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "hex_bytes.h"
#include "media/av1_payload.h"
#include "media/video_codec.h"
#include "test_pattern.h"

using namespace rtcstack;
using namespace rtcstack::media;
using testing::hex_bytes;

namespace {

struct Obu {
  std::uint8_t type;
  std::vector<std::uint8_t> payload;
  friend bool operator==(const Obu&, const Obu&) = default;
};

std::vector<Obu> obus(base::ByteView stream, bool with_delimiters = false) {
  std::vector<Obu> out;
  Av1ObuReader reader(stream);
  while (true) {
    auto obu = reader.next();
    REQUIRE(obu.ok());
    if (!*obu) break;
    if ((*obu)->type == av1_obu::kTemporalDelimiter && !with_delimiters) continue;
    out.push_back({(*obu)->type, {(*obu)->payload.begin(), (*obu)->payload.end()}});
  }
  return out;
}

std::vector<std::vector<std::uint8_t>> encoded(int frames, bool key_at_2 = false) {
  VideoEncoderConfig config;
  config.width = 320;
  config.height = 240;
  auto encoder = create_video_encoder(VideoCodec::kAv1, config);
  REQUIRE(encoder.ok());
  support::TestPattern pattern(320, 240);
  std::vector<std::vector<std::uint8_t>> units;
  for (int i = 0; i < frames; ++i) {
    auto unit = (*encoder)->encode(pattern.draw(i), static_cast<std::uint32_t>(i * 3000), key_at_2 && i == 2);
    REQUIRE(unit.ok());
    REQUIRE(unit->has_value());
    units.emplace_back((*unit)->bytes.begin(), (*unit)->bytes.end());
  }
  return units;
}

}  // namespace

TEST_CASE("libaom's temporal units: a delimiter, a sequence header on key frames, frames", "[av1]") {
  const auto units = encoded(2);
  const auto first = obus(units[0], true);
  REQUIRE(first.size() >= 3);
  CHECK(first[0].type == av1_obu::kTemporalDelimiter);
  CHECK(first[1].type == av1_obu::kSequenceHeader);
  const auto second = obus(units[1], true);
  CHECK(second[0].type == av1_obu::kTemporalDelimiter);
  for (const auto& obu : second) CHECK(obu.type != av1_obu::kSequenceHeader);
  // OBUs that break AV1 §5.3 are refused.
  const auto fails = [](const char* hex) {
    const base::Buffer bytes = hex_bytes(hex);
    Av1ObuReader reader(bytes);
    return reader.next().error().code;
  };
  CHECK(fails("92 00") == base::ErrorCode::kMalformed);               // forbidden bit
  CHECK(fails("0A 05 00 00") == base::ErrorCode::kTruncated);         // size past the end
  CHECK(fails("0A FF FF FF FF FF FF FF FF") == base::ErrorCode::kMalformed);  // leb128 over 8 bytes
  CHECK(fails("0E") == base::ErrorCode::kTruncated);                  // extension byte missing
}

TEST_CASE("AV1 through the packetizer and back: the same OBUs, N on a key frame, Z and Y on fragments", "[av1]") {
  const auto units = encoded(4, true);
  for (std::size_t u = 0; u < units.size(); ++u) {
    INFO("temporal unit " << u);
    const bool key = u == 0 || u == 2;
    for (const std::size_t max_payload : {std::size_t{1200}, std::size_t{100}, std::size_t{3}}) {
      INFO("payloads of " << max_payload);
      Av1Packetizer packetizer;
      REQUIRE(packetizer.start(units[u], key, max_payload).ok());
      Av1Depacketizer depacketizer;
      depacketizer.begin_frame();
      base::Buffer rebuilt;
      std::array<std::uint8_t, 1500> out{};
      int packets = 0;
      bool fragmented = false;
      while (auto payload = packetizer.next(out)) {
        CHECK(payload->size() <= max_payload);
        const std::uint8_t header = (*payload)[0];
        CHECK(((header & 0x08) != 0) == (key && packets == 0));  // N
        CHECK((header & 0x30) == 0);                              // W = 0: every element has its length
        fragmented = fragmented || (header & 0x40);
        CHECK(depacketizer.frame_start(*payload).value() == ((header & 0x80) ? FrameStart::kContinues : FrameStart::kUnknown));
        REQUIRE(depacketizer.append(*payload, rebuilt).ok());
        ++packets;
      }
      CHECK(packetizer.last_was_final());
      auto info = depacketizer.finish(rebuilt);
      REQUIRE(info.ok());
      CHECK(info->key_frame == key);
      CHECK(obus(rebuilt.view(), true) == obus(units[u]));  // the delimiter is not sent
      if (max_payload == 3) CHECK(fragmented);
    }
  }
}

TEST_CASE("AV1 payloads with W elements, kept size fields, and what breaks the format", "[av1][malformed]") {
  Av1Depacketizer depacketizer;
  depacketizer.begin_frame();
  base::Buffer frame;
  // W = 2: an element with its length (a sequence header OBU, type 1), then the last one
  // without (a frame OBU, type 6); N set.
  REQUIRE(depacketizer.append(hex_bytes("28 03 08 AA BB 30 CC DD EE"), frame).ok());
  auto info = depacketizer.finish(frame);
  REQUIRE(info.ok());
  CHECK(info->key_frame);
  CHECK(frame == hex_bytes("0A 02 AA BB 32 03 CC DD EE"));  // size fields put back
  // A temporal delimiter element is dropped; an OBU that kept its size field passes as is.
  depacketizer.begin_frame();
  frame.clear();
  REQUIRE(depacketizer.append(hex_bytes("00 01 10 03 32 01 77"), frame).ok());
  REQUIRE(depacketizer.finish(frame).ok());
  CHECK(frame == hex_bytes("32 01 77"));
  // A fragment across two packets (Y, then Z).
  depacketizer.begin_frame();
  frame.clear();
  REQUIRE(depacketizer.append(hex_bytes("40 02 30 01"), frame).ok());
  CHECK(depacketizer.finish(frame).error().code == base::ErrorCode::kMalformed);  // not ended yet
  REQUIRE(depacketizer.append(hex_bytes("80 02 02 03"), frame).ok());
  REQUIRE(depacketizer.finish(frame).ok());
  CHECK(frame == hex_bytes("32 03 01 02 03"));

  const auto start_code = [&](const char* hex) { return depacketizer.frame_start(hex_bytes(hex)).error().code; };
  CHECK(depacketizer.frame_start({}).error().code == base::ErrorCode::kTruncated);
  CHECK(start_code("00") == base::ErrorCode::kMalformed);           // no element
  CHECK(start_code("00 05 30") == base::ErrorCode::kTruncated);     // a length past the end
  CHECK(start_code("00 00") == base::ErrorCode::kMalformed);        // an empty element
  CHECK(start_code("00 80") == base::ErrorCode::kTruncated);        // a length cut short
  CHECK(start_code("30 01 30") == base::ErrorCode::kMalformed);     // W = 3, one element
  // Z with nothing to continue; an OBU cut short, then a packet that does not continue it.
  depacketizer.begin_frame();
  frame.clear();
  CHECK(depacketizer.append(hex_bytes("80 01 30"), frame).error().code == base::ErrorCode::kMalformed);
  REQUIRE(depacketizer.append(hex_bytes("40 01 30"), frame).ok());
  CHECK(depacketizer.append(hex_bytes("00 01 30"), frame).error().code == base::ErrorCode::kMalformed);
  // A kept size field that disagrees with its element; a forbidden bit.
  depacketizer.begin_frame();
  frame.clear();
  CHECK(depacketizer.append(hex_bytes("00 03 32 05 77"), frame).error().code == base::ErrorCode::kMalformed);
  CHECK(depacketizer.append(hex_bytes("00 01 B0"), frame).error().code == base::ErrorCode::kMalformed);
  // The packetizer refuses what is not a temporal unit, or has nothing to send.
  Av1Packetizer packetizer;
  CHECK(packetizer.start(hex_bytes("92 00"), false, 1200).error().code == base::ErrorCode::kInvalidArgument);
  CHECK(packetizer.start(hex_bytes("12 00"), false, 1200).error().code == base::ErrorCode::kInvalidArgument);
  CHECK(packetizer.start(hex_bytes("32 01 77"), false, 2).error().code == base::ErrorCode::kInvalidArgument);
}
