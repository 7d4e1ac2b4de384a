// A sliding replay bitmap (the replay list of RFC 3711 §3.3.2, the DTLS window of RFC 6347
// §4.1.2.6): which of the last `size` packet indices below the highest one were accepted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rtcstack::base {

class ReplayWindow {
 public:
  enum class Verdict : std::uint8_t { kNew, kReplay, kTooOld };

  /// `size` packets; storage is allocated here, never per packet.
  explicit ReplayWindow(std::size_t size);
  Verdict check(std::uint64_t index) const;
  /// Marks `index` as seen (after its packet authenticated), sliding the window forward.
  void accept(std::uint64_t index);
  /// The highest index accepted; meaningful once any() is true.
  std::uint64_t highest() const { return highest_; }
  bool any() const { return any_; }

 private:
  bool bit(std::uint64_t index) const;
  void set_bit(std::uint64_t index, bool value);

  std::size_t size_;
  std::vector<std::uint64_t> bits_;  // index i lives at bit i mod capacity
  std::uint64_t highest_ = 0;
  bool any_ = false;
};

}  // namespace rtcstack::base
