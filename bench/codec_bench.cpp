// Media codecs and their payload formats, one core: what one 640x480 video stream (VP8,
// H.264, VP9, AV1) and one Opus stream cost per frame. A moving picture (gradients and a travelling square)
// at 1 Mbps; Opus mono 20 ms frames of a tone at 32 kbps.
#include <benchmark/benchmark.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "media/opus_codec.h"
#include "media/rtp_packet.h"
#include "media/frame_assembler.h"
#include "media/video_codec.h"
#include "media/video_payload.h"

namespace {

using namespace rtcstack;
using namespace rtcstack::media;

constexpr int kWidth = 640, kHeight = 480;

struct Picture {
  std::vector<std::uint8_t> y = std::vector<std::uint8_t>(kWidth * kHeight);
  std::vector<std::uint8_t> u = std::vector<std::uint8_t>(kWidth * kHeight / 4, 128);
  std::vector<std::uint8_t> v = std::vector<std::uint8_t>(kWidth * kHeight / 4, 128);
  void draw(int frame) {
    for (int row = 0; row < kHeight; ++row) {
      for (int col = 0; col < kWidth; ++col) {
        const bool square = std::abs(col - (frame * 7) % kWidth) < 32 && std::abs(row - kHeight / 2) < 32;
        y[static_cast<std::size_t>(row * kWidth + col)] = square ? 235 : static_cast<std::uint8_t>(16 + (row + col + frame * 3) % 200);
      }
    }
  }
  I420View view() const { return {kWidth, kHeight, y.data(), u.data(), v.data(), kWidth, kWidth / 2, kWidth / 2}; }
};

// 60 encoded frames of the moving picture, the first a key frame.
std::vector<std::vector<std::uint8_t>> encoded_frames(VideoCodec codec) {
  auto encoder = create_video_encoder(codec, {});
  Picture picture;
  std::vector<std::vector<std::uint8_t>> frames;
  for (int i = 0; i < 60; ++i) {
    picture.draw(i);
    auto frame = (*encoder)->encode(picture.view(), static_cast<std::uint32_t>(i * 3000));
    frames.emplace_back((*frame)->bytes.begin(), (*frame)->bytes.end());
  }
  return frames;
}

void video_encode_640x480(benchmark::State& state, VideoCodec codec) {
  auto encoder = create_video_encoder(codec, {});
  std::vector<Picture> pictures(30);
  for (int i = 0; i < 30; ++i) pictures[static_cast<std::size_t>(i)].draw(i);
  std::uint32_t frame = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto encoded = (*encoder)->encode(pictures[frame % 30].view(), frame * 3000);
    bytes += (*encoded) ? (*encoded)->bytes.size() : 0;
    ++frame;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes_per_frame"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}

void video_decode_640x480(benchmark::State& state, VideoCodec codec) {
  const auto frames = encoded_frames(codec);
  auto decoder = create_video_decoder(codec);
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == frames.size()) next = 0;  // back to the key frame
    auto picture = (*decoder)->decode(frames[next++]);
    benchmark::DoNotOptimize(picture);
  }
  state.SetItemsProcessed(state.iterations());
}

// Packetize into 1200-byte RTP packets and reassemble: the payload format's own cost.
void packetize_and_assemble(benchmark::State& state, VideoCodec codec) {
  const auto frames = encoded_frames(codec);
  const auto packetizer = make_packetizer(codec);
  FrameAssembler assembler(codec);
  std::array<std::uint8_t, 1200> payload{};
  std::array<std::uint8_t, 1300> packet{};
  std::uint16_t sequence = 0;
  std::uint32_t index = 0;
  std::size_t packets = 0, frames_out = 0;
  for (auto _ : state) {
    const auto& frame = frames[index % frames.size()];
    (void)packetizer->start(frame, index % frames.size() == 0, payload.size());
    while (auto next = packetizer->next(payload)) {
      RtpHeader header;
      header.payload_type = 96;
      header.sequence_number = sequence++;
      header.timestamp = index * 3000;
      header.marker = packetizer->last_was_final();
      auto bytes = write_rtp(header, *next, packet);
      auto frame_out = assembler.push(*RtpPacket::parse(*bytes));
      frames_out += frame_out.has_value();
      benchmark::DoNotOptimize(frame_out);
      ++packets;
    }
    ++index;
  }
  if (frames_out != static_cast<std::size_t>(state.iterations())) state.SkipWithError("a frame did not come back whole");
  state.SetItemsProcessed(state.iterations());
  state.counters["packets_per_frame"] = static_cast<double>(packets) / static_cast<double>(state.iterations());
}

std::vector<std::int16_t> tone_frame(int frame) {
  std::vector<std::int16_t> pcm(960);
  for (int i = 0; i < 960; ++i) pcm[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(8000 * std::sin(2 * 3.14159265 * 440 * (frame * 960 + i) / 48000.0));
  return pcm;
}

void opus_encode_20ms(benchmark::State& state) {
  auto encoder = OpusAudioEncoder::create({});
  std::vector<std::vector<std::int16_t>> frames;
  for (int i = 0; i < 50; ++i) frames.push_back(tone_frame(i));
  std::array<std::uint8_t, 1500> out{};
  std::size_t index = 0;
  for (auto _ : state) {
    auto packet = encoder->encode(frames[index++ % frames.size()], out);
    benchmark::DoNotOptimize(packet);
  }
  state.SetItemsProcessed(state.iterations());
}

void opus_decode_20ms(benchmark::State& state) {
  auto encoder = OpusAudioEncoder::create({});
  std::vector<std::vector<std::uint8_t>> packets;
  std::array<std::uint8_t, 1500> out{};
  for (int i = 0; i < 50; ++i) {
    auto packet = encoder->encode(tone_frame(i), out);
    packets.emplace_back(packet->begin(), packet->end());
  }
  auto decoder = OpusAudioDecoder::create(1);
  std::vector<std::int16_t> pcm(5760);
  std::size_t index = 0;
  for (auto _ : state) {
    auto samples = decoder->decode(packets[index++ % packets.size()], pcm);
    benchmark::DoNotOptimize(samples);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(video_encode_640x480, vp8, VideoCodec::kVp8)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(video_encode_640x480, h264, VideoCodec::kH264)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(video_decode_640x480, vp8, VideoCodec::kVp8)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(video_decode_640x480, h264, VideoCodec::kH264)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(video_encode_640x480, vp9, VideoCodec::kVp9)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(video_encode_640x480, av1, VideoCodec::kAv1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(video_decode_640x480, vp9, VideoCodec::kVp9)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(video_decode_640x480, av1, VideoCodec::kAv1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(packetize_and_assemble, vp8, VideoCodec::kVp8);
BENCHMARK_CAPTURE(packetize_and_assemble, h264, VideoCodec::kH264);
BENCHMARK_CAPTURE(packetize_and_assemble, vp9, VideoCodec::kVp9);
BENCHMARK_CAPTURE(packetize_and_assemble, av1, VideoCodec::kAv1);
BENCHMARK(opus_encode_20ms);
BENCHMARK(opus_decode_20ms);

}  // namespace
