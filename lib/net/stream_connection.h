// A TCP (or TLS) connection that carries an ICE agent's datagrams for one PeerConnection:
// to a TURN server (RFC 8656 §3.1; STUN and ChannelData framing, optionally TLS), or an
// ICE-TCP connection to or from a peer (RFC 6544; RFC 4571 framing). It connects without
// blocking; TLS verifies the server's certificate and its name (or IP); datagrams are
// written in order (queued while the connection comes up or the kernel's buffer is full),
// and what arrives is split back into datagrams by stun::StreamFramer. Internal to
// lib/net: the runtime drives it from its loop.
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

class StreamConnection {
 public:
  /// Bytes queued for writing at most: past it a message is dropped, as a full UDP socket
  /// would drop a datagram (the agent's transactions and SCTP retransmit).
  static constexpr std::size_t kMaxQueued = 4 << 20;

  /// Starts connecting to a TURN server (kTcp, or kTls with `tls`) from a port of `ports`
  /// (the kernel picks one when the range is empty).
  static base::Result<std::unique_ptr<StreamConnection>> open_turn(const ice::TurnServer& server,
                                                                   std::shared_ptr<TlsContext> tls, PortRange ports,
                                                                   std::uint16_t first_port);
  /// Starts an ICE-TCP connection from `local_ip` (an active candidate's address) to a
  /// peer's passive candidate, from a port of `ports`.
  static base::Result<std::unique_ptr<StreamConnection>> open_ice(const base::IpAddress& local_ip,
                                                                  const base::SocketAddress& peer, PortRange ports,
                                                                  std::uint16_t first_port);
  /// An ICE-TCP connection a listening socket accepted (`fd` is connected, non-blocking).
  static std::unique_ptr<StreamConnection> adopt_ice(int fd, const base::SocketAddress& local,
                                                     const base::SocketAddress& peer);
  ~StreamConnection();
  StreamConnection(const StreamConnection&) = delete;
  StreamConnection& operator=(const StreamConnection&) = delete;

  int fd() const { return fd_; }
  /// The socket's own address (for an active ICE-TCP connection, a port the kernel picked).
  const base::SocketAddress& local() const { return local_; }
  /// The TURN server or ICE peer.
  const base::SocketAddress& remote() const { return remote_; }

  /// Queues one datagram for the other end; false (dropped) past kMaxQueued, or when an
  /// RFC 4571 frame cannot hold it (over 65535 bytes).
  bool send(base::ByteView message);
  /// Whether it waits for the socket to become writable (connecting, or bytes queued).
  bool wants_write() const;
  /// Whether the runtime's epoll watches the socket for writability now: it asks epoll
  /// again only when wants_write() differs, not once per datagram sent.
  bool write_watched() const { return write_watched_; }
  void set_write_watched(bool watched) { write_watched_ = watched; }
  /// Moves on after the socket became ready: finishes connecting, the TLS handshake,
  /// writes what is queued, and reads - each whole message to `on_message`. An error once
  /// the connection is over: refused, reset, closed by the other end, a certificate that
  /// does not verify, or (to a TURN server) bytes that are not TURN.
  base::Result<void> service(const std::function<void(base::ByteView)>& on_message);

 private:
  enum class Phase : std::uint8_t { kConnecting, kHandshaking, kOpen };
  StreamConnection(int fd, base::SocketAddress local, base::SocketAddress remote, stun::Framing framing);
  static base::Result<std::unique_ptr<StreamConnection>> connect(const base::IpAddress& local_ip,
                                                                 const base::SocketAddress& remote, PortRange ports,
                                                                 std::uint16_t first_port, stun::Framing framing);
  base::Result<void> handshake();
  base::Result<void> write_queued();
  base::Result<void> read(const std::function<void(base::ByteView)>& on_message);
  /// Reads or writes through TLS when there is TLS: >0 bytes, 0 for "try later", or an error.
  base::Result<std::size_t> transfer(bool write, std::uint8_t* data, std::size_t size);
  bool rfc4571() const { return framing_ == stun::Framing::kRfc4571; }

  int fd_;
  base::SocketAddress local_, remote_;
  std::shared_ptr<TlsContext> tls_;
  ssl_st* ssl_ = nullptr;
  Phase phase_ = Phase::kConnecting;
  bool want_write_ = true;  // TLS may need the socket writable to read, and the other way round
  bool write_watched_ = true;  // the runtime starts watching a connecting socket for EPOLLOUT
  std::vector<std::uint8_t> queued_;
  std::size_t written_ = 0;  // of queued_
  stun::Framing framing_;
  stun::StreamFramer framer_;
  std::vector<std::uint8_t> read_buffer_;
};

}  // namespace rtcstack::net
