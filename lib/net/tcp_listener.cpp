#include "net/tcp_listener.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "net/port_search.h"
#include "net/sockaddr.h"

namespace rtcstack::net {
namespace {

// Connections waiting to be accepted: a peer opens one per pair, a browser a handful.
constexpr int kBacklog = 16;

}  // namespace

base::Result<TcpListener> TcpListener::listen(const base::IpAddress& ip, PortRange range, std::uint16_t first) {
  const auto bind_one = [](const base::SocketAddress& address) -> base::Result<TcpListener> {
    const int fd = ::socket(address.ip().is_v4() ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return system_error("socket");
    sockaddr_storage storage;
    const socklen_t size = to_sockaddr(address, storage);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), size) != 0 || ::listen(fd, kBacklog) != 0) {
      auto error = system_error("listen on TCP " + address.to_string());
      const int saved = errno;  // the port-range search reads it
      ::close(fd);
      errno = saved;
      return error;
    }
    socklen_t bound = sizeof storage;
    getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &bound);
    return TcpListener(fd, from_sockaddr(reinterpret_cast<sockaddr*>(&storage)).value_or(address));
  };
  return bind_in_range(ip, range, first, "TCP", bind_one);
}

TcpListener::TcpListener(TcpListener&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), local_(other.local_) {}

TcpListener& TcpListener::operator=(TcpListener&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    local_ = other.local_;
  }
  return *this;
}

TcpListener::~TcpListener() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<TcpListener::Accepted> TcpListener::accept() const {
  sockaddr_storage storage;
  socklen_t size = sizeof storage;
  const int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&storage), &size, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return std::nullopt;
  const auto peer = from_sockaddr(reinterpret_cast<sockaddr*>(&storage));
  if (!peer) {
    ::close(fd);
    return std::nullopt;
  }
  return Accepted{fd, *peer};
}

}  // namespace rtcstack::net
