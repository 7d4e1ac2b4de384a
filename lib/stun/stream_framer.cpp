#include "stun/stream_framer.h"

#include <algorithm>

namespace rtcstack::stun {
namespace {

constexpr std::uint32_t kMagicCookie = 0x2112A442;

std::uint16_t read_u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

}  // namespace

void StreamFramer::append(base::ByteView bytes) {
  if (broken_) return;
  // What was returned already goes first: the buffer holds one partial message at most,
  // so this moves a few bytes, and its capacity stops growing after the first messages.
  if (start_ > 0) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

base::Result<std::optional<base::ByteView>> StreamFramer::next() {
  const auto malformed = [this](const char* what) {
    broken_ = true;
    buffer_.clear();
    start_ = 0;
    return base::Error{base::ErrorCode::kMalformed, what};
  };
  if (broken_) return base::Error{base::ErrorCode::kMalformed, "the stream lost its framing earlier"};
  const std::size_t available = buffer_.size() - start_;
  if (framing_ == Framing::kRfc4571) {
    if (available < 2) return std::optional<base::ByteView>{};
    const std::size_t length = read_u16(buffer_.data() + start_);
    if (available < 2 + length) return std::optional<base::ByteView>{};
    const base::ByteView frame(buffer_.data() + start_ + 2, length);
    start_ += 2 + length;
    return std::optional<base::ByteView>{frame};
  }
  if (available < 4) return std::optional<base::ByteView>{};
  const std::uint8_t* head = buffer_.data() + start_;
  std::size_t length = 0;   // the message
  std::size_t occupies = 0;  // with ChannelData's padding
  if (head[0] < 4) {
    const std::uint16_t body = read_u16(head + 2);
    if (body % 4 != 0) return malformed("a STUN message on the stream whose length is not a multiple of 4");
    if (available >= 8) {
      const std::uint32_t cookie = static_cast<std::uint32_t>(head[4]) << 24 | static_cast<std::uint32_t>(head[5]) << 16 |
                                   static_cast<std::uint32_t>(head[6]) << 8 | head[7];
      if (cookie != kMagicCookie) return malformed("a STUN message on the stream without the magic cookie");
    }
    length = occupies = 20 + std::size_t{body};
  } else if (head[0] >= 0x40 && head[0] <= 0x4f) {
    length = 4 + std::size_t{read_u16(head + 2)};
    occupies = (length + 3) & ~std::size_t{3};
  } else {
    return malformed("bytes on the stream that are neither STUN nor ChannelData");
  }
  if (available < occupies) return std::optional<base::ByteView>{};
  const base::ByteView message(head, length);
  start_ += occupies;
  return std::optional<base::ByteView>{message};
}

}  // namespace rtcstack::stun
