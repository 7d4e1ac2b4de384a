// The H.264 RTP payload format (RFC 6184): Annex B streams, single NAL unit, STAP-A and
// FU-A packets in packetization-modes 1 and 0, parameter sets kept and put in front of an
// IDR picture sent without them, and payloads that break the format's rules.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "hex_bytes.h"
#include "media/frame_assembler.h"
#include "media/h264_payload.h"
#include "media/rtp_packet.h"

using namespace rtcstack;
using namespace rtcstack::media;
using testing::hex_bytes;

namespace {

// NAL units shaped like an encoder's: header byte, then content.
std::vector<std::uint8_t> nal(std::uint8_t header, std::size_t size, std::uint8_t seed = 1) {
  std::vector<std::uint8_t> out(size);
  out[0] = header;
  for (std::size_t i = 1; i < size; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 13 % 251 + 1);  // never 0
  return out;
}

std::vector<std::uint8_t> annex_b(const std::vector<std::vector<std::uint8_t>>& units) {
  std::vector<std::uint8_t> out;
  for (const auto& unit : units) {
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), unit.begin(), unit.end());
  }
  return out;
}

std::vector<std::vector<std::uint8_t>> payloads(H264Packetizer& packetizer, const std::vector<std::uint8_t>& frame,
                                                std::size_t max_payload) {
  REQUIRE(packetizer.start(frame, false, max_payload).ok());
  std::vector<std::vector<std::uint8_t>> out;
  std::array<std::uint8_t, 1500> buffer{};
  while (auto next = packetizer.next(buffer)) {
    CHECK(next->size() <= max_payload);
    out.emplace_back(next->begin(), next->end());
  }
  return out;
}

base::Buffer rtp(std::uint16_t sequence, std::uint32_t timestamp, const std::vector<std::uint8_t>& payload, bool marker) {
  RtpHeader header;
  header.payload_type = 102;
  header.sequence_number = sequence;
  header.timestamp = timestamp;
  header.marker = marker;
  base::Buffer out(1500);
  auto written = write_rtp(header, payload, out.mutable_view());
  REQUIRE(written.ok());
  out.resize(written->size());
  return out;
}

const std::vector<std::uint8_t> kSps = nal(0x67, 12, 3), kPps = nal(0x68, 4, 5);

}  // namespace

TEST_CASE("an Annex B stream splits into NAL units at three- and four-byte start codes", "[h264]") {
  const base::Buffer stream = hex_bytes("FF 00 00 01 67 42 00 00 00 01 68 CE 00 00 01 00 00 01 65 88 00 00");
  AnnexBReader reader(stream);
  CHECK(base::Buffer(*reader.next()) == hex_bytes("67 42"));  // the leading FF is not a unit
  CHECK(base::Buffer(*reader.next()) == hex_bytes("68 CE"));
  CHECK(base::Buffer(*reader.next()) == hex_bytes("65 88"));  // the empty unit between is skipped
  CHECK_FALSE(reader.next());
  CHECK_FALSE(AnnexBReader(hex_bytes("00 00 02 65")).next());
}

TEST_CASE("mode 1: parameter sets aggregated in a STAP-A, a large slice in FU-A fragments of equal size", "[h264]") {
  const auto idr = nal(0x65, 3000);
  const auto frame = annex_b({kSps, kPps, idr});
  H264Packetizer packetizer;
  std::array<std::uint8_t, 1500> buffer{};
  REQUIRE(packetizer.start(frame, true, 1200).ok());
  std::vector<std::vector<std::uint8_t>> sent;
  while (auto next = packetizer.next(buffer)) {
    sent.emplace_back(next->begin(), next->end());
    CHECK(packetizer.last_was_final() == (sent.size() == 4));
  }
  REQUIRE(sent.size() == 4);
  // STAP-A: F 0, NRI the highest of its units (3), type 24; then size-prefixed units.
  CHECK(sent[0][0] == 0x78);
  CHECK(sent[0].size() == 1 + 2 + kSps.size() + 2 + kPps.size());
  CHECK(sent[0][1] == 0);
  CHECK(sent[0][2] == kSps.size());
  // FU-A: indicator with the NAL's F and NRI and type 28; header S/E and the NAL's type.
  std::size_t smallest = SIZE_MAX, largest = 0;
  for (std::size_t i = 1; i < 4; ++i) {
    CHECK(sent[i][0] == 0x7C);
    CHECK(sent[i][1] == ((i == 1 ? 0x80 : 0) | (i == 3 ? 0x40 : 0) | 5));
    smallest = std::min(smallest, sent[i].size());
    largest = std::max(largest, sent[i].size());
  }
  CHECK(largest - smallest <= 1);

  // Read back: the same Annex B stream, four-byte start codes.
  H264Depacketizer depacketizer;
  depacketizer.begin_frame();
  base::Buffer rebuilt;
  for (const auto& payload : sent) REQUIRE(depacketizer.append(payload, rebuilt).ok());
  auto info = depacketizer.finish(rebuilt);
  REQUIRE(info.ok());
  CHECK(info->key_frame);
  CHECK(rebuilt == base::Buffer(frame));
}

