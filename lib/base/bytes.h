// Byte views and the owning Buffer. Parsers take views over the caller's bytes and never
// copy; Buffer owns bytes that must outlive the call (a datagram queued for sending).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace rtcstack::base {

/// Read-only view of bytes owned by someone else.
using ByteView = std::span<const std::uint8_t>;
/// Writable view of bytes owned by someone else.
using MutableByteView = std::span<std::uint8_t>;

/// The bytes of a string, without copying.
inline ByteView as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

/// The bytes as characters, without copying (for text protocols such as SDP).
inline std::string_view as_string_view(ByteView bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

/// True when both views hold the same bytes. Not constant time: never use it on secrets.
bool bytes_equal(ByteView a, ByteView b);

/// Owning, growable byte array. Unlike std::vector<uint8_t>, growing it does not
/// zero-fill: a receive buffer that is resized before every read would otherwise clear
/// 64 KiB per datagram. Copies are deep; moves are cheap and leave the source empty.
class Buffer {
 public:
  Buffer() = default;
  /// `size` bytes of unspecified content.
  explicit Buffer(std::size_t size);
  /// A copy of `bytes`.
  explicit Buffer(ByteView bytes);

  Buffer(const Buffer& other);
  Buffer& operator=(const Buffer& other);
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  ~Buffer() = default;

  std::uint8_t* data() { return data_.get(); }
  const std::uint8_t* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }

  std::uint8_t& operator[](std::size_t index) { return data_[index]; }
  std::uint8_t operator[](std::size_t index) const { return data_[index]; }

  std::uint8_t* begin() { return data(); }
  std::uint8_t* end() { return data() + size_; }
  const std::uint8_t* begin() const { return data(); }
  const std::uint8_t* end() const { return data() + size_; }

  ByteView view() const { return {data(), size_}; }
  MutableByteView mutable_view() { return {data(), size_}; }
  operator ByteView() const { return view(); }

  /// Makes room for `capacity` bytes without changing the size.
  void reserve(std::size_t capacity);
  /// Changes the size; bytes past the old size have unspecified content.
  void resize(std::size_t size);
  /// Appends a copy of `bytes` (which may point into this buffer).
  void append(ByteView bytes);
  void push_back(std::uint8_t byte);
  /// Size 0; the capacity stays, so the buffer can be refilled without allocating.
  void clear() { size_ = 0; }

  friend bool operator==(const Buffer& a, const Buffer& b) { return bytes_equal(a, b); }

 private:
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace rtcstack::base
