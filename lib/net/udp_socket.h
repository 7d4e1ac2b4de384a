// A non-blocking UDP socket bound to one local address, for the Runtime's epoll loop.
#pragma once

#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "base/socket_address.h"

namespace rtcstack::net {

class UdpSocket {
 public:
  /// Binds to `address` (port 0: the kernel picks). IPv6 sockets are v6-only.
  static base::Result<UdpSocket> bind(const base::SocketAddress& address);
  UdpSocket(UdpSocket&& other) noexcept;
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  int fd() const { return fd_; }
  /// The bound address, with the port the kernel chose.
  const base::SocketAddress& local() const { return local_; }

  /// Sends one datagram; false when the kernel refused it (full buffer, unreachable):
  /// UDP may lose datagrams anyway, and every protocol above retransmits.
  bool send_to(const base::SocketAddress& to, base::ByteView datagram) const;
  struct Received {
    base::SocketAddress from;
    base::ByteView bytes;  ///< into the caller's buffer
  };
  /// One datagram into `buffer`, or nothing when none is waiting.
  std::optional<Received> receive(base::MutableByteView buffer) const;

 private:
  UdpSocket(int fd, base::SocketAddress local) : fd_(fd), local_(local) {}
  int fd_ = -1;
  base::SocketAddress local_;
};

/// The machine's interface addresses, IPv4 and IPv6, up and not link-local; loopback
/// ones only when asked for.
std::vector<base::IpAddress> interface_addresses(bool include_loopback);

}  // namespace rtcstack::net
