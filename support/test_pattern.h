// Synthetic media for conformance runs, tests and benchmarks, where no camera or
// microphone exists: a moving picture that keeps a video encoder busy the way a real
// scene does (every frame differs, motion across the frame), and a stereo tone.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "media/video_codec.h"

namespace rtcstack::support {

using media::I420View;

/// Drifting diagonal stripes with a bright square crossing the picture, in I420.
class TestPattern {
 public:
  /// `width` and `height` even and positive.
  TestPattern(int width, int height);
  /// Draws frame `index` (30 per second of motion) and returns it; valid until the next draw().
  I420View draw(int index);

 private:
  int width_, height_;
  std::vector<std::uint8_t> y_, u_, v_;
};

/// A 440 Hz tone on the left and 660 Hz on the right, 48 kHz, in 20 ms frames.
class TestTone {
 public:
  static constexpr std::size_t kFrameSamples = 960;  ///< per channel
  static constexpr int kChannels = 2;
  /// Frame `index`, interleaved stereo; valid until the next frame().
  std::span<const std::int16_t> frame(int index);

 private:
  std::vector<std::int16_t> pcm_ = std::vector<std::int16_t>(kFrameSamples * kChannels);
};

}  // namespace rtcstack::support
