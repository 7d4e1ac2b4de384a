// Buffers handed back after use, so that a producer of one packet after another stops
// allocating: copy() refills a returned buffer (its capacity kept) when there is one.
#pragma once

#include <cstddef>
#include <vector>

#include "base/bytes.h"

namespace rtcstack::base {

class BufferPool {
 public:
  /// At most `max_kept` buffers wait for reuse; more given back are freed.
  explicit BufferPool(std::size_t max_kept = 32);
  /// A buffer holding a copy of `bytes`: a returned one when there is one.
  Buffer copy(ByteView bytes);
  /// A buffer of `size` bytes of unspecified content, to be filled by the caller.
  Buffer take(std::size_t size);
  /// Takes `buffer` back for a later copy().
  void give(Buffer buffer);

 private:
  std::vector<Buffer> kept_;
  std::size_t max_kept_;
};

}  // namespace rtcstack::base