TEST_CASE("mode 1: a unit that fits alone goes as a single NAL unit packet", "[h264]") {
  const auto slice = nal(0x41, 800);
  H264Packetizer packetizer;
  const auto sent = payloads(packetizer, annex_b({slice}), 1200);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0] == slice);
  CHECK(packetizer.last_was_final());
  // Two that fit together share a STAP-A; a third that does not goes on its own.
  const auto more = payloads(packetizer, annex_b({nal(0x41, 500), nal(0x41, 500), nal(0x41, 500)}), 1200);
  REQUIRE(more.size() == 2);
  CHECK((more[0][0] & 0x1F) == h264_nal::kStapA);
  CHECK(more[1].size() == 500);
}

TEST_CASE("mode 0 sends every NAL unit whole and refuses one larger than a payload", "[h264]") {
  H264Packetizer packetizer(0);
  const auto sent = payloads(packetizer, annex_b({kSps, kPps, nal(0x65, 1000)}), 1200);
  REQUIRE(sent.size() == 3);
  CHECK(sent[0] == kSps);
  CHECK(sent[1] == kPps);
  CHECK(sent[2].size() == 1000);
  CHECK(packetizer.start(annex_b({nal(0x65, 1300)}), true, 1200).error().code == base::ErrorCode::kInvalidArgument);
  CHECK(packetizer.start(hex_bytes("00 00 00"), true, 1200).error().code == base::ErrorCode::kInvalidArgument);
  CHECK(packetizer.start(annex_b({kSps}), true, 2).error().code == base::ErrorCode::kInvalidArgument);
}

TEST_CASE("an IDR picture sent without parameter sets gets the stream's last ones in front", "[h264]") {
  FrameAssembler assembler(VideoCodec::kH264);
  // Frame 1: SPS and PPS in a STAP-A of their own, then the IDR slice (Chromium's shape).
  std::vector<std::uint8_t> stap = {0x78};
  for (const auto* unit : {&kSps, &kPps}) {
    stap.push_back(0);
    stap.push_back(static_cast<std::uint8_t>(unit->size()));
    stap.insert(stap.end(), unit->begin(), unit->end());
  }
  const auto idr = nal(0x65, 200);
  CHECK_FALSE(assembler.push(*RtpPacket::parse(rtp(1, 0, stap, false))));
  auto first = assembler.push(*RtpPacket::parse(rtp(2, 0, idr, true)));
  REQUIRE(first);
  CHECK(first->key_frame);
  CHECK(first->decodable);
  CHECK(base::Buffer(first->bytes) == base::Buffer(annex_b({kSps, kPps, idr})));
  // Frame 2: an IDR alone. The assembler puts SPS and PPS in front.
  auto second = assembler.push(*RtpPacket::parse(rtp(3, 3000, idr, true)));
  REQUIRE(second);
  CHECK(second->key_frame);
  CHECK(base::Buffer(second->bytes) == base::Buffer(annex_b({kSps, kPps, idr})));
  // A P slice is a delta frame.
  auto third = assembler.push(*RtpPacket::parse(rtp(4, 6000, nal(0x41, 100), true)));
  REQUIRE(third);
  CHECK_FALSE(third->key_frame);
  CHECK(third->decodable);
}

TEST_CASE("an IDR picture with no parameter sets known is no key frame", "[h264]") {
  FrameAssembler assembler(VideoCodec::kH264);
  auto frame = assembler.push(*RtpPacket::parse(rtp(1, 0, nal(0x65, 100), true)));
  REQUIRE(frame);
  CHECK_FALSE(frame->key_frame);
  CHECK_FALSE(frame->decodable);
  CHECK(assembler.needs_key_frame());
}

