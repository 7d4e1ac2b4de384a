// RTCP (RFC 3550 §6): reading compound and reduced-size (RFC 5506) packets one RTCP
// packet at a time, and writing compound packets into a caller buffer. The typed packets
// live in rtcp_reports.h (SR, RR, SDES, BYE, APP), rtcp_feedback.h (NACK, PLI, FIR, REMB)
// and transport_cc.h (transport-wide congestion control feedback).
// Nothing here allocates on success.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::media {

/// Packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611).
enum class RtcpType : std::uint8_t {
  kSenderReport = 200,
  kReceiverReport = 201,
  kSdes = 202,
  kBye = 203,
  kApp = 204,
  kTransportFeedback = 205,  ///< RTPFB: generic NACK (FMT 1), transport-wide CC (FMT 15)
  kPayloadFeedback = 206,    ///< PSFB: PLI (FMT 1), FIR (FMT 4), REMB (FMT 15)
  kExtendedReport = 207,
};
inline constexpr std::size_t kRtcpHeaderSize = 4;

/// One RTCP packet inside a compound. `type` is the raw byte: unknown types are handed
/// out too, so a caller can skip them.
struct RtcpPacket {
  std::uint8_t count = 0;  ///< the 5-bit RC / SC / FMT field
  std::uint8_t type = 0;
  base::ByteView body;   ///< after the 4-byte header, padding removed
  base::ByteView bytes;  ///< the whole packet, header and padding included
};

/// Iterates the packets of a compound. parse() validates the framing of all of them
/// (version 2, lengths inside the datagram, padding only in the last packet), so next()
/// cannot fail. The first packet may be of any type (reduced-size RTCP, RFC 5506).
class RtcpReader {
 public:
  /// kTruncated: a length field points past the end; kMalformed: version, padding.
  static base::Result<RtcpReader> parse(base::ByteView compound);
  std::optional<RtcpPacket> next();

 private:
  base::ByteView compound_;
  std::size_t offset_ = 0;
};

/// Appends RTCP packets to a caller buffer. The first call that does not fit (or gets an
/// invalid argument) makes the writer fail: later calls do nothing and finish() reports
/// the first error. Typed appenders are free functions in the headers named above.
class RtcpWriter {
 public:
  explicit RtcpWriter(base::MutableByteView out) : out_(out) {}

  /// Reserves a packet of `body_size` bytes (a multiple of 4) with this header and
  /// returns its body to fill, or an empty view once the writer has failed.
  base::MutableByteView begin_packet(RtcpType type, std::uint8_t count, std::size_t body_size);
  /// Marks the writer failed with `error` (the first one wins).
  void fail(base::Error error);
  bool failed() const { return error_.has_value(); }
  std::size_t size() const { return size_; }

  /// The compound written so far.
  base::Result<base::ByteView> finish() const;

 private:
  base::MutableByteView out_;
  std::size_t size_ = 0;
  std::optional<base::Error> error_;
};

}  // namespace rtcstack::media
