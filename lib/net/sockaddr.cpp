#include "net/sockaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace rtcstack::net {

socklen_t to_sockaddr(const base::SocketAddress& address, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (address.ip().is_v4()) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(address.port());
    std::memcpy(&v4->sin_addr, address.ip().bytes().data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(address.port());
  std::memcpy(&v6->sin6_addr, address.ip().bytes().data(), 16);
  return sizeof(sockaddr_in6);
}

std::optional<base::SocketAddress> from_sockaddr(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    auto ip = base::IpAddress::from_bytes(base::ByteView(reinterpret_cast<const std::uint8_t*>(&v4->sin_addr), 4));
    if (ip) return base::SocketAddress(*ip, ntohs(v4->sin_port));
  } else if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    auto ip = base::IpAddress::from_bytes(base::ByteView(reinterpret_cast<const std::uint8_t*>(&v6->sin6_addr), 16));
    if (ip) return base::SocketAddress(*ip, ntohs(v6->sin6_port));
  }
  return std::nullopt;
}

base::Error system_error(const std::string& what) {
  const bool exhausted = errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM;
  return {exhausted ? base::ErrorCode::kResourceExhausted : base::ErrorCode::kInternal,
          what + ": " + std::strerror(errno)};
}

}  // namespace rtcstack::net
