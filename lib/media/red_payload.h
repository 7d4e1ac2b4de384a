// Redundant audio (RFC 2198) as WebRTC uses it for Opus: a RED payload carries the
// current Opus packet (the primary, last) after earlier ones (redundant blocks, each with
// its timestamp offset), so a receiver rebuilds a lost packet from the next one without a
// retransmission. Chromium offers "red/48000/2" with fmtp "111/111" (Opus in each block).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::media {

/// One block of a RED payload.
struct RedBlock {
  std::uint8_t payload_type = 0;
  std::uint32_t timestamp = 0;  ///< the RTP timestamp the block's data stands for
  base::ByteView data;
};

/// A RED payload's blocks, oldest first; the primary is the last.
struct RedPayload {
  static constexpr std::size_t kMaxBlocks = 8;
  std::array<RedBlock, kMaxBlocks> blocks{};
  std::size_t count = 0;
  const RedBlock& primary() const { return blocks[count - 1]; }
};

/// `timestamp`: the RTP packet's (the primary's). kTruncated when a header or a block runs
/// past the payload; kMalformed for more than kMaxBlocks blocks.
base::Result<RedPayload> parse_red_payload(base::ByteView payload, std::uint32_t timestamp);

/// Builds RED payloads for one stream: each holds the primary and up to `distance` earlier
/// packets of the same payload type (those that fit the 10-bit block length and the
/// 14-bit timestamp offset). Earlier packets are kept in buffers of its own, reused: no
/// allocation per packet once they have grown.
class RedEncoder {
 public:
  /// `distance`: redundant blocks per packet, 1 or 2 (Chromium sends 1).
  explicit RedEncoder(std::uint8_t payload_type, std::size_t distance = 1);
  /// Writes the RED payload for `primary` taken at `timestamp` into `out` and returns it.
  /// kInvalidArgument when `out` cannot hold it.
  base::Result<base::ByteView> encode(base::ByteView primary, std::uint32_t timestamp, base::MutableByteView out);

 private:
  struct Earlier {
    base::Buffer data;
    std::uint32_t timestamp = 0;
    bool present = false;
  };
  std::uint8_t payload_type_;
  std::size_t distance_;
  std::array<Earlier, 2> earlier_{};  // [0] the last packet, [1] the one before
};

}  // namespace rtcstack::media
