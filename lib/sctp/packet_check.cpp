#include "sctp/packet_check.h"

#include <string>

#include "base/endian.h"

namespace rtcstack::sctp {
namespace {

constexpr std::size_t kCommonHeader = 12, kChunkHeader = 4, kTlvHeader = 4;

base::Error malformed(std::string message) { return {base::ErrorCode::kMalformed, std::move(message)}; }

std::size_t padded(std::size_t length) { return (length + 3) & ~std::size_t{3}; }

// Where a chunk's TLVs (parameters or error causes) start, after its header and fixed
// fields; 0 for chunk types without TLVs.
std::size_t tlv_offset(std::uint8_t type) {
  switch (type) {
    case 1:     // INIT
    case 2:     // INIT ACK: tag, a_rwnd, streams, initial TSN
      return kChunkHeader + 16;
    case 4:     // HEARTBEAT
    case 5:     // HEARTBEAT ACK
    case 6:     // ABORT
    case 9:     // ERROR
    case 130:   // RE-CONFIG
      return kChunkHeader;
    case 0x80:  // ASCONF ACK: serial number
    case 0xc1:  // ASCONF: serial number (then an address parameter, also a TLV)
      return kChunkHeader + 4;
    default:
      return 0;
  }
}

base::Result<void> check_tlvs(base::ByteView chunk, std::size_t offset, std::uint8_t type) {
  while (offset < chunk.size()) {
    if (chunk.size() - offset < kTlvHeader) {
      return malformed("chunk type " + std::to_string(type) + " ends inside a parameter header");
    }
    const std::size_t length = base::load_be16(chunk.data() + offset + 2);
    if (length < kTlvHeader || length > chunk.size() - offset) {
      return malformed("chunk type " + std::to_string(type) + " has a parameter of length " + std::to_string(length) +
                       " at offset " + std::to_string(offset));
    }
    offset += padded(length);
  }
  return {};
}

}  // namespace

base::Result<void> check_packet(base::ByteView packet) {
  if (packet.size() < kCommonHeader + kChunkHeader) return malformed("shorter than a header and one chunk");
  std::size_t offset = kCommonHeader;
  while (offset < packet.size()) {
    if (packet.size() - offset < kChunkHeader) return malformed("ends inside a chunk header");
    const std::uint8_t type = packet[offset];
    const std::size_t length = base::load_be16(packet.data() + offset + 2);
    if (length < kChunkHeader || length > packet.size() - offset) {
      return malformed("chunk type " + std::to_string(type) + " has length " + std::to_string(length));
    }
    const std::size_t tlvs = tlv_offset(type);
    if (tlvs != 0) {
      if (length < tlvs) return malformed("chunk type " + std::to_string(type) + " is shorter than its fixed fields");
      auto checked = check_tlvs(packet.subspan(offset, length), tlvs, type);
      if (!checked) return checked;
    }
    offset += padded(length);
  }
  return {};
}

}  // namespace rtcstack::sctp
