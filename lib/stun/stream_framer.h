// STUN and ChannelData messages out of a byte stream: TURN over TCP or TLS (RFC 8656
// §12.5). A stream has no datagram boundaries; each message says its own length - a STUN
// message 20 bytes of header plus its length field, ChannelData 4 plus its length,
// padded to a multiple of 4 - and the first byte tells which it is (RFC 7983: 0-3 STUN,
// 64-79 ChannelData). Anything else means the stream is not TURN (or lost its framing):
// the framer says so and takes nothing more, and the caller closes the connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::stun {

class StreamFramer {
 public:
  /// The longest message a stream can carry: a STUN message of the largest length field.
  static constexpr std::size_t kMaxMessage = 20 + 0xffff;

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
  std::vector<std::uint8_t> buffer_;
  std::size_t start_ = 0;  // where the next message begins
  bool broken_ = false;
};

}  // namespace rtcstack::stun
