// The ports a runtime's sockets may take: what a firewall that opens only a range needs.
#pragma once

#include <cstdint>

namespace rtcstack::net {

/// The ports sockets may take (inclusive), for a firewall that opens only those; empty
/// (0, 0): any port the kernel picks.
struct PortRange {
  std::uint16_t min = 0, max = 0;
  bool empty() const { return min == 0 && max == 0; }
  bool contains(std::uint16_t port) const { return empty() || (port >= min && port <= max); }
};

}  // namespace rtcstack::net
