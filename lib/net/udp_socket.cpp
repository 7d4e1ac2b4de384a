#include "net/udp_socket.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace rtcstack::net {
namespace {

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
  return {base::ErrorCode::kInternal, what + ": " + std::strerror(errno)};
}

}  // namespace

base::Result<UdpSocket> UdpSocket::bind(const base::SocketAddress& address) {
  const int fd = ::socket(address.ip().is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return system_error("socket");
  if (address.ip().is_v6()) {
    const int on = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  }
  // Room for bursts (a window of SCTP packets arrives back to back).
  const int buffer = 4 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  sockaddr_storage storage;
  const socklen_t size = to_sockaddr(address, storage);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), size) != 0) {
    auto error = system_error("bind " + address.to_string());
    ::close(fd);
    return error;
  }
  socklen_t bound_size = sizeof storage;
  getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &bound_size);
  return UdpSocket(fd, from_sockaddr(reinterpret_cast<sockaddr*>(&storage)).value_or(address));
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)), local_(other.local_) {}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    local_ = other.local_;
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

ReceiveBatch::ReceiveBatch() : storage_(kDatagrams * kSlot) {
  for (std::size_t i = 0; i < kDatagrams; ++i) {
    vectors_[i] = {storage_.data() + i * kSlot, kSlot};
    headers_[i].msg_hdr.msg_iov = &vectors_[i];
    headers_[i].msg_hdr.msg_iovlen = 1;
  }
}

std::size_t UdpSocket::receive(ReceiveBatch& batch) const {
  for (std::size_t i = 0; i < ReceiveBatch::kDatagrams; ++i) {
    batch.headers_[i].msg_hdr.msg_name = &batch.addresses_[i];
    batch.headers_[i].msg_hdr.msg_namelen = sizeof batch.addresses_[i];
    batch.headers_[i].msg_hdr.msg_flags = 0;
  }
  const int received = ::recvmmsg(fd_, batch.headers_.data(), ReceiveBatch::kDatagrams, MSG_DONTWAIT, nullptr);
  batch.count_ = 0;
  for (int i = 0; i < received; ++i) {
    const msghdr& header = batch.headers_[static_cast<std::size_t>(i)].msg_hdr;
    if ((header.msg_flags & MSG_TRUNC) != 0) continue;  // longer than a slot: dropped
    auto from = from_sockaddr(reinterpret_cast<const sockaddr*>(header.msg_name));
    if (!from) continue;
    const std::size_t at = batch.count_++;
    batch.slots_[at] = static_cast<std::size_t>(i);
    batch.from_[at] = *from;
    batch.lengths_[at] = batch.headers_[static_cast<std::size_t>(i)].msg_len;
  }
  return batch.count_;
}

void UdpSocket::queue(SendBatch& batch, const base::SocketAddress& to, base::Buffer datagram) const {
  const std::size_t i = batch.buffers_.size();
  batch.buffers_.push_back(std::move(datagram));
  const base::Buffer& bytes = batch.buffers_.back();
  batch.vectors_[i] = {const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
  msghdr& header = batch.headers_[i].msg_hdr;
  header = msghdr{};
  header.msg_name = &batch.addresses_[i];
  header.msg_namelen = to_sockaddr(to, batch.addresses_[i]);
  header.msg_iov = &batch.vectors_[i];
  header.msg_iovlen = 1;
}

std::size_t UdpSocket::flush(SendBatch& batch) const {
  const std::size_t count = batch.buffers_.size();
  std::size_t sent = 0;
  while (sent < count) {
    const int result = ::sendmmsg(fd_, batch.headers_.data() + sent, static_cast<unsigned>(count - sent), MSG_DONTWAIT);
    if (result <= 0) break;  // a full buffer: UDP may lose datagrams, the protocols above retransmit
    sent += static_cast<std::size_t>(result);
  }
  return sent;
}

std::vector<base::IpAddress> interface_addresses(bool include_loopback) {
  std::vector<base::IpAddress> addresses;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return addresses;
  for (ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || (entry->ifa_flags & IFF_UP) == 0) continue;
    const auto address = from_sockaddr(entry->ifa_addr);
    if (!address || address->ip().is_link_local()) continue;
    if (address->ip().is_loopback() && !include_loopback) continue;
    addresses.push_back(address->ip());
  }
  freeifaddrs(list);
  return addresses;
}

}  // namespace rtcstack::net
