// The send side of repair (RFC 4585 generic NACK, RFC 4588 RTX): a ring of the packets
// sent last, looked up by sequence number when a NACK names them, and the RTX packet
// format that carries a retransmission on its own SSRC and payload type. The ring's
// storage is allocated as it fills, a chunk of 8 slots at a time (a stream that sends
// a few packets holds a few kilobytes, not capacity times max_packet); once every chunk
// is there, storing and finding packets allocates nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "base/byte_budget.h"
#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "media/rtp_packet.h"

namespace rtcstack::media {

class RetransmissionBuffer {
 public:
  /// Keeps up to `capacity` packets of up to `max_packet` bytes each, for `max_age`.
  /// Each chunk of storage is taken from `budget` (when given, it must outlive this):
  /// when the budget is spent, packets that would need a new chunk are not kept (their
  /// NACKs go unanswered) rather than the process growing.
  explicit RetransmissionBuffer(std::size_t capacity = 1024, std::size_t max_packet = 1500,
                                base::Duration max_age = base::Duration::seconds(1), base::ByteBudget* budget = nullptr);
  ~RetransmissionBuffer();
  RetransmissionBuffer(const RetransmissionBuffer&) = delete;
  RetransmissionBuffer& operator=(const RetransmissionBuffer&) = delete;

  /// Stores a copy of a sent RTP packet (before SRTP); packets too large are not kept.
  void store(base::Instant now, const RtpPacket& packet);
  /// The packet with `sequence`, if it is still held and younger than max_age. The view
  /// is valid until the next store().
  std::optional<base::ByteView> find(base::Instant now, std::uint16_t sequence) const;
  std::size_t capacity() const { return slots_.size(); }
  /// Bytes of packet storage allocated so far.
  std::size_t allocated_bytes() const;

 private:
  struct Slot {
    std::uint16_t sequence = 0;
    bool used = false;
    base::Instant stored;
    std::size_t size = 0;
  };
  static constexpr std::size_t kSlotsPerChunk = 8;
  std::uint8_t* slot_bytes(std::size_t index) const;  // nullptr until its chunk exists

  std::vector<Slot> slots_;
  // Slot i at chunks_[i / kSlotsPerChunk] + (i % kSlotsPerChunk) * max_packet.
  std::vector<std::unique_ptr<std::uint8_t[]>> chunks_;
  std::size_t max_packet_;
  base::Duration max_age_;
  base::ByteBudget* budget_;
};

/// Simulcast (RFC 8852 §3.2): a media packet names its rid, its retransmission the rid it
/// repairs, under another extension id. Extension `from` is carried over as `to` (dropped
/// when `to` is 0); 0 for `from` renames nothing.
struct RidRename {
  std::uint8_t from = 0, to = 0;
};

/// Writes the RTX packet (RFC 4588 §4) for `original`: its header with the RTX payload
/// type, SSRC and sequence number, then the original sequence number, then its payload.
/// Extensions (but the renamed one, see RidRename) and CSRCs are kept; padding is not.
base::Result<base::ByteView> write_rtx(const RtpPacket& original, std::uint8_t rtx_payload_type, std::uint32_t rtx_ssrc,
                                       std::uint16_t rtx_sequence, base::MutableByteView out, RidRename rename = {});

/// What an RTX packet carries: the original sequence number and payload.
struct RtxPayload {
  std::uint16_t original_sequence = 0;
  base::ByteView payload;
};
/// kTruncated for an RTX payload shorter than its 2-byte original sequence number.
base::Result<RtxPayload> parse_rtx(const RtpPacket& rtx);

/// Rebuilds the original packet from an RTX packet: the RTX header with `payload_type`,
/// `ssrc` and the original sequence number, then the original payload. `out` must not
/// overlap the RTX packet. `rename` turns the repaired-rid back into the rid.
base::Result<base::ByteView> restore_from_rtx(const RtpPacket& rtx, std::uint8_t payload_type, std::uint32_t ssrc,
                                              base::MutableByteView out, RidRename rename = {});

}  // namespace rtcstack::media
