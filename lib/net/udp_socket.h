// A non-blocking UDP socket bound to one local address, for the Runtime's epoll loop.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/socket_address.h"
#include "net/port_range.h"

namespace rtcstack::net {

/// Datagrams read by one recvmmsg() call into up to kMessages slots. With UDP GRO the kernel
/// hands over a train of equal-sized datagrams from one sender as one message; the batch
/// splits it again, so a caller sees datagrams either way. A datagram longer than
/// kMaxDatagram is dropped (WebRTC keeps datagrams under the path MTU). One per runtime:
/// the slots are large but only the bytes written become resident.
class ReceiveBatch {
 public:
  static constexpr std::size_t kMessages = 16;
  static constexpr std::size_t kSlot = 65536;  // the largest GRO train
  static constexpr std::size_t kMaxDatagram = 4096;
  ReceiveBatch();
  /// Datagrams of the last receive().
  std::size_t size() const { return datagrams_.size(); }
  const base::SocketAddress& from(std::size_t i) const { return from_[datagrams_[i].message]; }
  base::ByteView bytes(std::size_t i) const {
    return {storage_.get() + datagrams_[i].offset, datagrams_[i].length};
  }
  /// The last receive() filled every slot: more may be waiting.
  bool filled() const { return messages_ == kMessages; }

 private:
  friend class UdpSocket;
  struct Datagram {
    std::uint32_t message;
    std::uint32_t offset;  // into storage_
    std::uint32_t length;
  };
  // One cmsghdr carrying an int (UDP_GRO's segment size), aligned as CMSG_SPACE wants.
  using Control = std::array<std::uint64_t, 4>;
  std::unique_ptr<std::uint8_t[]> storage_;
  std::array<mmsghdr, kMessages> headers_{};
  std::array<iovec, kMessages> vectors_{};
  std::array<sockaddr_storage, kMessages> addresses_{};
  std::array<Control, kMessages> controls_{};
  std::array<base::SocketAddress, kMessages> from_{};
  std::vector<Datagram> datagrams_;
  std::size_t messages_ = 0;
};

/// Datagrams for one socket, sent by one sendmmsg() call. Consecutive datagrams to one
/// destination whose sizes allow it leave as one UDP GSO message (the kernel cuts it into
/// the same datagrams), so a window of SCTP packets costs one trip through the IP stack.
/// The bytes are kept (moved in) until released after the flush, so their buffers can be
/// reused.
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
  using Control = std::array<std::uint64_t, 4>;  // one cmsghdr with UDP_SEGMENT's uint16
  std::vector<base::Buffer> buffers_;
  std::array<base::SocketAddress, kDatagrams> to_{};
  std::array<iovec, kDatagrams> vectors_{};
  std::array<mmsghdr, kDatagrams> headers_{};
  std::array<std::size_t, kDatagrams> first_{};  // the first datagram of each message
  std::array<sockaddr_storage, kDatagrams> addresses_{};
  std::array<Control, kDatagrams> controls_{};
};

class UdpSocket {
 public:
  /// Binds to `address` (port 0: the kernel picks). IPv6 sockets are v6-only.
  static base::Result<UdpSocket> bind(const base::SocketAddress& address);
  /// Binds to `ip` on the first free port of `range` from `first` on, wrapping round (an
  /// empty range: the kernel picks). kResourceExhausted when every port is taken.
  static base::Result<UdpSocket> bind(const base::IpAddress& ip, PortRange range, std::uint16_t first);
  UdpSocket(UdpSocket&& other) noexcept;
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  int fd() const { return fd_; }
  /// The bound address, with the port the kernel chose.
  const base::SocketAddress& local() const { return local_; }

  /// Waiting datagrams, as many as `batch` holds, in one system call; how many.
  std::size_t receive(ReceiveBatch& batch) const;
  /// Queues a datagram in `batch` (which must belong to this socket until flushed).
  void queue(SendBatch& batch, const base::SocketAddress& to, base::Buffer datagram) const;
  /// Sends what `batch` holds, in one system call when the kernel takes it all; how many
  /// datagrams it took. The batch keeps the buffers until release().
  std::size_t flush(SendBatch& batch) const;

 private:
  UdpSocket(int fd, base::SocketAddress local) : fd_(fd), local_(local) {}
  // Groups the batch's datagrams from `first` on into messages; how many messages.
  std::size_t prepare(SendBatch& batch, std::size_t first) const;
  int fd_ = -1;
  base::SocketAddress local_;
  // Cleared for good when the route refuses a GSO message (a device without checksum
  // offload answers EIO, a kernel before 4.18 does not know the option): from then on
  // every datagram is a message of its own.
  mutable bool gso_ = true;
};

}  // namespace rtcstack::net
