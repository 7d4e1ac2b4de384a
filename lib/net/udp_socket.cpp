#include "net/udp_socket.h"

#include "net/port_search.h"
#include "net/sockaddr.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace rtcstack::net {
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
  // Trains of datagrams from one sender arrive as one message (split again in receive()).
  const int gro = 1;
  setsockopt(fd, SOL_UDP, UDP_GRO, &gro, sizeof gro);
  sockaddr_storage storage;
  const socklen_t size = to_sockaddr(address, storage);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), size) != 0) {
    auto error = system_error("bind " + address.to_string());
    const int bind_errno = errno;  // the port-range search reads it (EADDRINUSE: try the next)
    ::close(fd);
    errno = bind_errno;
    return error;
  }
  socklen_t bound_size = sizeof storage;
  getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &bound_size);
  return UdpSocket(fd, from_sockaddr(reinterpret_cast<sockaddr*>(&storage)).value_or(address));
}

base::Result<UdpSocket> UdpSocket::bind(const base::IpAddress& ip, PortRange range, std::uint16_t first) {
  return bind_in_range(ip, range, first, "UDP", [](const base::SocketAddress& address) { return bind(address); });
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

ReceiveBatch::ReceiveBatch() : storage_(new std::uint8_t[kMessages * kSlot]) {
  datagrams_.reserve(kMessages * 64);  // 64 segments per GRO train: the kernel's usual limit
  for (std::size_t i = 0; i < kMessages; ++i) {
    vectors_[i] = {storage_.get() + i * kSlot, kSlot};
    headers_[i].msg_hdr.msg_iov = &vectors_[i];
    headers_[i].msg_hdr.msg_iovlen = 1;
  }
}

std::size_t UdpSocket::receive(ReceiveBatch& batch) const {
  for (std::size_t i = 0; i < ReceiveBatch::kMessages; ++i) {
    msghdr& header = batch.headers_[i].msg_hdr;
    header.msg_name = &batch.addresses_[i];
    header.msg_namelen = sizeof batch.addresses_[i];
    header.msg_control = batch.controls_[i].data();
    header.msg_controllen = sizeof batch.controls_[i];
    header.msg_flags = 0;
  }
  const int received = ::recvmmsg(fd_, batch.headers_.data(), ReceiveBatch::kMessages, MSG_DONTWAIT, nullptr);
  batch.messages_ = received > 0 ? static_cast<std::size_t>(received) : 0;
  batch.datagrams_.clear();
  for (std::size_t i = 0; i < batch.messages_; ++i) {
    msghdr& header = batch.headers_[i].msg_hdr;
    if ((header.msg_flags & MSG_TRUNC) != 0) continue;  // cannot happen below 64 KiB
    auto from = from_sockaddr(reinterpret_cast<const sockaddr*>(header.msg_name));
    if (!from) continue;
    batch.from_[i] = *from;
    const std::size_t length = batch.headers_[i].msg_len;
    std::size_t segment = length;  // no GRO: the message is one datagram
    for (cmsghdr* control = CMSG_FIRSTHDR(&header); control != nullptr; control = CMSG_NXTHDR(&header, control)) {
      if (control->cmsg_level == SOL_UDP && control->cmsg_type == UDP_GRO) {
        int size = 0;
        std::memcpy(&size, CMSG_DATA(control), sizeof size);
        if (size > 0) segment = static_cast<std::size_t>(size);
      }
    }
    const auto add = [&](std::size_t offset, std::size_t size) {
      if (size > ReceiveBatch::kMaxDatagram) return;
      batch.datagrams_.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i * ReceiveBatch::kSlot + offset),
                                  static_cast<std::uint32_t>(size)});
    };
    if (length == 0) add(0, 0);
    for (std::size_t offset = 0; offset < length; offset += segment) add(offset, std::min(segment, length - offset));
  }
  return batch.datagrams_.size();
}

void UdpSocket::queue(SendBatch& batch, const base::SocketAddress& to, base::Buffer datagram) const {
  const std::size_t i = batch.buffers_.size();
  batch.buffers_.push_back(std::move(datagram));
  batch.to_[i] = to;
  batch.vectors_[i] = {const_cast<std::uint8_t*>(batch.buffers_.back().data()), batch.buffers_.back().size()};
}

std::size_t UdpSocket::prepare(SendBatch& batch, std::size_t first) const {
  // Linux takes up to 64 segments per GSO message, all of one size but the last, which
  // may be shorter, and within an IP datagram's 64 KiB.
  constexpr std::size_t kMaxSegments = 64;
  constexpr std::size_t kMaxBytes = 65000;
  const std::size_t count = batch.buffers_.size();
  std::size_t messages = 0;
  for (std::size_t i = first; i < count;) {
    const std::size_t segment = batch.vectors_[i].iov_len;
    std::size_t end = i + 1;
    std::size_t bytes = segment;
    if (gso_ && segment > 0) {
      while (end < count && end - i < kMaxSegments && batch.to_[end] == batch.to_[i] &&
             batch.vectors_[end - 1].iov_len == segment && batch.vectors_[end].iov_len <= segment &&
             batch.vectors_[end].iov_len > 0 && bytes + batch.vectors_[end].iov_len <= kMaxBytes) {
        bytes += batch.vectors_[end].iov_len;
        ++end;
      }
    }
    const std::size_t m = messages++;
    batch.first_[m] = i;
    msghdr& header = batch.headers_[m].msg_hdr;
    header = msghdr{};
    header.msg_name = &batch.addresses_[m];
    header.msg_namelen = to_sockaddr(batch.to_[i], batch.addresses_[m]);
    header.msg_iov = &batch.vectors_[i];
    header.msg_iovlen = end - i;
    if (end - i > 1) {
      header.msg_control = batch.controls_[m].data();
      header.msg_controllen = CMSG_SPACE(sizeof(std::uint16_t));
      cmsghdr* control = CMSG_FIRSTHDR(&header);
      control->cmsg_level = SOL_UDP;
      control->cmsg_type = UDP_SEGMENT;
      control->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
      const auto size = static_cast<std::uint16_t>(segment);
      std::memcpy(CMSG_DATA(control), &size, sizeof size);
    }
    i = end;
  }
  return messages;
}

std::size_t UdpSocket::flush(SendBatch& batch) const {
  const std::size_t datagrams = batch.buffers_.size();
  std::size_t messages = prepare(batch, 0);
  std::size_t sent = 0;  // messages
  while (sent < messages) {
    const int result = ::sendmmsg(fd_, batch.headers_.data() + sent, static_cast<unsigned>(messages - sent), MSG_DONTWAIT);
    if (result > 0) {
      sent += static_cast<std::size_t>(result);
      continue;
    }
    const bool segmented = batch.headers_[sent].msg_hdr.msg_iovlen > 1;
    if (!segmented || !gso_ || (errno != EIO && errno != EINVAL && errno != EOPNOTSUPP && errno != ENOPROTOOPT)) break;
    // The route cannot segment: what is left goes again, a message per datagram.
    gso_ = false;
    messages = prepare(batch, batch.first_[sent]);
    sent = 0;
  }
  return sent == messages ? datagrams : batch.first_[sent];
}

}  // namespace rtcstack::net
