// The VP9 payload format (RFC 9628): descriptors in every shape (flexible and not, layer
// indices, references, the scalability structure), the uncompressed header, the
// packetizer, and pictures of several spatial layers handed to the decoder as a
// superframe (VP9 Annex B).
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "hex_bytes.h"
#include "media/video_codec.h"
#include "media/vp9_payload.h"
#include "test_pattern.h"

using namespace rtcstack;
using namespace rtcstack::media;
using testing::hex_bytes;

namespace {

std::vector<std::uint8_t> write(const Vp9Descriptor& d, std::size_t data = 0) {
  std::vector<std::uint8_t> out(vp9_descriptor_size(d) + data, 0xAB);
  write_vp9_descriptor(d, out);
  return out;
}

bool same(const Vp9Descriptor& a, const Vp9Descriptor& b) {
  const bool layers = a.layers.has_value() == b.layers.has_value() &&
                      (!a.layers || (a.layers->temporal_id == b.layers->temporal_id &&
                                     a.layers->switching_up == b.layers->switching_up &&
                                     a.layers->spatial_id == b.layers->spatial_id &&
                                     a.layers->inter_layer_dependency == b.layers->inter_layer_dependency &&
                                     a.layers->tl0_pic_index == b.layers->tl0_pic_index));
  const bool ss = a.scalability.has_value() == b.scalability.has_value() &&
                  (!a.scalability || (a.scalability->spatial_layers == b.scalability->spatial_layers &&
                                      a.scalability->widths == b.scalability->widths &&
                                      a.scalability->heights == b.scalability->heights &&
                                      a.scalability->group_count == b.scalability->group_count));
  return layers && ss && a.picture_id == b.picture_id && a.inter_predicted == b.inter_predicted &&
         a.flexible == b.flexible && a.begins_frame == b.begins_frame && a.ends_frame == b.ends_frame &&
         a.not_upswitch_reference == b.not_upswitch_reference && a.reference_count == b.reference_count &&
         a.reference_differences == b.reference_differences;
}

}  // namespace

TEST_CASE("VP9 descriptors round trip in every shape, and every prefix of one is refused", "[vp9]") {
  int shapes = 0;
  for (int picture = 0; picture < 3; ++picture) {
    for (bool flexible : {false, true}) {
      for (bool layers : {false, true}) {
        for (int references = 0; references <= 3; ++references) {
          for (int ss = 0; ss < 3; ++ss) {
            Vp9Descriptor d;
            if (picture > 0) d.picture_id = picture == 1 ? 0x5A : 0x7123;
            d.long_picture_id = picture == 2;
            d.flexible = flexible;
            d.inter_predicted = references > 0;
            d.begins_frame = picture != 1;
            d.ends_frame = ss == 1;
            d.not_upswitch_reference = layers;
            if (layers) d.layers = Vp9Descriptor::Layers{3, true, 2, true, flexible ? std::nullopt : std::optional<std::uint8_t>(77)};
            if (flexible) {
              d.reference_count = static_cast<std::uint8_t>(references);
              for (int r = 0; r < references; ++r) d.reference_differences[r] = static_cast<std::uint8_t>(r * 40 + 1);
            }
            if (ss > 0) {
              Vp9ScalabilityStructure structure;
              structure.spatial_layers = 3;
              structure.has_sizes = true;
              structure.widths = {320, 640, 1280};
              structure.heights = {180, 360, 720};
              if (ss == 2) {
                structure.has_groups = true;
                structure.group_count = 2;
                structure.groups[0] = {0, false, 1, {4, 0, 0}};
                structure.groups[1] = {1, true, 2, {1, 2, 0}};
              }
              d.scalability = structure;
            }
            const auto bytes = write(d, 3);
            auto parsed = parse_vp9_payload(bytes);
            REQUIRE(parsed.ok());
            CHECK(same(parsed->descriptor, d));
            CHECK(parsed->data.size() == 3);
            for (std::size_t cut = 0; cut < bytes.size() - 3; ++cut) {
              CHECK_FALSE(parse_vp9_payload({bytes.data(), cut}).ok());
            }
            ++shapes;
          }
        }
      }
    }
  }
  CHECK(shapes == 144);
}

