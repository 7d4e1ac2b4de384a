#include "media/rtcp_packet.h"

#include "base/endian.h"

namespace rtcstack::media {

base::Result<RtcpReader> RtcpReader::parse(base::ByteView compound) {
  if (compound.size() < kRtcpHeaderSize) {
    return base::Error{base::ErrorCode::kTruncated, "RTCP packet shorter than its 4-byte header"};
  }
  std::size_t offset = 0;
  std::size_t index = 0;
  const auto error = [&index](base::ErrorCode code, const std::string& what) {
    return base::Error{code, "RTCP packet " + std::to_string(index + 1) + " of the compound: " + what};
  };
  while (offset < compound.size()) {
    if (compound.size() - offset < kRtcpHeaderSize) {
      return error(base::ErrorCode::kTruncated, "fewer than 4 bytes left for its header");
    }
    const std::uint8_t* header = compound.data() + offset;
    if (header[0] >> 6 != 2) return error(base::ErrorCode::kMalformed, "version is not 2");
    const std::size_t size = 4 * (std::size_t{base::load_be16(header + 2)} + 1);
    if (size > compound.size() - offset) {
      return error(base::ErrorCode::kTruncated, "length " + std::to_string(size) + " bytes runs past the datagram");
    }
    if (header[0] & 0x20) {
      // RFC 3550 §6.4.1: only the last packet of a compound may be padded.
      if (offset + size != compound.size()) return error(base::ErrorCode::kMalformed, "padding on a packet that is not the last");
      const std::size_t padding = compound[offset + size - 1];
      if (padding == 0 || padding > size - kRtcpHeaderSize) {
        return error(base::ErrorCode::kMalformed, "padding count " + std::to_string(padding) + " is invalid");
      }
    }
    offset += size;
    ++index;
  }
  RtcpReader reader;
  reader.compound_ = compound;
  return reader;
}

std::optional<RtcpPacket> RtcpReader::next() {
  if (offset_ >= compound_.size()) return std::nullopt;
  const std::uint8_t* header = compound_.data() + offset_;
  const std::size_t size = 4 * (std::size_t{base::load_be16(header + 2)} + 1);
  RtcpPacket packet;
  packet.count = header[0] & 0x1F;
  packet.type = header[1];
  packet.bytes = compound_.subspan(offset_, size);
  const std::size_t padding = (header[0] & 0x20) ? packet.bytes.back() : 0;
  packet.body = packet.bytes.subspan(kRtcpHeaderSize, size - kRtcpHeaderSize - padding);
  offset_ += size;
  return packet;
}

base::MutableByteView RtcpWriter::begin_packet(RtcpType type, std::uint8_t count, std::size_t body_size) {
  if (error_) return {};
  if (count > 31) {
    fail({base::ErrorCode::kInvalidArgument, "an RTCP packet counts at most 31 items"});
    return {};
  }
  const std::size_t size = kRtcpHeaderSize + body_size;
  if (size > out_.size() - size_) {
    fail({base::ErrorCode::kResourceExhausted, "RTCP compound does not fit its " + std::to_string(out_.size()) + "-byte buffer"});
    return {};
  }
  std::uint8_t* header = out_.data() + size_;
  header[0] = static_cast<std::uint8_t>(0x80 | count);
  header[1] = static_cast<std::uint8_t>(type);
  base::store_be16(header + 2, static_cast<std::uint16_t>(size / 4 - 1));
  size_ += size;
  return out_.subspan(size_ - body_size, body_size);
}

void RtcpWriter::fail(base::Error error) {
  if (!error_) error_ = std::move(error);
}

base::Result<base::ByteView> RtcpWriter::finish() const {
  if (error_) return *error_;
  return base::ByteView(out_.data(), size_);
}

}  // namespace rtcstack::media
