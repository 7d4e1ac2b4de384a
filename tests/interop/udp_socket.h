// A blocking UDP socket on loopback for interop tests against real servers. Test code
// only: the library itself never opens sockets outside lib/net.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/socket_address.h"
#include "base/time.h"

namespace rtcstack::testing {

class UdpSocket {
 public:
  /// Binds to `ip` (127.0.0.1 unless given) on a port the kernel picks; aborts if it cannot.
  explicit UdpSocket(const base::IpAddress& ip = base::IpAddress::v4(127, 0, 0, 1));
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  const base::SocketAddress& local() const { return local_; }
  void send_to(const base::SocketAddress& to, base::ByteView datagram);

  struct Received {
    base::SocketAddress from;
    base::ByteView bytes;  ///< valid until the next receive
  };
  /// Waits up to `timeout` for one datagram.
  std::optional<Received> receive(base::Duration timeout);

 private:
  int fd_ = -1;
  base::SocketAddress local_;
  std::uint8_t buffer_[65536];
};

}  // namespace rtcstack::testing
