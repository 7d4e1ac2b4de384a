#include "net/stream_connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "net/port_search.h"
#include "net/sockaddr.h"
#include "net/tls_context.h"

namespace rtcstack::net {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr int kReadsPerService = 16;  // then the loop's other sockets get their turn

base::Error ended(std::string what) { return {base::ErrorCode::kClosed, std::move(what)}; }

// What OpenSSL says went wrong, and why verification failed if it did.
std::string tls_error(SSL* ssl) {
  std::string text;
  if (const unsigned long code = ERR_get_error(); code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text = buffer;
  }
  ERR_clear_error();
  if (const long verify = SSL_get_verify_result(ssl); verify != X509_V_OK) {
    text += std::string(text.empty() ? "" : "; ") + "certificate: " + X509_verify_cert_error_string(verify);
  }
  return text.empty() ? "unknown TLS error" : text;
}

base::Result<int> stream_socket(const base::SocketAddress& local) {
  const int fd = ::socket(local.ip().is_v4() ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return system_error("socket");
  if (local.port() != 0) {
    sockaddr_storage storage;
    const socklen_t size = to_sockaddr(local, storage);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), size) != 0) {
      auto error = system_error("bind TCP " + local.to_string());
      const int bind_errno = errno;  // the port-range search reads it
      ::close(fd);
      errno = bind_errno;
      return error;
    }
  }
  return fd;
}

}  // namespace

base::Result<std::unique_ptr<StreamConnection>> StreamConnection::connect(const base::IpAddress& local_ip,
                                                                         const base::SocketAddress& remote,
                                                                         PortRange ports, std::uint16_t first_port,
                                                                         stun::Framing framing) {
  auto fd = bind_in_range(local_ip, ports, first_port, "TCP", stream_socket);
  if (!fd) return fd.error();
  const int on = 1;
  setsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // checks and media are small and urgent
  sockaddr_storage storage;
  const socklen_t size = to_sockaddr(remote, storage);
  if (::connect(*fd, reinterpret_cast<sockaddr*>(&storage), size) != 0 && errno != EINPROGRESS) {
    auto error = system_error("connect to " + remote.to_string());
    ::close(*fd);
    return error;
  }
  socklen_t bound = sizeof storage;
  getsockname(*fd, reinterpret_cast<sockaddr*>(&storage), &bound);
  const auto local = from_sockaddr(reinterpret_cast<sockaddr*>(&storage));
  return std::unique_ptr<StreamConnection>(
      new StreamConnection(*fd, local.value_or(base::SocketAddress{}), remote, framing));
}

base::Result<std::unique_ptr<StreamConnection>> StreamConnection::open_ice(const base::IpAddress& local_ip,
                                                                          const base::SocketAddress& peer,
                                                                          PortRange ports, std::uint16_t first_port) {
  return connect(local_ip, peer, ports, first_port, stun::Framing::kRfc4571);
}

std::unique_ptr<StreamConnection> StreamConnection::adopt_ice(int fd, const base::SocketAddress& local,
                                                              const base::SocketAddress& peer) {
  const int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  std::unique_ptr<StreamConnection> connection(new StreamConnection(fd, local, peer, stun::Framing::kRfc4571));
  connection->phase_ = Phase::kOpen;
  connection->want_write_ = false;
  connection->write_watched_ = false;  // accepted: watched for reading only
  return connection;
}

base::Result<std::unique_ptr<StreamConnection>> StreamConnection::open_turn(const ice::TurnServer& server,
                                                                           std::shared_ptr<TlsContext> tls,
                                                                           PortRange ports, std::uint16_t first_port) {
  const base::IpAddress any = server.address.ip().is_v4() ? base::IpAddress::v4(0, 0, 0, 0) : *base::IpAddress::parse("::");
  auto connected = connect(any, server.address, ports, first_port, stun::Framing::kTurn);
  if (!connected) return connected.error();
  std::unique_ptr<StreamConnection> connection = std::move(*connected);
  if (server.transport == ice::TurnTransport::kTls) {
    if (!tls) return base::Error{base::ErrorCode::kInvalidArgument, "TURN over TLS without a TLS context"};
    connection->tls_ = std::move(tls);
    connection->ssl_ = SSL_new(connection->tls_->get());
    if (connection->ssl_ == nullptr) return base::Error{base::ErrorCode::kInternal, "TLS: SSL_new failed"};
    SSL_set_fd(connection->ssl_, connection->fd_);
    SSL_set_connect_state(connection->ssl_);
    // The queue may move between a write that wanted to be retried and the retry.
    SSL_set_mode(connection->ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // The certificate must name the host we asked for, or carry the IP when no name was given.
    const bool named = !server.host.empty() && !base::IpAddress::parse(server.host);
    if (named) {
      SSL_set_tlsext_host_name(connection->ssl_, server.host.c_str());
      SSL_set1_host(connection->ssl_, server.host.c_str());
    } else {
      const std::string ip = server.host.empty() ? server.address.ip().to_string() : server.host;
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(connection->ssl_), ip.c_str());
    }
  }
  return connection;
}

