#include "sctp/dcep.h"

#include <algorithm>

#include "base/endian.h"

namespace rtcstack::sctp {
namespace {

constexpr std::uint8_t kOpen = 0x03, kAck = 0x02;
constexpr std::size_t kOpenHeader = 12;
constexpr std::uint8_t kUnorderedBit = 0x80;

base::Error malformed(std::string message) { return {base::ErrorCode::kMalformed, std::move(message)}; }

}  // namespace

base::Result<DcepMessage> parse_dcep(base::ByteView bytes) {
  if (bytes.empty()) return malformed("empty DCEP message");
  if (bytes[0] == kAck) return DcepMessage{DcepAck{}};  // RFC 8832 §5.2: anything after the type is ignored
  if (bytes[0] != kOpen) {
    return base::Error{base::ErrorCode::kUnsupported, "unknown DCEP message type " + std::to_string(bytes[0])};
  }
  if (bytes.size() < kOpenHeader) return malformed("DATA_CHANNEL_OPEN shorter than its 12-byte header");
  DcepOpen open;
  const std::uint8_t type = bytes[1];
  open.ordered = (type & kUnorderedBit) == 0;
  switch (type & ~kUnorderedBit) {
    case 0x00: open.reliability = Reliability::kReliable; break;
    case 0x01: open.reliability = Reliability::kLimitedRetransmits; break;
    case 0x02: open.reliability = Reliability::kLimitedLifetime; break;
    default:
      return base::Error{base::ErrorCode::kUnsupported, "unknown DATA_CHANNEL_OPEN channel type " + std::to_string(type)};
  }
  open.priority = base::load_be16(bytes.data() + 2);
  open.reliability_parameter = base::load_be32(bytes.data() + 4);
  const std::size_t label_size = base::load_be16(bytes.data() + 8);
  const std::size_t protocol_size = base::load_be16(bytes.data() + 10);
  if (bytes.size() < kOpenHeader + label_size + protocol_size) {
    return malformed("DATA_CHANNEL_OPEN label and protocol run past the message");
  }
  open.label = base::as_string_view(bytes.subspan(kOpenHeader, label_size));
  open.protocol = base::as_string_view(bytes.subspan(kOpenHeader + label_size, protocol_size));
  return DcepMessage{open};
}

std::size_t dcep_open_size(const DcepOpen& open) { return kOpenHeader + open.label.size() + open.protocol.size(); }

void serialize_dcep_open(const DcepOpen& open, base::MutableByteView out) {
  std::uint8_t type = static_cast<std::uint8_t>(open.reliability);
  if (!open.ordered) type |= kUnorderedBit;
  out[0] = kOpen;
  out[1] = type;
  base::store_be16(out.data() + 2, open.priority);
  base::store_be32(out.data() + 4, open.reliability == Reliability::kReliable ? 0 : open.reliability_parameter);
  base::store_be16(out.data() + 8, static_cast<std::uint16_t>(open.label.size()));
  base::store_be16(out.data() + 10, static_cast<std::uint16_t>(open.protocol.size()));
  std::copy(open.label.begin(), open.label.end(), out.begin() + kOpenHeader);
  std::copy(open.protocol.begin(), open.protocol.end(),
            out.begin() + static_cast<std::ptrdiff_t>(kOpenHeader + open.label.size()));
}

}  // namespace rtcstack::sctp
