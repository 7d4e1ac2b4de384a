#include "base/bytes.h"

#include <algorithm>
#include <cstring>

namespace rtcstack::base {

bool bytes_equal(ByteView a, ByteView b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

Buffer::Buffer(std::size_t size) { resize(size); }

Buffer::Buffer(ByteView bytes) { append(bytes); }

Buffer::Buffer(const Buffer& other) { append(other.view()); }

Buffer& Buffer::operator=(const Buffer& other) {
  if (this != &other) {
    clear();
    append(other.view());
  }
  return *this;
}

Buffer::Buffer(Buffer&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_), capacity_(other.capacity_) {
  other.size_ = 0;
  other.capacity_ = 0;
}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    data_ = std::move(other.data_);
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.size_ = 0;
    other.capacity_ = 0;
  }
  return *this;
}

void Buffer::reserve(std::size_t capacity) {
  if (capacity <= capacity_) return;
  // make_unique_for_overwrite: the new bytes are about to be written, so do not zero them.
  auto grown = std::make_unique_for_overwrite<std::uint8_t[]>(capacity);
  if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
  data_ = std::move(grown);
  capacity_ = capacity;
}

void Buffer::resize(std::size_t size) {
  if (size > capacity_) reserve(std::max(size, capacity_ * 2));
  size_ = size;
}

void Buffer::append(ByteView bytes) {
  if (bytes.empty()) return;
  const std::size_t old_size = size_;
  if (old_size + bytes.size() > capacity_) {
    // `bytes` may alias our storage; copy it into the grown block before the old one dies.
    const std::size_t capacity = std::max(old_size + bytes.size(), capacity_ * 2);
    auto grown = std::make_unique_for_overwrite<std::uint8_t[]>(capacity);
    if (old_size > 0) std::memcpy(grown.get(), data_.get(), old_size);
    std::memcpy(grown.get() + old_size, bytes.data(), bytes.size());
    data_ = std::move(grown);
    capacity_ = capacity;
  } else {
    std::memmove(data_.get() + old_size, bytes.data(), bytes.size());
  }
  size_ = old_size + bytes.size();
}

void Buffer::push_back(std::uint8_t byte) {
  if (size_ == capacity_) reserve(std::max<std::size_t>(16, capacity_ * 2));
  data_[size_++] = byte;
}

}  // namespace rtcstack::base