TEST_CASE("a VP9 descriptor as a browser sends a key picture: SS with sizes and picture groups", "[vp9]") {
  // I, L, B, V; picture id 1 (15 bits); TID 0 SID 0; TL0PICIDX 5; one layer of 640x480,
  // one group of one reference.
  const base::Buffer payload = hex_bytes("AA 80 01 00 05 18 02 80 01 E0 01 04 01 82 49 83 42");
  auto parsed = parse_vp9_payload(payload);
  REQUIRE(parsed.ok());
  const Vp9Descriptor& d = parsed->descriptor;
  CHECK(d.picture_id == 1);
  CHECK(d.starts_picture());
  CHECK_FALSE(d.inter_predicted);
  CHECK(d.layers->tl0_pic_index == 5);
  REQUIRE(d.scalability);
  CHECK(d.scalability->spatial_layers == 1);
  CHECK(d.scalability->widths[0] == 640);
  CHECK(d.scalability->heights[0] == 480);
  CHECK(d.scalability->group_count == 1);
  CHECK(d.scalability->groups[0].differences[0] == 1);
  CHECK(parsed->data.size() == 4);
  // A flexible picture may refer to at most three others, never to itself.
  CHECK(parse_vp9_payload(hex_bytes("50 00")).error().code == base::ErrorCode::kMalformed);
  CHECK(parse_vp9_payload(hex_bytes("50 03 05 07 09")).error().code == base::ErrorCode::kMalformed);
  CHECK(parse_vp9_payload({}).error().code == base::ErrorCode::kTruncated);
}

TEST_CASE("the uncompressed header tells key frames and their size", "[vp9]") {
  VideoEncoderConfig config;
  config.width = 320;
  config.height = 240;
  auto encoder = create_video_encoder(VideoCodec::kVp9, config);
  REQUIRE(encoder.ok());
  support::TestPattern pattern(320, 240);
  for (int i = 0; i < 3; ++i) {
    auto frame = (*encoder)->encode(pattern.draw(i), static_cast<std::uint32_t>(i * 3000));
    REQUIRE(frame.ok());
    REQUIRE(frame->has_value());
    auto header = parse_vp9_frame_header((*frame)->bytes);
    REQUIRE(header.ok());
    CHECK(header->profile == 0);
    CHECK(header->key_frame == (i == 0));
    CHECK((*frame)->key_frame == (i == 0));
    if (i == 0) {
      CHECK(header->width == 320);
      CHECK(header->height == 240);
    }
  }
  CHECK(parse_vp9_frame_header(hex_bytes("40")).error().code == base::ErrorCode::kMalformed);  // marker 01
  CHECK(parse_vp9_frame_header(hex_bytes("82 49")).error().code == base::ErrorCode::kTruncated);
  CHECK(parse_vp9_frame_header(hex_bytes("82 49 83 43 00 00 00 00")).error().code == base::ErrorCode::kMalformed);
  CHECK(parse_vp9_frame_header({}).error().code == base::ErrorCode::kTruncated);
  CHECK(parse_vp9_frame_header(hex_bytes("88")).value().show_existing_frame);
}

