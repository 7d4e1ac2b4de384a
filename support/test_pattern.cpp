#include "test_pattern.h"

#include <cmath>
#include <cstdlib>

namespace rtcstack::support {

TestPattern::TestPattern(int width, int height)
    : width_(width),
      height_(height),
      y_(static_cast<std::size_t>(width * height)),
      u_(static_cast<std::size_t>(width * height / 4)),
      v_(static_cast<std::size_t>(width * height / 4)) {}

I420View TestPattern::draw(int index) {
  const int side = std::max(4, height_ / 12);  // the square's half side
  for (int row = 0; row < height_; ++row) {
    for (int col = 0; col < width_; ++col) {
      const bool square = std::abs(col - (index * 6) % width_) < side && std::abs(row - height_ / 2) < side;
      y_[static_cast<std::size_t>(row * width_ + col)] =
          square ? 235 : static_cast<std::uint8_t>(16 + (row + col + index * 4) % 200);
    }
  }
  const int chroma_width = width_ / 2;
  for (std::size_t i = 0; i < u_.size(); ++i) {
    const int at = static_cast<int>(i);
    u_[i] = static_cast<std::uint8_t>(128 + (at / chroma_width + index) % 50);
    v_[i] = static_cast<std::uint8_t>(100 + (at % chroma_width) % 60);
  }
  return {width_, height_, y_.data(), u_.data(), v_.data(), width_, chroma_width, chroma_width};
}

std::span<const std::int16_t> TestTone::frame(int index) {
  constexpr double kTwoPi = 6.283185307179586;
  for (std::size_t i = 0; i < kFrameSamples; ++i) {
    const double t = static_cast<double>(static_cast<std::size_t>(index) * kFrameSamples + i) / 48000.0;
    pcm_[2 * i] = static_cast<std::int16_t>(6000 * std::sin(kTwoPi * 440 * t));
    pcm_[2 * i + 1] = static_cast<std::int16_t>(6000 * std::sin(kTwoPi * 660 * t));
  }
  return pcm_;
}

}  // namespace rtcstack::support
