// SocketAddress to and from the kernel's sockaddr, both families: what every socket of
// lib/net (and a test's own socket) converts through. Internal to lib/net; not installed.
#pragma once

#include <sys/socket.h>

#include <optional>

#include "base/socket_address.h"

namespace rtcstack::net {

/// Fills `out` and returns the size of the sockaddr_in or sockaddr_in6 in it.
socklen_t to_sockaddr(const base::SocketAddress& address, sockaddr_storage& out);
/// nullopt for a family other than AF_INET and AF_INET6.
std::optional<base::SocketAddress> from_sockaddr(const sockaddr* address);

}  // namespace rtcstack::net
