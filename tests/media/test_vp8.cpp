#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#include "hex_bytes.h"
#include "media/rtp_packet.h"
#include "media/vp8_assembler.h"
#include "media/vp8_codec.h"
#include "media/vp8_payload.h"

using namespace rtcstack;
using namespace rtcstack::media;
using testing::hex_bytes;

namespace {

// A moving test picture: diagonal gradients that shift with the frame number, and a
// bright square that travels, so consecutive frames differ as camera video does.
struct Picture {
  int width, height;
  std::vector<std::uint8_t> y, u, v;
  Picture(int w, int h) : width(w), height(h), y(static_cast<std::size_t>(w * h)), u(static_cast<std::size_t>(w * h / 4)),
                          v(static_cast<std::size_t>(w * h / 4)) {}
  void draw(int frame) {
    for (int row = 0; row < height; ++row) {
      for (int col = 0; col < width; ++col) {
        const bool square = std::abs(col - (frame * 7) % width) < 24 && std::abs(row - height / 2) < 24;
        y[static_cast<std::size_t>(row * width + col)] = square ? 235 : static_cast<std::uint8_t>(16 + (row + col + frame * 3) % 200);
      }
    }
    for (int row = 0; row < height / 2; ++row) {
      for (int col = 0; col < width / 2; ++col) {
        u[static_cast<std::size_t>(row * width / 2 + col)] = static_cast<std::uint8_t>(128 + (col - frame) % 40);
        v[static_cast<std::size_t>(row * width / 2 + col)] = static_cast<std::uint8_t>(128 + (row + frame) % 40);
      }
    }
  }
  I420View view() const { return {width, height, y.data(), u.data(), v.data(), width, width / 2, width / 2}; }
};

double psnr_y(const Picture& source, const I420View& decoded) {
  double error = 0;
  for (int row = 0; row < source.height; ++row) {
    for (int col = 0; col < source.width; ++col) {
      const double d = double(source.y[static_cast<std::size_t>(row * source.width + col)]) -
                       decoded.y[static_cast<std::size_t>(row * decoded.stride_y + col)];
      error += d * d;
    }
  }
  const double mse = error / (source.width * source.height);
  return mse == 0 ? 99 : 10 * std::log10(255.0 * 255.0 / mse);
}

// Packetizes one frame into RTP packets (bytes kept in `storage`).
std::vector<base::Buffer> packetize(base::ByteView frame, std::uint16_t& sequence, std::uint32_t timestamp,
                                    std::uint16_t picture_id, std::size_t max_payload = 1100) {
  Vp8Packetizer packetizer;
  REQUIRE(packetizer.start(frame, picture_id, max_payload).ok());
  std::vector<base::Buffer> packets;
  std::array<std::uint8_t, 1500> payload{};
  while (auto next = packetizer.next(payload)) {
    RtpHeader header;
    header.payload_type = 96;
    header.sequence_number = sequence++;
    header.timestamp = timestamp;
    header.ssrc = 1;
    header.marker = packetizer.last_was_final();
    base::Buffer packet(1500);
    auto written = write_rtp(header, *next, packet.mutable_view());
    REQUIRE(written.ok());
    packet.resize(written->size());
    packets.push_back(std::move(packet));
  }
  return packets;
}

}  // namespace

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
  Vp8Packetizer packetizer;
  REQUIRE(packetizer.start(frame, 0x1234, 1200).ok());
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
  CHECK_FALSE(packetizer.start({}, 0, 1200).ok());
  CHECK_FALSE(packetizer.start(frame, 0, 4).ok());
}

