// RuntimeCore: ICE-TCP (RFC 6544). Each connection listens on a TCP port per address (its
// passive candidates) and connects from each address on demand (its active candidates, at
// port 9 in the SDP): the agent's first kTcp Transmit to a peer's passive candidate opens
// the stream. Every datagram travels as an RFC 4571 frame; frames that arrive go to the
// agent as kTcp datagrams named by the candidate's address, so that the agent sees the
// same pair whichever end opened the connection.
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>

#include "base/log.h"
#include "ice/candidate.h"
#include "ice/inbound.h"
#include "net/runtime_core.h"

namespace rtcstack::net {

void RuntimeCore::watch(int fd, std::uint32_t events, std::uint64_t owner) {
  epoll_event event{};
  event.events = events;
  event.data.fd = fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
  socket_owner_[fd] = owner;
}

void RuntimeCore::unwatch(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  socket_owner_.erase(fd);
}

base::Result<std::vector<TcpListener>> RuntimeCore::open_listeners(pc::Configuration& configuration) {
  std::vector<TcpListener> listeners;
  if (!candidates_.tcp) return listeners;
  for (const base::IpAddress& address : addresses_) {
    auto listener = TcpListener::listen(address, ports_, next_port_.load());
    if (!listener) return listener.error();
    took_port(listener->local().port());
    configuration.ice.tcp_listen_addresses.push_back(listener->local());
    configuration.ice.tcp_active_addresses.push_back(address);
    listeners.push_back(std::move(*listener));
  }
  return listeners;
}

void RuntimeCore::accept_ice_tcp(Connection& connection, const TcpListener& listener) {
  while (auto accepted = listener.accept()) {
    if (connection.ice_tcp.size() >= kMaxIceTcpStreams) {
      const auto stranger = std::find_if(connection.ice_tcp.begin(), connection.ice_tcp.end(),
                                         [](const Connection::IceTcpStream& s) { return !s.proven; });
      if (stranger == connection.ice_tcp.end()) {
        RTC_LOG(kDebug, "net") << "ICE-TCP: refused a connection from " << accepted->peer << ": "
                               << kMaxIceTcpStreams << " streams are open";
        ::close(accepted->fd);
        continue;
      }
      unwatch(stranger->stream->fd());
      connection.ice_tcp.erase(stranger);
    }
    auto stream = StreamConnection::adopt_ice(accepted->fd, listener.local(), accepted->peer);
    watch(stream->fd(), EPOLLIN, connection.id);
    connection.ice_tcp.push_back({listener.local(), std::move(stream), false});
  }
}

bool RuntimeCore::service_ice_tcp(Connection& connection, int fd) {
  for (const TcpListener& listener : connection.listeners) {
    if (listener.fd() != fd) continue;
    accept_ice_tcp(connection, listener);
    return true;
  }
  const auto found = std::find_if(connection.ice_tcp.begin(), connection.ice_tcp.end(),
                                  [&](const Connection::IceTcpStream& s) { return s.stream->fd() == fd; });
  if (found == connection.ice_tcp.end()) return false;
  Connection::IceTcpStream& stream = *found;
  const base::Instant now = monotonic_now();
  bool stranger = false;
  auto served = stream.stream->service([&](base::ByteView frame) {
    const ice::Inbound datagram(frame, base::TransportProtocol::kTcp);
    if (!stream.proven) {
      // The first frame of an accepted stream must be the peer's: anything else is a
      // stranger's, and the stream is closed before it costs more.
      stranger = stranger || !connection.pc->accepts(stream.stream->remote(), datagram);
      if (stranger) return;
      stream.proven = true;
    }
    connection.pc->handle_receive(now, stream.local, stream.stream->remote(), datagram);
  });
  if (served && !stranger) {
    rearm(*stream.stream);
    return true;
  }
  RTC_LOG(kDebug, "net") << "ICE-TCP stream " << stream.local << " <-> " << stream.stream->remote() << " closed: "
                         << (stranger ? std::string("not our peer") : served.error().message);
  unwatch(fd);
  connection.ice_tcp.erase(found);
  return true;
}

void RuntimeCore::send_ice_tcp(Connection& connection, pc::Transmit& transmit) {
  auto found = std::find_if(connection.ice_tcp.begin(), connection.ice_tcp.end(), [&](const Connection::IceTcpStream& s) {
    return s.local == transmit.local && s.stream->remote() == transmit.remote;
  });
  if (found == connection.ice_tcp.end() && transmit.local.port() == ice::kActiveTcpPort &&
      connection.ice_tcp.size() < kMaxIceTcpStreams) {
    // An active candidate's first datagram to this peer: connect. A refusal shows at the
    // first service() and the agent's check times out, as over UDP.
    auto opened = StreamConnection::open_ice(transmit.local.ip(), transmit.remote, ports_, next_port_.load());
    if (opened) {
      watch((*opened)->fd(), EPOLLIN | EPOLLOUT, connection.id);
      connection.ice_tcp.push_back({transmit.local, std::move(*opened), true});
      found = connection.ice_tcp.end() - 1;
    } else {
      RTC_LOG(kDebug, "net") << "ICE-TCP: no connection to " << transmit.remote << ": " << opened.error().message;
    }
  }
  if (found != connection.ice_tcp.end()) {
    if (!found->stream->send(transmit.bytes)) {
      RTC_LOG(kDebug, "net") << "ICE-TCP stream to " << transmit.remote << " is full: a datagram dropped";
    }
    rearm(*found->stream);
  }
  connection.pc->recycle(std::move(transmit.bytes));
}

void RuntimeCore::close_ice_tcp(Connection& connection) {
  for (const Connection::IceTcpStream& stream : connection.ice_tcp) unwatch(stream.stream->fd());
  for (const TcpListener& listener : connection.listeners) unwatch(listener.fd());
  connection.ice_tcp.clear();
  connection.listeners.clear();
}

}  // namespace rtcstack::net
