// A TCP listening socket on 127.0.0.1 for tests that play a server (a broken TURN server,
// a TURN server whose clients' ports are checked). Test code: lib/ net owns sockets.
#pragma once

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include "net/sockaddr.h"

namespace rtcstack::testing {

class TcpListener {
 public:
  TcpListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_storage storage;
    socklen_t size = net::to_sockaddr(base::SocketAddress(base::IpAddress::v4(127, 0, 0, 1), 0), storage);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&storage), size) == 0);
    REQUIRE(::listen(fd_, 4) == 0);
    size = sizeof storage;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &size);
    address_ = *net::from_sockaddr(reinterpret_cast<sockaddr*>(&storage));
  }
  ~TcpListener() { ::close(fd_); }
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  int fd() const { return fd_; }
  const base::SocketAddress& address() const { return address_; }

 private:
  int fd_ = -1;
  base::SocketAddress address_;
};

}  // namespace rtcstack::testing
