#include "udp_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rtcstack::testing {

namespace {

sockaddr_in to_sockaddr(const base::SocketAddress& address) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(address.port());
  std::memcpy(&sa.sin_addr, address.ip().bytes().data(), 4);
  return sa;
}

}  // namespace

UdpSocket::UdpSocket() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in sa = to_sockaddr(base::SocketAddress(base::IpAddress::v4(127, 0, 0, 1), 0));
  socklen_t length = sizeof sa;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &length) != 0) {
    std::perror("UdpSocket");
    std::abort();
  }
  local_ = base::SocketAddress(base::IpAddress::v4(127, 0, 0, 1), ntohs(sa.sin_port));
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

void UdpSocket::send_to(const base::SocketAddress& to, base::ByteView datagram) {
  const sockaddr_in sa = to_sockaddr(to);
  ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
}

std::optional<UdpSocket::Received> UdpSocket::receive(base::Duration timeout) {
  pollfd pfd{fd_, POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(timeout.as_milliseconds())) != 1) return std::nullopt;
  sockaddr_in from{};
  socklen_t length = sizeof from;
  const ssize_t n = ::recvfrom(fd_, buffer_, sizeof buffer_, 0, reinterpret_cast<sockaddr*>(&from), &length);
  if (n < 0) return std::nullopt;
  std::uint8_t ip[4];
  std::memcpy(ip, &from.sin_addr, 4);
  return Received{base::SocketAddress(*base::IpAddress::from_bytes(ip), ntohs(from.sin_port)),
                  {buffer_, static_cast<std::size_t>(n)}};
}

}  // namespace rtcstack::testing
