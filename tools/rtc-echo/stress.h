// The messages of echo test type 3: per channel, binary and text messages from 1 B to
// 64 KiB, each with a (size, binary) pair of its own so an echo identifies its message.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rtcstack::echo {

struct StressMessage {
  bool binary;
  std::vector<std::uint8_t> bytes;
};

/// Deterministic contents: the channel's seed and the message's position.
std::vector<StressMessage> stress_messages(std::uint32_t seed);

}  // namespace rtcstack::echo
