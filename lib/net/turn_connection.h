// A TCP or TLS connection to a TURN server (RFC 8656 §3.1) for one PeerConnection. It
// connects without blocking; TLS verifies the server's certificate and its name (or IP);
// messages the agent sends are written in order (queued while the connection comes up or
// the kernel's buffer is full), and what arrives is split into messages by
// stun::StreamFramer. Internal to lib/net: the runtime drives it from its loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/socket_address.h"
#include "ice/agent_config.h"
#include "net/port_range.h"
#include "stun/stream_framer.h"

struct ssl_st;

namespace rtcstack::net {

class TlsContext;

class TurnConnection {
 public:
  /// Bytes queued for writing at most: past it a message is dropped, as a full UDP socket
  /// would drop a datagram (the agent's transactions and SCTP retransmit).
  static constexpr std::size_t kMaxQueued = 4 << 20;

  /// Starts connecting to `server` (kTcp, or kTls with `tls`) from a port of `ports` (the
  /// kernel picks one when the range is empty).
  static base::Result<std::unique_ptr<TurnConnection>> open(const ice::TurnServer& server,
                                                            std::shared_ptr<TlsContext> tls, PortRange ports,
                                                            std::uint16_t first_port);
  ~TurnConnection();
  TurnConnection(const TurnConnection&) = delete;
  TurnConnection& operator=(const TurnConnection&) = delete;

  int fd() const { return fd_; }
  const base::SocketAddress& local() const { return local_; }
  const base::SocketAddress& server() const { return server_; }

  /// Queues one message for the server; false (dropped) past kMaxQueued.
  bool send(base::ByteView message);
  /// Whether it waits for the socket to become writable (connecting, or bytes queued).
  bool wants_write() const;
  /// Moves on after the socket became ready: finishes connecting, the TLS handshake,
  /// writes what is queued, and reads - each whole message to `on_message`. An error once
  /// the connection is over: refused, reset, closed by the server, a certificate that does
  /// not verify, or bytes that are not TURN.
  base::Result<void> service(const std::function<void(base::ByteView)>& on_message);

 private:
  enum class Phase : std::uint8_t { kConnecting, kHandshaking, kOpen };
  TurnConnection(int fd, base::SocketAddress local, base::SocketAddress server);
  base::Result<void> handshake();
  base::Result<void> write_queued();
  base::Result<void> read(const std::function<void(base::ByteView)>& on_message);
  /// Reads or writes through TLS when there is TLS: >0 bytes, 0 for "try later", or an error.
  base::Result<std::size_t> transfer(bool write, std::uint8_t* data, std::size_t size);

  int fd_;
  base::SocketAddress local_, server_;
  std::shared_ptr<TlsContext> tls_;
  ssl_st* ssl_ = nullptr;
  Phase phase_ = Phase::kConnecting;
  bool want_write_ = true;  // TLS may need the socket writable to read, and the other way round
  std::vector<std::uint8_t> queued_;
  std::size_t written_ = 0;  // of queued_
  stun::StreamFramer framer_;
  std::vector<std::uint8_t> read_buffer_;
};

}  // namespace rtcstack::net