TEST_CASE("the VP9 packetizer: SS on key frames, P on the rest, B and E at the edges", "[vp9]") {
  VideoEncoderConfig config;
  config.width = 320;
  config.height = 240;
  auto encoder = create_video_encoder(VideoCodec::kVp9, config);
  REQUIRE(encoder.ok());
  support::TestPattern pattern(320, 240);
  Vp9Packetizer packetizer(0x7FFF);  // across the 15-bit wrap
  std::array<std::uint8_t, 1200> out{};
  for (int i = 0; i < 2; ++i) {
    auto frame = (*encoder)->encode(pattern.draw(i), static_cast<std::uint32_t>(i * 3000));
    REQUIRE(packetizer.start((*frame)->bytes, (*frame)->key_frame, 300).ok());
    std::vector<Vp9Descriptor> sent;
    std::vector<std::uint8_t> joined;
    while (auto payload = packetizer.next(out)) {
      CHECK(payload->size() <= 300);
      auto parsed = parse_vp9_payload(*payload);
      REQUIRE(parsed.ok());
      sent.push_back(parsed->descriptor);
      joined.insert(joined.end(), parsed->data.begin(), parsed->data.end());
    }
    REQUIRE(sent.size() >= 2);
    CHECK(std::vector<std::uint8_t>((*frame)->bytes.begin(), (*frame)->bytes.end()) == joined);
    for (std::size_t p = 0; p < sent.size(); ++p) {
      CHECK(sent[p].picture_id == (i == 0 ? 0x7FFF : 0));
      CHECK(sent[p].begins_frame == (p == 0));
      CHECK(sent[p].ends_frame == (p + 1 == sent.size()));
      CHECK(sent[p].inter_predicted == (i == 1));
      CHECK(sent[p].scalability.has_value() == (i == 0 && p == 0));
    }
    if (i == 0) CHECK(sent[0].scalability->widths[0] == 320);
  }
  CHECK(packetizer.start(hex_bytes("00 00"), false, 300).error().code == base::ErrorCode::kInvalidArgument);
  CHECK(packetizer.start({}, false, 300).error().code == base::ErrorCode::kInvalidArgument);
}

TEST_CASE("a picture of two spatial layers reaches the decoder as a superframe", "[vp9]") {
  Vp9Depacketizer depacketizer;
  // Layer 0: a key frame header and some bytes; layer 1: 300 bytes, in two packets.
  Vp9Descriptor base;
  base.picture_id = 9;
  base.layers = Vp9Descriptor::Layers{0, false, 0, false, 0};
  base.begins_frame = base.ends_frame = true;
  Vp9Descriptor upper = base;
  upper.layers->spatial_id = 1;
  upper.layers->inter_layer_dependency = true;
  upper.ends_frame = false;
  auto first = write(base);
  const base::Buffer key = hex_bytes("82 49 83 42 00 13 F0 0E F0 00 11 22");  // 320x240
  first.insert(first.end(), key.begin(), key.end());
  auto second = write(upper);
  second.insert(second.end(), 200, 0x55);
  upper.begins_frame = false;
  upper.ends_frame = true;
  auto third = write(upper);
  third.insert(third.end(), 100, 0x66);
  CHECK(depacketizer.frame_start(first).value() == FrameStart::kStarts);
  CHECK(depacketizer.frame_start(second).value() == FrameStart::kContinues);  // a later layer of the picture
  depacketizer.begin_frame();
  base::Buffer frame;
  for (const auto* payload : {&first, &second, &third}) REQUIRE(depacketizer.append(*payload, frame).ok());
  auto info = depacketizer.finish(frame);
  REQUIRE(info.ok());
  CHECK(info->key_frame);
  CHECK(info->width == 320);
  // 12 + 300 bytes, then the index: marker (2 frames, 2-byte sizes), 12, 300, marker.
  REQUIRE(frame.size() == 312 + 6);
  CHECK(base::Buffer(frame.view().subspan(312)) == hex_bytes("C9 0C 00 2C 01 C9"));
  // A continuation with no layer frame begun is refused.
  depacketizer.begin_frame();
  base::Buffer other;
  CHECK(depacketizer.append(third, other).error().code == base::ErrorCode::kMalformed);
  CHECK(depacketizer.finish(other).error().code == base::ErrorCode::kMalformed);
}