StreamConnection::StreamConnection(int fd, base::SocketAddress local, base::SocketAddress remote, stun::Framing framing)
    : fd_(fd), local_(local), remote_(remote), framing_(framing), framer_(framing) {}

StreamConnection::~StreamConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  ::close(fd_);
}

bool StreamConnection::send(base::ByteView message) {
  if (written_ == queued_.size()) {
    queued_.clear();
    written_ = 0;
  }
  const bool framed = rfc4571();
  if (framed && message.size() > 0xffff) return false;
  if (queued_.size() - written_ + message.size() + 2 > kMaxQueued) return false;
  if (framed) {
    std::uint8_t header[2];
    stun::StreamFramer::write_rfc4571_header(message.size(), header);
    queued_.insert(queued_.end(), header, header + 2);
  }
  queued_.insert(queued_.end(), message.begin(), message.end());
  if (phase_ == Phase::kOpen) (void)write_queued();  // an error shows at the next service()
  return true;
}

bool StreamConnection::wants_write() const {
  // Queued messages wait for the handshake without asking for EPOLLOUT: the socket is
  // writable all along, and asking would spin the loop until the server answers.
  return phase_ == Phase::kConnecting || (ssl_ != nullptr && want_write_) ||
         (phase_ == Phase::kOpen && written_ < queued_.size());
}

base::Result<void> StreamConnection::service(const std::function<void(base::ByteView)>& on_message) {
  if (phase_ == Phase::kConnecting) {
    pollfd ready{fd_, POLLOUT, 0};
    if (::poll(&ready, 1, 0) != 1) return {};  // still connecting
    int error = 0;
    socklen_t size = sizeof error;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) return ended("connect to " + remote_.to_string() + ": " + std::strerror(error));
    phase_ = ssl_ != nullptr ? Phase::kHandshaking : Phase::kOpen;
    want_write_ = false;
  }
  if (phase_ == Phase::kHandshaking) {
    if (auto done = handshake(); !done) return done;
    if (phase_ == Phase::kHandshaking) return {};
  }
  if (auto written = write_queued(); !written) return written;
  return read(on_message);
}

base::Result<void> StreamConnection::handshake() {
  // SSL_get_error() reads the thread's error queue, which other OpenSSL users on this
  // thread (DTLS) may have left entries in: it must start empty.
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_);
  if (result == 1) {
    phase_ = Phase::kOpen;
    want_write_ = false;
    return {};
  }
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ: want_write_ = false; return {};
    case SSL_ERROR_WANT_WRITE: want_write_ = true; return {};
    default: return ended("TLS handshake with " + remote_.to_string() + ": " + tls_error(ssl_));
  }
}

base::Result<std::size_t> StreamConnection::transfer(bool write, std::uint8_t* data, std::size_t size) {
  if (ssl_ == nullptr) {
    const ssize_t n = write ? ::send(fd_, data, size, MSG_NOSIGNAL) : ::recv(fd_, data, size, 0);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n == 0 && !write) return ended(remote_.to_string() + " closed the connection");
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::size_t{0};
    return ended(std::string(write ? "send" : "recv") + " to " + remote_.to_string() + ": " + std::strerror(errno));
  }
  ERR_clear_error();  // see handshake()
  const int n = write ? SSL_write(ssl_, data, static_cast<int>(size)) : SSL_read(ssl_, data, static_cast<int>(size));
  if (n > 0) {
    want_write_ = false;
    return static_cast<std::size_t>(n);
  }
  switch (SSL_get_error(ssl_, n)) {
    case SSL_ERROR_WANT_READ: return std::size_t{0};
    case SSL_ERROR_WANT_WRITE: want_write_ = true; return std::size_t{0};
    case SSL_ERROR_ZERO_RETURN: return ended(remote_.to_string() + " closed the TLS connection");
    default: return ended("TLS with " + remote_.to_string() + ": " + tls_error(ssl_));
  }
}

base::Result<void> StreamConnection::write_queued() {
  while (written_ < queued_.size()) {
    auto n = transfer(true, queued_.data() + written_, queued_.size() - written_);
    if (!n) return n.error();
    if (*n == 0) return {};
    written_ += *n;
  }
  return {};
}

base::Result<void> StreamConnection::read(const std::function<void(base::ByteView)>& on_message) {
  read_buffer_.resize(kReadChunk);
  for (int i = 0; i < kReadsPerService; ++i) {
    auto n = transfer(false, read_buffer_.data(), read_buffer_.size());
    if (!n) return n.error();
    if (*n == 0) return {};
    framer_.append({read_buffer_.data(), *n});
    for (;;) {
      auto message = framer_.next();
      if (!message) return ended(remote_.to_string() + " sent something other than TURN: " + message.error().message);
      if (!*message) break;
      on_message(**message);
    }
  }
  return {};
}

}  // namespace rtcstack::net
