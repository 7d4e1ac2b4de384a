// The Data Channel Establishment Protocol (RFC 8832): DATA_CHANNEL_OPEN and
// DATA_CHANNEL_ACK, carried on a channel's own SCTP stream with PPID 50. The parser
// returns views into the caller's bytes; nothing is copied.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::sctp {

/// How a channel delivers (RFC 8832 §5.1 channel types, without the unordered bit).
enum class Reliability : std::uint8_t {
  kReliable,            ///< every message, retransmitted until acknowledged
  kLimitedRetransmits,  ///< given up after `reliability_parameter` retransmissions
  kLimitedLifetime,     ///< given up `reliability_parameter` milliseconds after send()
};

struct DcepOpen {
  Reliability reliability = Reliability::kReliable;
  bool ordered = true;
  std::uint16_t priority = 256;  ///< RFC 8832 §5.1: 128, 256, 512, 1024 from very low to high
  std::uint32_t reliability_parameter = 0;
  std::string_view label;
  std::string_view protocol;
};
struct DcepAck {};
using DcepMessage = std::variant<DcepOpen, DcepAck>;

/// Parses one DCEP message. A label or protocol overrunning the message, or an unknown
/// message or channel type, is kMalformed / kUnsupported.
base::Result<DcepMessage> parse_dcep(base::ByteView bytes);

/// Bytes needed by serialize_dcep_open().
std::size_t dcep_open_size(const DcepOpen& open);
/// Writes `open` into `out` (dcep_open_size() bytes). Label and protocol must each fit
/// in 16 bits of length (checked by the caller's API).
void serialize_dcep_open(const DcepOpen& open, base::MutableByteView out);
inline constexpr std::uint8_t kDcepAckMessage[1] = {0x02};

}  // namespace rtcstack::sctp
