// The VP8 payload format (RFC 7741): descriptors, the frame header, the packetizer. The
// codec and frames through RTP are in test_video_codecs.cpp, with every other codec.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "hex_bytes.h"
#include "media/vp8_payload.h"

using namespace rtcstack;
using namespace rtcstack::media;
using testing::hex_bytes;

TEST_CASE("VP8 payload descriptors round trip in every combination of optional fields", "[vp8]") {
  int combinations = 0;
  for (int picture = 0; picture < 3; ++picture) {
    for (bool tl0 : {false, true}) {
      for (bool tid : {false, true}) {
        for (bool key : {false, true}) {
          Vp8Descriptor d;
          d.non_reference = key;
          d.start_of_partition = tid;
          d.partition_index = static_cast<std::uint8_t>(picture + 2);
          if (picture > 0) d.picture_id = picture == 1 ? 0x55 : 0x7ABC;
          d.long_picture_id = picture == 2;
          if (tl0) d.tl0_pic_index = 200;
          if (tid) {
            d.temporal_id = 2;
            d.layer_sync = true;
          }
          if (key) d.key_index = 17;
          std::array<std::uint8_t, 8> out{};
          const std::size_t size = vp8_descriptor_size(d);
          write_vp8_descriptor(d, out);
          out[size] = 0xAB;  // one byte of VP8 data after it
          auto parsed = parse_vp8_payload({out.data(), size + 1});
          REQUIRE(parsed.ok());
          const Vp8Descriptor& p = parsed->descriptor;
          CHECK(p.non_reference == d.non_reference);
          CHECK(p.start_of_partition == d.start_of_partition);
          CHECK(p.partition_index == d.partition_index);
          CHECK(p.picture_id == d.picture_id);
          if (d.picture_id) CHECK(p.long_picture_id == d.long_picture_id);
          CHECK(p.tl0_pic_index == d.tl0_pic_index);
          CHECK(p.temporal_id == d.temporal_id);
          CHECK(p.layer_sync == (d.temporal_id && d.layer_sync));
          CHECK(p.key_index == d.key_index);
          REQUIRE(parsed->data.size() == 1);
          CHECK(parsed->data[0] == 0xAB);
          // Every shorter prefix of the descriptor is cut somewhere.
          for (std::size_t cut = 0; cut < size; ++cut) CHECK_FALSE(parse_vp8_payload({out.data(), cut}).ok());
          ++combinations;
        }
      }
    }
  }
  CHECK(combinations == 24);
}

TEST_CASE("a VP8 descriptor as browsers send it: X, S, 15-bit picture id", "[vp8]") {
  const base::Buffer payload = hex_bytes("90 80 81 23  10 02 00 9D 01 2A 80 02 E0 01");
  auto parsed = parse_vp8_payload(payload);
  REQUIRE(parsed.ok());
  CHECK(parsed->descriptor.starts_frame());
  CHECK(parsed->descriptor.picture_id == 0x0123);
  CHECK(parsed->descriptor.long_picture_id);
  auto header = parse_vp8_frame_header(parsed->data);
  REQUIRE(header.ok());
  CHECK(header->key_frame);
  CHECK(header->width == 640);
  CHECK(header->height == 480);
  CHECK(header->show_frame);
  CHECK(header->first_partition_size == 16);  // frame tag 0x000210 >> 5
  const base::Buffer no_start_code = hex_bytes("10 02 00 9D 01 2B 80 02 E0 01");
  CHECK(parse_vp8_frame_header(no_start_code).error().code == base::ErrorCode::kMalformed);
  const base::Buffer short_key = hex_bytes("10 02 00 9D 01");
  CHECK(parse_vp8_frame_header(short_key).error().code == base::ErrorCode::kTruncated);
  const base::Buffer delta = hex_bytes("11 02 00");
  auto delta_header = parse_vp8_frame_header(delta);
  REQUIRE(delta_header.ok());
  CHECK_FALSE(delta_header->key_frame);
}

TEST_CASE("the packetizer spreads a frame evenly and marks its start", "[vp8]") {
  std::vector<std::uint8_t> frame(10'000);
  for (std::size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<std::uint8_t>(i * 7);
  Vp8Packetizer packetizer(0x1234);
  REQUIRE(packetizer.start(frame, false, 1200).ok());
  CHECK(packetizer.packet_count() == 9);
  std::vector<std::uint8_t> joined;
  std::array<std::uint8_t, 1200> out{};
  std::size_t smallest = SIZE_MAX, largest = 0, index = 0;
  while (auto payload = packetizer.next(out)) {
    CHECK(payload->size() <= 1200);
    auto parsed = parse_vp8_payload(*payload);
    REQUIRE(parsed.ok());
    CHECK(parsed->descriptor.start_of_partition == (index == 0));
    CHECK(parsed->descriptor.picture_id == 0x1234);
    smallest = std::min(smallest, parsed->data.size());
    largest = std::max(largest, parsed->data.size());
    joined.insert(joined.end(), parsed->data.begin(), parsed->data.end());
    CHECK(packetizer.last_was_final() == (index == 8));
    ++index;
  }
  CHECK(index == 9);
  CHECK(largest - smallest <= 1);
  CHECK(joined == frame);
  CHECK_FALSE(packetizer.start({}, false, 1200).ok());
  CHECK_FALSE(packetizer.start(frame, false, 4).ok());
  // The next frame takes the next picture id.
  REQUIRE(packetizer.start(frame, false, 1200).ok());
  CHECK(parse_vp8_payload(*packetizer.next(out))->descriptor.picture_id == 0x1235);
}
