// Datagrams out of a byte stream, in one of two framings:
// - kTurn: STUN and ChannelData messages, TURN over TCP or TLS (RFC 8656 §12.5). Each
//   message says its own length - a STUN message 20 bytes of header plus its length
//   field, ChannelData 4 plus its length, padded to a multiple of 4 - and the first byte
//   tells which it is (RFC 7983: 0-3 STUN, 64-79 ChannelData). Anything else means the
//   stream is not TURN (or lost its framing): the framer says so and takes nothing more,
//   and the caller closes the connection.
// - kRfc4571: each datagram behind a 16-bit length (RFC 4571 §2), as ICE-TCP carries
//   STUN, DTLS, SRTP and everything else (RFC 6544 §3). Any bytes are a valid stream.
// Both need no copy per message: next() views the framer's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::stun {

enum class Framing : std::uint8_t { kTurn, kRfc4571 };

class StreamFramer {
 public:
  /// The longest message a stream can carry: a STUN message of the largest length field.
  static constexpr std::size_t kMaxMessage = 20 + 0xffff;

  explicit StreamFramer(Framing framing = Framing::kTurn) : framing_(framing) {}

  /// The RFC 4571 header of a frame of `size` bytes (at most 65535) in `out`.
  static void write_rfc4571_header(std::size_t size, std::uint8_t out[2]) {
    out[0] = static_cast<std::uint8_t>(size >> 8);
    out[1] = static_cast<std::uint8_t>(size);
  }

  /// Appends bytes read from the stream (after a framing error, nothing).
  void append(base::ByteView bytes);
  /// The next whole message - a ChannelData one without its padding - valid until the next
  /// call of either method; nullopt until one has come whole. kMalformed, for good, when
  /// the stream carries something else: a first byte of neither kind, a STUN length that
  /// is not a multiple of 4, a missing magic cookie.
  base::Result<std::optional<base::ByteView>> next();
  /// Bytes received and not yet returned (at most kMaxMessage + one append's worth).
  std::size_t buffered() const { return buffer_.size() - start_; }

 private:
  Framing framing_;
  std::vector<std::uint8_t> buffer_;
  std::size_t start_ = 0;  // where the next message begins
  bool broken_ = false;
};

}  // namespace rtcstack::stun