TEST_CASE("libvpx encodes a moving picture that decodes back close to the source", "[vp8][codec]") {
  Vp8EncoderConfig config;
  config.width = 320;
  config.height = 240;
  config.bitrate_kbps = 800;
  auto encoder = Vp8Encoder::create(config);
  REQUIRE(encoder.ok());
  auto decoder = Vp8Decoder::create();
  REQUIRE(decoder.ok());
  Picture picture(320, 240);
  int key_frames = 0, frames = 0;
  double worst = 99;
  for (int i = 0; i < 30; ++i) {
    picture.draw(i);
    auto encoded = encoder->encode(picture.view(), static_cast<std::uint32_t>(i * 3000), i == 20);
    REQUIRE(encoded.ok());
    REQUIRE(encoded->has_value());
    const EncodedVp8Frame& frame = **encoded;
    auto header = parse_vp8_frame_header(frame.bytes);
    REQUIRE(header.ok());
    CHECK(header->key_frame == frame.key_frame);
    if (i == 0 || i == 20) {
      CHECK(frame.key_frame);  // the first frame, and the one asked for
      CHECK(header->width == 320);
      CHECK(header->height == 240);
    }
    key_frames += frame.key_frame;
    auto decoded = decoder->decode(frame.bytes);
    REQUIRE(decoded.ok());
    CHECK(decoded->width == 320);
    CHECK(decoded->height == 240);
    worst = std::min(worst, psnr_y(picture, *decoded));
    ++frames;
  }
  CHECK(frames == 30);
  CHECK(key_frames == 2);
  INFO("worst luma PSNR " << worst << " dB");
  CHECK(worst > 28.0);
  CHECK(decoder->decode(hex_bytes("11 02 00 FF FF")).error().code == base::ErrorCode::kMalformed);
  CHECK_FALSE(encoder->encode(Picture(64, 64).view(), 0).ok());
}

TEST_CASE("frames go through RTP and come back whole; a lost packet costs frames until a key frame", "[vp8][codec]") {
  Vp8EncoderConfig config;
  config.width = 320;
  config.height = 240;
  auto encoder = Vp8Encoder::create(config);
  REQUIRE(encoder.ok());
  auto decoder = Vp8Decoder::create();
  REQUIRE(decoder.ok());
  Picture picture(320, 240);
  Vp8FrameAssembler assembler;
  CHECK(assembler.needs_key_frame());  // nothing received yet
  std::uint16_t sequence = 65530;       // across the wrap
  int decoded = 0, undecodable = 0;
  int key_frame_at = -1;  // a PLI reaches the sender a frame later
  for (int i = 0; i < 40; ++i) {
    picture.draw(i);
    const bool force = i == key_frame_at;
    auto encoded = encoder->encode(picture.view(), static_cast<std::uint32_t>(i * 3000), force);
    REQUIRE(encoded.ok());
    REQUIRE(encoded->has_value());
    std::vector<base::Buffer> packets = packetize((*encoded)->bytes, sequence, static_cast<std::uint32_t>(i * 3000),
                                                  static_cast<std::uint16_t>(i), 300);
    if (i == 10) {
      REQUIRE(packets.size() >= 2);
      packets.erase(packets.begin() + 1);  // lost in the network, never repaired
    }
    for (const base::Buffer& bytes : packets) {
      auto packet = RtpPacket::parse(bytes);
      REQUIRE(packet.ok());
      auto frame = assembler.push(*packet);
      if (!frame) continue;
      CHECK(frame->timestamp == static_cast<std::uint32_t>(i * 3000));
      CHECK(frame->picture_id == i);
      if (!frame->decodable) {
        ++undecodable;
        continue;
      }
      auto image = decoder->decode(frame->bytes);
      REQUIRE(image.ok());
      CHECK(psnr_y(picture, *image) > 25.0);
      ++decoded;
    }
    if (assembler.needs_key_frame() && key_frame_at < i) key_frame_at = i + 2;  // what a PLI does
  }
  // Frame 10 is dropped; frame 11 arrives whole but refers to it, so it is not decodable
  // and asks again; the key frame forced for frame 12 restores the chain.
  CHECK(assembler.frames_dropped() == 1);
  CHECK(undecodable == 1);
  CHECK(decoded == 38);
  CHECK_FALSE(assembler.needs_key_frame());
}
