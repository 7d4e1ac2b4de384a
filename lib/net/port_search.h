// Finding a free port of a PortRange: the same search for every socket lib/net binds (UDP
// host sockets, TCP connections to TURN servers). Internal to lib/net.
#pragma once

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/socket_address.h"
#include "net/port_range.h"

namespace rtcstack::net {

/// Calls `bind(address)` for `ip` on each port of `range` from `first` on, wrapping round,
/// until one succeeds or fails other than with EADDRINUSE (a port someone holds); with an
/// empty range, once with port 0 (the kernel picks). kResourceExhausted when every port
/// is taken. `bind` returns a base::Result and leaves errno as its bind() left it.
template <class Bind>
auto bind_in_range(const base::IpAddress& ip, PortRange range, std::uint16_t first, std::string_view protocol,
                   Bind&& bind) -> decltype(bind(base::SocketAddress{})) {
  if (range.empty()) return bind(base::SocketAddress(ip, 0));
  const std::uint32_t count = std::uint32_t{range.max} - range.min + 1;
  const std::uint32_t start = range.contains(first) ? std::uint32_t{first} - range.min : 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto port = static_cast<std::uint16_t>(range.min + (start + i) % count);
    auto bound = bind(base::SocketAddress(ip, port));
    if (bound || errno != EADDRINUSE) return bound;
  }
  return base::Error{base::ErrorCode::kResourceExhausted, "no free " + std::string(protocol) + " port on " +
                                                              ip.to_string() + " in " + std::to_string(range.min) +
                                                              "-" + std::to_string(range.max)};
}

}  // namespace rtcstack::net
