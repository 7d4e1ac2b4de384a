#include "stress.h"

#include <algorithm>

namespace rtcstack::echo {

std::vector<StressMessage> stress_messages(std::uint32_t seed) {
  static constexpr std::size_t kSizes[] = {1, 7, 100, 1000, 1200, 4096, 16384, 65536 - 8};  // + round (0-4): no two alike
  std::vector<StressMessage> messages;
  for (std::size_t round = 0; round < 5; ++round) {
    for (std::size_t base : kSizes) {
      for (bool binary : {true, false}) {
        const std::size_t size = base + round;
        StressMessage message{binary, std::vector<std::uint8_t>(size)};
        std::uint32_t state = seed * 2654435761u + static_cast<std::uint32_t>(size * 2 + binary);
        for (auto& byte : message.bytes) {
          state = state * 1103515245u + 12345u;
          // Text stays printable ASCII (a valid UTF-8 string in a browser).
          byte = binary ? static_cast<std::uint8_t>(state >> 16) : static_cast<std::uint8_t>('!' + (state >> 16) % 90);
        }
        messages.push_back(std::move(message));
      }
    }
  }
  return messages;
}

}  // namespace rtcstack::echo