TEST_CASE("a missing fragment, or a loss just before a frame's first packet, drops the frame", "[h264]") {
  H264Packetizer packetizer;
  const auto frame = annex_b({kSps, kPps, nal(0x65, 3000)});
  const auto sent = payloads(packetizer, frame, 1200);
  REQUIRE(sent.size() == 4);
  {
    FrameAssembler assembler(VideoCodec::kH264);
    // The middle fragment is lost.
    for (std::uint16_t i : {0, 1, 3}) {
      CHECK_FALSE(assembler.push(*RtpPacket::parse(rtp(i, 0, sent[i], i == 3))));
    }
    CHECK(assembler.frames_dropped() == 1);
    CHECK(assembler.needs_key_frame());
  }
  {
    FrameAssembler assembler(VideoCodec::kH264);
    // The STAP-A is lost: the IDR's first fragment could begin the frame, but after a gap
    // nothing says it does (here it did not).
    for (std::uint16_t i : {1, 2, 3}) {
      REQUIRE(assembler.push(*RtpPacket::parse(rtp(10 + i, 0, sent[i], false))) == std::nullopt);
    }
    // A new timestamp ends it unfinished; the next frame is whole but its reference is gone.
    const auto next = assembler.push(*RtpPacket::parse(rtp(14, 3000, nal(0x41, 50), true)));
    REQUIRE(next);
    CHECK_FALSE(next->decodable);
    CHECK(assembler.frames_dropped() == 1);
    CHECK(assembler.frames_completed() == 1);
  }
  {
    FrameAssembler assembler(VideoCodec::kH264);
    // A fragment from the middle first: not the start of anything.
    CHECK_FALSE(assembler.push(*RtpPacket::parse(rtp(0, 0, sent[2], false))));
    CHECK(assembler.frames_completed() == 0);
  }
}

TEST_CASE("payloads that break RFC 6184 are refused with the reason", "[h264][malformed]") {
  H264Depacketizer depacketizer;
  const auto code = [&](const char* hex) { return depacketizer.frame_start(hex_bytes(hex)).error().code; };
  CHECK(depacketizer.frame_start({}).error().code == base::ErrorCode::kTruncated);
  CHECK(code("00 11") == base::ErrorCode::kMalformed);        // type 0: reserved
  CHECK(code("1E 11") == base::ErrorCode::kMalformed);        // type 30
  CHECK(code("19 00 01 41") == base::ErrorCode::kUnsupported);  // STAP-B: interleaved mode
  CHECK(code("1D 85 00") == base::ErrorCode::kUnsupported);     // FU-B
  CHECK(code("7C 85") == base::ErrorCode::kTruncated);          // FU-A without a byte
  CHECK(code("7C C5 00") == base::ErrorCode::kMalformed);       // start and end in one fragment
  CHECK(code("78 00 05 67 42") == base::ErrorCode::kTruncated);  // STAP-A unit past the end
  CHECK(code("78 00") == base::ErrorCode::kTruncated);          // half a size
  CHECK(code("78 00 00") == base::ErrorCode::kMalformed);       // an empty unit
  CHECK(code("78") == base::ErrorCode::kMalformed);             // no unit
  CHECK(depacketizer.frame_start(hex_bytes("7C 05 00")).value() == FrameStart::kContinues);
  CHECK(depacketizer.frame_start(hex_bytes("7C 85 00")).value() == FrameStart::kUnknown);
  CHECK(depacketizer.frame_start(hex_bytes("41 00")).value() == FrameStart::kUnknown);

  // In a frame: a continuing fragment with no start, a start inside another fragment, a
  // fragment of another type, a single unit before a fragment ended.
  base::Buffer frame;
  depacketizer.begin_frame();
  CHECK(depacketizer.append(hex_bytes("7C 05 00"), frame).error().code == base::ErrorCode::kMalformed);
  REQUIRE(depacketizer.append(hex_bytes("7C 85 AA"), frame).ok());
  CHECK(depacketizer.append(hex_bytes("7C 85 AA"), frame).error().code == base::ErrorCode::kMalformed);
  CHECK(depacketizer.append(hex_bytes("7C 01 AA"), frame).error().code == base::ErrorCode::kMalformed);
  CHECK(depacketizer.append(hex_bytes("41 AA"), frame).error().code == base::ErrorCode::kMalformed);
  CHECK(depacketizer.finish(frame).error().code == base::ErrorCode::kMalformed);  // the fragment never ended
  // A frame of parameter sets alone holds no picture.
  depacketizer.begin_frame();
  frame.clear();
  REQUIRE(depacketizer.append(kSps, frame).ok());
  CHECK(depacketizer.finish(frame).error().code == base::ErrorCode::kMalformed);
}
