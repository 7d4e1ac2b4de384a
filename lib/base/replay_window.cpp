#include "base/replay_window.h"

namespace rtcstack::base {

ReplayWindow::ReplayWindow(std::size_t size) : size_(size), bits_((size + 63) / 64 + 1, 0) {}

bool ReplayWindow::bit(std::uint64_t index) const {
  const std::uint64_t at = index % (bits_.size() * 64);
  return (bits_[at / 64] >> (at % 64)) & 1u;
}

void ReplayWindow::set_bit(std::uint64_t index, bool value) {
  const std::uint64_t at = index % (bits_.size() * 64);
  const std::uint64_t mask = std::uint64_t{1} << (at % 64);
  bits_[at / 64] = value ? bits_[at / 64] | mask : bits_[at / 64] & ~mask;
}

ReplayWindow::Verdict ReplayWindow::check(std::uint64_t index) const {
  if (!any_ || index > highest_) return Verdict::kNew;
  if (highest_ - index >= size_) return Verdict::kTooOld;
  return bit(index) ? Verdict::kReplay : Verdict::kNew;
}

void ReplayWindow::accept(std::uint64_t index) {
  if (!any_) {
    any_ = true;
    highest_ = index;
  } else if (index > highest_) {
    // The slots the window slides over belong to indices never seen: clear them.
    const std::uint64_t capacity = bits_.size() * 64;
    if (index - highest_ >= capacity) {
      for (auto& word : bits_) word = 0;
    } else {
      for (std::uint64_t i = highest_ + 1; i < index; ++i) set_bit(i, false);
    }
    highest_ = index;
  }
  set_bit(index, true);
}

}  // namespace rtcstack::base
