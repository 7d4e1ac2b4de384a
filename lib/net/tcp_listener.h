// A listening TCP socket: an ICE-TCP passive candidate (RFC 6544 §5.1) of one connection.
// Non-blocking; the runtime accepts from it as epoll reports it readable. Internal to
// lib/net.
#pragma once

#include <cstdint>
#include <optional>

#include "base/result.h"
#include "base/socket_address.h"
#include "net/port_range.h"

namespace rtcstack::net {

class TcpListener {
 public:
  /// Listens on `ip` at a port of `range` from `first` on (the kernel picks one when the
  /// range is empty). kResourceExhausted when out of descriptors or ports.
  static base::Result<TcpListener> listen(const base::IpAddress& ip, PortRange range, std::uint16_t first);
  TcpListener(TcpListener&& other) noexcept;
  TcpListener& operator=(TcpListener&& other) noexcept;
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;
  ~TcpListener();

  int fd() const { return fd_; }
  const base::SocketAddress& local() const { return local_; }

  struct Accepted {
    int fd;  ///< connected, non-blocking, close-on-exec; the caller owns it
    base::SocketAddress peer;
  };
  /// The next connection waiting, or nullopt when none is (or accepting failed: a
  /// connection reset before it was accepted, a descriptor shortage - the peer retries).
  std::optional<Accepted> accept() const;

 private:
  TcpListener(int fd, base::SocketAddress local) : fd_(fd), local_(local) {}
  int fd_ = -1;
  base::SocketAddress local_;
};

}  // namespace rtcstack::net
