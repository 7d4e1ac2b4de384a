#include "base/buffer_pool.h"

#include <algorithm>
#include <cstring>

namespace rtcstack::base {
namespace {
// A fresh buffer gets room for a full-size packet, so that reusing it for a larger one
// later does not reallocate.
constexpr std::size_t kMinCapacity = 2048;
}  // namespace

BufferPool::BufferPool(std::size_t max_kept) : max_kept_(max_kept) {}

Buffer BufferPool::take(std::size_t size) {
  Buffer buffer;
  if (!kept_.empty()) {
    buffer = std::move(kept_.back());
    kept_.pop_back();
    buffer.clear();
  } else {
    buffer.reserve(std::max(size, kMinCapacity));
  }
  buffer.resize(size);
  return buffer;
}

Buffer BufferPool::copy(ByteView bytes) {
  Buffer buffer = take(bytes.size());
  if (!bytes.empty()) std::memcpy(buffer.data(), bytes.data(), bytes.size());
  return buffer;
}

void BufferPool::give(Buffer buffer) {
  if (buffer.capacity() == 0 || kept_.size() >= max_kept_) return;
  if (kept_.capacity() == 0) kept_.reserve(max_kept_);
  kept_.push_back(std::move(buffer));
}

}  // namespace rtcstack::base
