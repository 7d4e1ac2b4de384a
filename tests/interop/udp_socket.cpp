#include "udp_socket.h"

#include "net/sockaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rtcstack::testing {

UdpSocket::UdpSocket(const base::IpAddress& ip) {
  fd_ = ::socket(ip.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
  sockaddr_storage sa;
  socklen_t length = net::to_sockaddr(base::SocketAddress(ip, 0), sa);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), length) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &length) != 0) {
    std::perror("UdpSocket");
    std::abort();
  }
  local_ = *net::from_sockaddr(reinterpret_cast<sockaddr*>(&sa));
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

void UdpSocket::send_to(const base::SocketAddress& to, base::ByteView datagram) {
  sockaddr_storage sa;
  const socklen_t length = net::to_sockaddr(to, sa);
  ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&sa), length);
}

std::optional<UdpSocket::Received> UdpSocket::receive(base::Duration timeout) {
  pollfd pfd{fd_, POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(timeout.as_milliseconds())) != 1) return std::nullopt;
  sockaddr_storage from{};
  socklen_t length = sizeof from;
  const ssize_t n = ::recvfrom(fd_, buffer_, sizeof buffer_, 0, reinterpret_cast<sockaddr*>(&from), &length);
  if (n < 0) return std::nullopt;
  return Received{*net::from_sockaddr(reinterpret_cast<sockaddr*>(&from)), {buffer_, static_cast<std::size_t>(n)}};
}

}  // namespace rtcstack::testing
