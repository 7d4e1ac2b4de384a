// What every socket of lib/net (and a test's own socket) shares: SocketAddress to and from
// the kernel's sockaddr, both families, and errors from errno. Internal to lib/net; not
// installed.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>

#include "base/result.h"
#include "base/socket_address.h"

namespace rtcstack::net {

/// Fills `out` and returns the size of the sockaddr_in or sockaddr_in6 in it.
socklen_t to_sockaddr(const base::SocketAddress& address, sockaddr_storage& out);
/// nullopt for a family other than AF_INET and AF_INET6.
std::optional<base::SocketAddress> from_sockaddr(const sockaddr* address);
/// kResourceExhausted for running out of descriptors or kernel memory (the caller may
/// retry once others are freed), kInternal otherwise; says `what` failed and errno's text.
base::Error system_error(const std::string& what);

}  // namespace rtcstack::net
