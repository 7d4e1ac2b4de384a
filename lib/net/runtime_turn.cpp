// RuntimeCore: connections to TURN servers over TCP and TLS. Each PeerConnection opens its
// own when it is created (the agent is told the local address of each and allocates
// through it); the loop services them as epoll reports them, feeding each message the
// stream brings to the connection; the agent's messages for a server are written to its
// stream; a stream that ends tells the agent, which drops that allocation only.
#include <sys/epoll.h>

#include "base/log.h"
#include "net/runtime_core.h"

namespace rtcstack::net {

base::Result<std::vector<std::unique_ptr<StreamConnection>>> RuntimeCore::open_turn(pc::Configuration& configuration) {
  std::vector<std::unique_ptr<StreamConnection>> opened;
  for (ice::TurnServer& server : configuration.ice.turn_servers) {
    if (server.transport == ice::TurnTransport::kUdp) continue;
    auto turn = StreamConnection::open_turn(server, tls_, ports_, next_port_.load());
    if (!turn) {
      // Out of descriptors: like a UDP socket, the connection is refused and nothing kept.
      if (turn.error().code == base::ErrorCode::kResourceExhausted) return turn.error();
      RTC_LOG(kWarning, "net") << "TURN server " << ice::turn_url(server) << ": " << turn.error().message;
      continue;
    }
    server.connection = (*turn)->local();
    opened.push_back(std::move(*turn));
  }
  return opened;
}

void RuntimeCore::watch_turn(const Connection& connection) {
  // EPOLLOUT: the connect finished.
  for (const auto& turn : connection.turn) watch(turn->fd(), EPOLLIN | EPOLLOUT, connection.id);
}

void RuntimeCore::rearm(StreamConnection& stream) {
  // Most sends write at once and leave nothing queued: no system call for epoll then.
  const bool write = stream.wants_write();
  if (write == stream.write_watched()) return;
  epoll_event event{};
  event.events = EPOLLIN | (write ? EPOLLOUT : 0u);
  event.data.fd = stream.fd();
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, stream.fd(), &event);
  stream.set_write_watched(write);
}

bool RuntimeCore::service_turn(Connection& connection, int fd) {
  for (auto it = connection.turn.begin(); it != connection.turn.end(); ++it) {
    StreamConnection& turn = **it;
    if (turn.fd() != fd) continue;
    const base::Instant now = monotonic_now();
    auto served = turn.service([&](base::ByteView message) {
      connection.pc->handle_receive(now, turn.local(), turn.remote(), message);
    });
    if (served) {
      rearm(turn);
      return true;
    }
    RTC_LOG(kInfo, "net") << "TURN connection to " << turn.remote() << " ended: " << served.error().message;
    connection.pc->handle_connection_lost(now, turn.local(), turn.remote(), served.error().message);
    unwatch(fd);
    connection.turn.erase(it);
    return true;
  }
  return false;
}

bool RuntimeCore::send_turn(Connection& connection, pc::Transmit& transmit) {
  for (const auto& turn : connection.turn) {
    if (turn->local() != transmit.local || turn->remote() != transmit.remote) continue;
    if (!turn->send(transmit.bytes)) {
      RTC_LOG(kDebug, "net") << "TURN connection to " << turn->remote() << " is full: a message dropped";
    }
    rearm(*turn);
    connection.pc->recycle(std::move(transmit.bytes));
    return true;
  }
  return false;
}

void RuntimeCore::close_turn(Connection& connection) {
  for (const auto& turn : connection.turn) unwatch(turn->fd());
  connection.turn.clear();
}

}  // namespace rtcstack::net
