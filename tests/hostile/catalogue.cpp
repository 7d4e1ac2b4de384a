#include "catalogue.h"

#include <catch2/catch.hpp>

#include "base/endian.h"
#include "ice/check_messages.h"
#include "media/av1_payload.h"
#include "media/h264_payload.h"
#include "media/opus_payload.h"
#include "media/red_payload.h"
#include "media/rtcp_packet.h"
#include "media/rtcp_reports.h"
#include "media/rtp_packet.h"
#include "media/vp8_payload.h"
#include "media/vp9_payload.h"
#include "sctp/dcep.h"
#include "sdp/session_description.h"
#include "stun/channel_data.h"
#include "stun/message.h"

namespace rtcstack::testing {

base::Buffer bytes_of(std::initializer_list<int> values) {
  base::Buffer out;
  for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

namespace {

// A STUN header (Binding request) with `length` in its length field, then `body`.
base::Buffer stun_with(std::uint16_t length, std::initializer_list<int> body) {
  base::Buffer out = bytes_of({0x00, 0x01, length >> 8, length & 0xff, 0x21, 0x12, 0xa4, 0x42});
  for (int i = 0; i < 12; ++i) out.push_back(static_cast<std::uint8_t>(i + 1));  // transaction id
  for (int v : body) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

// --- Parser rows: every one must be refused ---------------------------------------



template <class Parse>
std::function<base::Result<void>(base::ByteView)> refuses(Parse parse) {
  return [parse](base::ByteView bytes) -> base::Result<void> {
    auto result = parse(bytes);
    if (!result) return result.error();
    return {};
  };
}

const auto stun_parse = refuses([](base::ByteView b) { return stun::StunMessage::parse(b); });
const auto rtp_parse = refuses([](base::ByteView b) { return media::RtpPacket::parse(b); });
const auto vp8_parse = refuses([](base::ByteView b) { return media::parse_vp8_payload(b); });
const auto vp9_parse = refuses([](base::ByteView b) { return media::parse_vp9_payload(b); });
const auto red_parse = refuses([](base::ByteView b) { return media::parse_red_payload(b, 0); });
// The payload formats without a parser of their own: what the frame assembler asks first.
const auto h264_parse = refuses([](base::ByteView b) { return media::H264Depacketizer().frame_start(b); });
const auto av1_parse = refuses([](base::ByteView b) { return media::Av1Depacketizer().frame_start(b); });
const auto dcep_parse = refuses([](base::ByteView b) { return sctp::parse_dcep(b); });
const auto channel_data_parse = refuses([](base::ByteView b) { return stun::parse_channel_data(b); });
const auto opus_parse = refuses([](base::ByteView b) { return media::parse_opus_packet(b); });
const auto sdp_parse = refuses([](base::ByteView b) {
  return sdp::SessionDescription::parse(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
});
// An RTCP compound whose every packet must also pass its typed parser.
const std::function<base::Result<void>(base::ByteView)> rtcp_parse = [](base::ByteView b) -> base::Result<void> {
  auto reader = media::RtcpReader::parse(b);
  if (!reader) return reader.error();
  while (auto packet = reader->next()) {
    base::Result<void> typed;
    switch (static_cast<media::RtcpType>(packet->type)) {
      case media::RtcpType::kSenderReport:
        if (auto r = media::parse_sender_report(*packet); !r) typed = r.error();
        break;
      case media::RtcpType::kReceiverReport:
        if (auto r = media::parse_receiver_report(*packet); !r) typed = r.error();
        break;
      case media::RtcpType::kSdes:
        if (auto r = media::parse_sdes(*packet); !r) typed = r.error();
        break;
      case media::RtcpType::kBye:
        if (auto r = media::parse_bye(*packet); !r) typed = r.error();
        break;
      default:
        break;
    }
    if (!typed) return typed;
  }
  return {};
};

base::Buffer text_bytes(const std::string& text) {
  return base::Buffer(base::ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::string sdp_with(const std::string& media) {
  return "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n" + media;
}

}  // namespace

std::vector<ParserRow> parser_rows() {
  std::vector<ParserRow> rows;
  // STUN (RFC 8489 §5, §14): lengths that do not add up.
  rows.push_back({"stun", "length field not a multiple of 4", stun_with(6, {0, 6, 0, 2, 1, 2}), stun_parse});
  rows.push_back({"stun", "length field past the datagram", stun_with(64, {0, 6, 0, 4, 'a', 'b', 'c', 'd'}), stun_parse});
  rows.push_back({"stun", "attribute length overruns the message", stun_with(8, {0, 6, 0xff, 0xfc, 'a', 'b', 'c', 'd'}), stun_parse});
  rows.push_back({"stun", "attribute header cut short", stun_with(4, {0, 6, 0, 4}), stun_parse});
  rows.push_back({"stun", "MESSAGE-INTEGRITY of 4 bytes (underflow of its HMAC)", stun_with(8, {0, 8, 0, 4, 1, 2, 3, 4}), stun_parse});
  rows.push_back({"stun", "FINGERPRINT of 2 bytes", stun_with(8, {0x80, 0x28, 0, 2, 1, 2, 0, 0}), stun_parse});
  rows.push_back({"stun", "XOR-MAPPED-ADDRESS of 2 bytes", stun_with(8, {0, 0x20, 0, 2, 0, 1, 0, 0}), stun_parse});
  rows.push_back({"stun", "header only, 19 bytes", base::Buffer(stun_with(0, {}).view().first(19)), stun_parse});
  // ChannelData (RFC 8656 §12.4).
  rows.push_back({"turn", "ChannelData length past the datagram", bytes_of({0x40, 0x00, 0x01, 0x00, 1, 2, 3, 4}), channel_data_parse});
  rows.push_back({"turn", "ChannelData header cut", bytes_of({0x40, 0x00, 0x00}), channel_data_parse});
  // RTP (RFC 3550 §5.1, RFC 8285).
  rows.push_back({"rtp", "CSRC count 15 past the end", bytes_of({0x8f, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3}), rtp_parse});
  rows.push_back({"rtp", "header extension length past the end",
                  bytes_of({0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0xff, 0xff, 1, 2, 3, 4}), rtp_parse});
  rows.push_back({"rtp", "header extension header cut", bytes_of({0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe}), rtp_parse});
  rows.push_back({"rtp", "padding count larger than the payload", bytes_of({0xa0, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3, 200}), rtp_parse});
  rows.push_back({"rtp", "padding count of zero", bytes_of({0xa0, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3, 0}), rtp_parse});
  rows.push_back({"rtp", "version 1", bytes_of({0x40, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 1}), rtp_parse});
  // RTCP (RFC 3550 §6).
  rows.push_back({"rtcp", "length field past the compound", bytes_of({0x80, 201, 0, 20, 0, 0, 0, 1}), rtcp_parse});
  rows.push_back({"rtcp", "receiver report counting more blocks than it holds", bytes_of({0x85, 201, 0, 1, 0, 0, 0, 1}), rtcp_parse});
  rows.push_back({"rtcp", "SDES item length past its chunk",
                  bytes_of({0x81, 202, 0, 2, 0, 0, 0, 1, 1, 200, 'a', 'b'}), rtcp_parse});
  rows.push_back({"rtcp", "header cut", bytes_of({0x80, 200, 0}), rtcp_parse});
  // DCEP (RFC 8832 §5.1).
  rows.push_back({"dcep", "label length past the end", bytes_of({3, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 'a'}), dcep_parse});
  rows.push_back({"dcep", "protocol length past the end", bytes_of({3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 'a', 'b'}), dcep_parse});
  rows.push_back({"dcep", "unknown channel type", bytes_of({3, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), dcep_parse});
  // Opus (RFC 6716 §3.2).
  rows.push_back({"opus", "code 3 with zero frames", bytes_of({0x03, 0x00}), opus_parse});
  rows.push_back({"opus", "code 3 with 49 frames (over 120 ms)", bytes_of({0x03, 49, 1, 2, 3}), opus_parse});
  rows.push_back({"opus", "code 2 first frame length past the end", bytes_of({0x02, 250, 1, 2}), opus_parse});
  // H.264 (RFC 6184 §5): reserved types, the interleaved mode's, aggregates and fragments
  // that lie.
  rows.push_back({"h264", "reserved NAL unit type 0", bytes_of({0x00, 0x11}), h264_parse});
  rows.push_back({"h264", "reserved NAL unit type 30", bytes_of({0x1E, 0x11}), h264_parse});
  rows.push_back({"h264", "STAP-B of the interleaved mode", bytes_of({0x19, 0x00, 0x01, 0x41}), h264_parse});
  rows.push_back({"h264", "FU-A with start and end bits", bytes_of({0x7C, 0xC5, 0x00}), h264_parse});
  rows.push_back({"h264", "FU-A without a byte", bytes_of({0x7C, 0x85}), h264_parse});
  rows.push_back({"h264", "STAP-A unit past the payload", bytes_of({0x78, 0x00, 0x05, 0x67, 0x42}), h264_parse});
  rows.push_back({"h264", "STAP-A with an empty unit", bytes_of({0x78, 0x00, 0x00}), h264_parse});
  // VP9 (RFC 9628 §4.2): a flexible picture that refers to itself, or to four others.
  rows.push_back({"vp9", "reference difference 0", bytes_of({0x50, 0x00}), vp9_parse});
  rows.push_back({"vp9", "four references", bytes_of({0x50, 0x03, 0x05, 0x07, 0x09}), vp9_parse});
  // AV1: aggregation headers and element lengths that do not add up.
  rows.push_back({"av1", "no OBU element", bytes_of({0x00}), av1_parse});
  rows.push_back({"av1", "element length past the payload", bytes_of({0x00, 0x05, 0x30}), av1_parse});
  rows.push_back({"av1", "empty element", bytes_of({0x00, 0x00}), av1_parse});
  rows.push_back({"av1", "W says 3 elements, one is there", bytes_of({0x30, 0x01, 0x30}), av1_parse});
  rows.push_back({"av1", "element length cut short", bytes_of({0x00, 0x80}), av1_parse});
  // RED (RFC 2198 §3): headers without an end, blocks past the payload.
  rows.push_back({"red", "headers without the final one", bytes_of({0xEF, 0x0F, 0x00, 0x03}), red_parse});
  rows.push_back({"red", "block header cut short", bytes_of({0xEF, 0x0F, 0x00}), red_parse});
  rows.push_back({"red", "block past the payload", bytes_of({0xEF, 0x0F, 0x00, 0x09, 0x6F, 0xAA}), red_parse});
  // SDP: huge counts and sizes, absurd numbers (sdp::Limits).
  {
    std::string lines;
    for (std::size_t i = 0; i <= sdp::Limits::kMaxLines; ++i) lines += "a=x\r\n";
    rows.push_back({"sdp", "more lines than kMaxLines", text_bytes(sdp_with(lines)), sdp_parse});
    rows.push_back({"sdp", "a giant attribute", text_bytes(sdp_with("a=tool:" + std::string(sdp::Limits::kMaxLineBytes, 'x') + "\r\n")), sdp_parse});
    std::string sections;
    for (std::size_t i = 0; i <= sdp::Limits::kMaxMediaSections; ++i) sections += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
    rows.push_back({"sdp", "more m-sections than kMaxMediaSections", text_bytes(sdp_with(sections)), sdp_parse});
    rows.push_back({"sdp", "more bytes than kMaxBytes", text_bytes(sdp_with(std::string(sdp::Limits::kMaxBytes, '\n'))), sdp_parse});
    rows.push_back({"sdp", "port 70000", text_bytes(sdp_with("m=audio 70000 UDP/TLS/RTP/SAVPF 111\r\n")), sdp_parse});
    rows.push_back({"sdp", "port count 0", text_bytes(sdp_with("m=audio 9/0 UDP/TLS/RTP/SAVPF 111\r\n")), sdp_parse});
    rows.push_back({"sdp", "candidate port 99999",
                    text_bytes(sdp_with("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=candidate:1 1 udp 1 192.0.2.1 99999 typ host\r\n")), sdp_parse});
  }
  // Truncation at every byte of well-formed messages whose fields are all length-bound.
  {
    media::Vp8Descriptor full;
    full.start_of_partition = true;
    full.picture_id = 0x1234;
    full.tl0_pic_index = 7;
    full.temporal_id = 1;
    full.key_index = 3;
    base::Buffer vp8(media::vp8_descriptor_size(full));
    media::write_vp8_descriptor(full, vp8.mutable_view());
    REQUIRE(media::parse_vp8_payload(vp8).ok());
    for (std::size_t size = 0; size < vp8.size(); ++size) {
      rows.push_back({"vp8", "descriptor truncated to " + std::to_string(size) + " bytes", base::Buffer(vp8.view().first(size)), vp8_parse});
    }
    media::Vp9Descriptor vp9_full;
    vp9_full.picture_id = 0x1234;
    vp9_full.flexible = true;
    vp9_full.inter_predicted = true;
    vp9_full.layers = media::Vp9Descriptor::Layers{1, true, 1, true, std::nullopt};
    vp9_full.reference_count = 2;
    vp9_full.reference_differences = {1, 2, 0};
    media::Vp9ScalabilityStructure ss;
    ss.spatial_layers = 2;
    ss.has_sizes = ss.has_groups = true;
    ss.widths = {320, 640};
    ss.heights = {180, 360};
    ss.group_count = 1;
    ss.groups[0] = {0, false, 1, {1, 0, 0}};
    vp9_full.scalability = ss;
    base::Buffer vp9(media::vp9_descriptor_size(vp9_full));
    media::write_vp9_descriptor(vp9_full, vp9.mutable_view());
    REQUIRE(media::parse_vp9_payload(vp9).ok());
    for (std::size_t size = 0; size < vp9.size(); ++size) {
      rows.push_back({"vp9", "descriptor truncated to " + std::to_string(size) + " bytes", base::Buffer(vp9.view().first(size)), vp9_parse});
    }
    sctp::DcepOpen open;
    open.label = "chat";
    open.protocol = "json";
    base::Buffer dcep(sctp::dcep_open_size(open));
    sctp::serialize_dcep_open(open, dcep.mutable_view());
    REQUIRE(sctp::parse_dcep(dcep).ok());
    for (std::size_t size = 0; size < dcep.size(); ++size) {
      rows.push_back({"dcep", "DATA_CHANNEL_OPEN truncated to " + std::to_string(size) + " bytes", base::Buffer(dcep.view().first(size)), dcep_parse});
    }
  }
  return rows;
}

std::string ufrag_of(const std::string& sdp) {
  const std::size_t at = sdp.find("a=ice-ufrag:");
  REQUIRE(at != std::string::npos);
  const std::size_t start = at + 12;
  return sdp.substr(start, sdp.find_first_of("\r\n", start) - start);
}



// A DTLS record header: type, version DTLS 1.2, epoch, sequence number, then `body`.
base::Buffer dtls_record(std::uint8_t type, std::uint16_t epoch, std::uint16_t length, const base::Buffer& body) {
  base::Buffer out = bytes_of({type, 0xfe, 0xfd, epoch >> 8, epoch & 0xff, 0, 0, 0, 0, 0x10, 0x00, length >> 8, length & 0xff});
  out.append(body);
  return out;
}

namespace {

// A handshake fragment (RFC 6347 §4.2.2): ClientHello, message length 64, this piece.
base::Buffer handshake_fragment(std::uint32_t offset, std::uint32_t length) {
  base::Buffer body = bytes_of({1, 0, 0, 64, 0, 0, static_cast<int>(offset >> 16), static_cast<int>((offset >> 8) & 0xff),
                                static_cast<int>(offset & 0xff), static_cast<int>(length >> 16), static_cast<int>((length >> 8) & 0xff),
                                static_cast<int>(length & 0xff)});
  for (std::uint32_t i = 0; i < length; ++i) body.push_back(static_cast<std::uint8_t>(i));
  return dtls_record(22, 0, static_cast<std::uint16_t>(body.size()), body);
}

}  // namespace

std::vector<ConnectionRow> connection_rows(const std::string& to_sdp, const std::string& from_sdp) {
  const auto one = [](base::Buffer b) { return [b] { return std::vector<base::Buffer>{b}; }; };
  std::vector<ConnectionRow> rows;
  for (const ParserRow& row : parser_rows()) {
    if (row.layer == "stun") rows.push_back({"stun", row.name, one(row.bytes), true});
  }
  // A parser takes the first message of a buffer; over UDP the agent wants it exact.
  rows.push_back({"stun", "length field short of the datagram (trailing bytes)", one(stun_with(0, {0, 6, 0, 4, 'a', 'b', 'c', 'd'})), true});
  // A nominating Binding request addressed to b but signed with the wrong password.
  {
    base::Buffer buffer(ice::kMaxCheckSize);
    const std::string b_ufrag = ufrag_of(to_sdp);
    const std::string a_ufrag = ufrag_of(from_sdp);
    const ice::CheckRequest request{b_ufrag, a_ufrag, "not the password", 12345, ice::Role::kControlling, 1, true};
    auto signed_request = ice::build_check_request(buffer.mutable_view(), stun::TransactionId{}, request);
    REQUIRE(signed_request.ok());
    rows.push_back({"stun", "nominating Binding request with a wrong MESSAGE-INTEGRITY", one(base::Buffer(*signed_request)), true});
  }
  // SRTP and SRTCP that do not authenticate, or are too short to.
  rows.push_back({"srtcp", "SRTCP of 8 bytes (shorter than header, index and tag)", one(bytes_of({0x80, 201, 0, 1, 0, 0, 0, 7})), true});
  rows.push_back({"srtcp", "SRTCP with a forged tag",
                  one(bytes_of({0x80, 201, 0, 1, 0, 0, 0, 7, 0x80, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})), true});
  rows.push_back({"srtp", "RTP with CSRC count 15 past the end", one(bytes_of({0x8f, 111, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2})), true});
  rows.push_back({"srtp", "RTP with a header extension past the end",
                  one(bytes_of({0x90, 111, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0x40, 0x00, 1, 2, 3, 4})), true});
  {
    base::Buffer forged = bytes_of({0x80, 111, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2});
    for (int i = 0; i < 100; ++i) forged.push_back(static_cast<std::uint8_t>(i));
    rows.push_back({"srtp", "RTP with a forged tag", one(forged), true});
  }
  // Neither STUN, DTLS, RTP nor TURN (RFC 7983 §7): dropped.
  rows.push_back({"demux", "first byte 70", one(bytes_of({70, 1, 2, 3})), true});
  rows.push_back({"demux", "empty datagram", one(base::Buffer()), true});
  // DTLS after the handshake: records OpenSSL must discard.
  rows.push_back({"dtls", "application data under a bad MAC", one(dtls_record(23, 1, 40, base::Buffer(40))), false});
  rows.push_back({"dtls", "record length past the datagram", one(dtls_record(23, 1, 2000, base::Buffer(10))), true});
  rows.push_back({"dtls", "record header cut", one(bytes_of({23, 0xfe, 0xfd, 0, 1})), true});
  rows.push_back({"dtls", "zero-length handshake fragment", one(handshake_fragment(0, 0)), false});
  rows.push_back({"dtls", "overlapping handshake fragments",
                  [] { return std::vector<base::Buffer>{handshake_fragment(0, 40), handshake_fragment(20, 40), handshake_fragment(10, 10)}; },
                  false});
  rows.push_back({"dtls", "a flood of 2000 application-data records",
                  [] { return std::vector<base::Buffer>(2000, dtls_record(23, 1, 100, base::Buffer(100))); }, false});
  rows.push_back({"dtls", "a content type DTLS does not have", one(dtls_record(30, 1, 4, base::Buffer(4))), true});
  rows.push_back({"dtls", "a second record cut short", [] {
                    base::Buffer two = dtls_record(23, 1, 4, base::Buffer(4));
                    two.append(bytes_of({23, 0xfe, 0xfd, 0}));
                    return std::vector<base::Buffer>{two};
                  }, true});
  return rows;
}

}  // namespace rtcstack::testing
