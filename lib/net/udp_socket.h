// A non-blocking UDP socket bound to one local address, for the Runtime's epoll loop.
#pragma once

#include <sys/socket.h>

#include <array>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/socket_address.h"

namespace rtcstack::net {

/// Datagrams read by one recvmmsg() call: up to kDatagrams of at most kSlot bytes each (a
/// longer one is dropped: WebRTC keeps datagrams under the path MTU). One per runtime.
class ReceiveBatch {
 public:
  static constexpr std::size_t kDatagrams = 32;
  static constexpr std::size_t kSlot = 4096;
  ReceiveBatch();
  std::size_t size() const { return count_; }
  const base::SocketAddress& from(std::size_t i) const { return from_[i]; }
  base::ByteView bytes(std::size_t i) const { return {storage_.data() + slots_[i] * kSlot, lengths_[i]}; }

 private:
  friend class UdpSocket;
  std::vector<std::uint8_t> storage_;
  std::array<mmsghdr, kDatagrams> headers_{};
  std::array<iovec, kDatagrams> vectors_{};
  std::array<sockaddr_storage, kDatagrams> addresses_{};
  std::array<base::SocketAddress, kDatagrams> from_{};
  std::array<std::size_t, kDatagrams> lengths_{};
  std::array<std::size_t, kDatagrams> slots_{};  // where the i-th kept datagram lies
  std::size_t count_ = 0;
};

/// Datagrams for one socket, sent by one sendmmsg() call. The bytes are kept (moved in)
/// until released after the flush, so their buffers can be reused.
class SendBatch {
 public:
  static constexpr std::size_t kDatagrams = 32;
  SendBatch() { buffers_.reserve(kDatagrams); }
  bool empty() const { return buffers_.empty(); }
  bool full() const { return buffers_.size() == kDatagrams; }
  /// Hands each buffer to `take` (sent or not) and empties the batch.
  template <class Take>
  void release(Take&& take) {
    for (base::Buffer& buffer : buffers_) take(std::move(buffer));
    buffers_.clear();
  }

 private:
  friend class UdpSocket;
  std::vector<base::Buffer> buffers_;
  std::array<mmsghdr, kDatagrams> headers_{};
  std::array<iovec, kDatagrams> vectors_{};
  std::array<sockaddr_storage, kDatagrams> addresses_{};
};

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

  /// As many waiting datagrams as `batch` holds, in one system call; how many.
  std::size_t receive(ReceiveBatch& batch) const;
  /// Queues a datagram in `batch` (which must belong to this socket until flushed).
  void queue(SendBatch& batch, const base::SocketAddress& to, base::Buffer datagram) const;
  /// Sends what `batch` holds in one system call; how many the kernel took. The batch
  /// keeps the buffers until release().
  std::size_t flush(SendBatch& batch) const;

 private:
  UdpSocket(int fd, base::SocketAddress local) : fd_(fd), local_(local) {}
  int fd_ = -1;
  base::SocketAddress local_;
};

/// The machine's interface addresses, IPv4 and IPv6, up and not link-local; loopback
/// ones only when asked for.
std::vector<base::IpAddress> interface_addresses(bool include_loopback);

}  // namespace rtcstack::net
