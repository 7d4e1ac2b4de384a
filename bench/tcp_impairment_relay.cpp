#include "tcp_impairment_relay.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>
#include <random>
#include <vector>

#include "net/sockaddr.h"

namespace rtcstack::bench {
namespace {

using Clock = std::chrono::steady_clock;

void set_options(int fd) {
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

// A listening socket on a port of 127.0.0.1 the kernel picks, and that port.
int open_listener(base::SocketAddress& alias) {
  const auto loopback = base::IpAddress::v4(127, 0, 0, 1);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_storage address;
  socklen_t size = net::to_sockaddr({loopback, 0}, address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  ::listen(fd, 8);
  size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  alias = *net::from_sockaddr(reinterpret_cast<sockaddr*>(&address));
  return fd;
}

// Bytes on their way in one direction, each segment with the time it may leave.
struct Segment {
  Clock::time_point due;
  std::vector<std::uint8_t> bytes;
  std::size_t sent = 0;
};

struct Direction {
  std::deque<Segment> queue;
  std::size_t held = 0;
  Clock::time_point last_due{};
};

// A peer's connection to an alias joined to the relay's connection to the target.
struct Joined {
  int fds[2];           // [0] the accepted side, [1] the side the relay opened
  Direction toward[2];  // toward[i]: bytes read from the other fd, to be written to fds[i]
  bool closed = false;
  ~Joined() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
};

}  // namespace

TcpImpairmentRelay::TcpImpairmentRelay(const TcpImpairment& impairment) : impairment_(impairment) {
  for (int i = 0; i < 2; ++i) listeners_[i] = open_listener(alias_[i]);
  thread_ = std::thread([this] { run(); });
}

TcpImpairmentRelay::~TcpImpairmentRelay() {
  stopping_ = true;
  thread_.join();
  for (int fd : listeners_) ::close(fd);
}

void TcpImpairmentRelay::set_target_a(const base::SocketAddress& address) {
  std::lock_guard lock(targets_mutex_);
  targets_[0] = address;
}

void TcpImpairmentRelay::set_target_b(const base::SocketAddress& address) {
  std::lock_guard lock(targets_mutex_);
  targets_[1] = address;
}

void TcpImpairmentRelay::run() {
  std::mt19937_64 random(impairment_.seed);
  std::uniform_real_distribution<double> unit(0, 1);
  const auto ms = [](double value) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(value)); };
  std::vector<std::unique_ptr<Joined>> joined;
  std::vector<std::uint8_t> buffer(64 * 1024);
  while (!stopping_) {
    // Accept on both aliases; join each connection to its target.
    for (int alias = 0; alias < 2; ++alias) {
      for (;;) {
        const int accepted = ::accept4(listeners_[alias], nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (accepted < 0) break;
        base::SocketAddress target;
        {
          std::lock_guard lock(targets_mutex_);
          target = targets_[alias];
        }
        const int out = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_storage address;
        const socklen_t size = net::to_sockaddr(target, address);
        if (joined.size() >= kMaxConnections || target.port() == 0 ||
            ::connect(out, reinterpret_cast<const sockaddr*>(&address), size) != 0) {
          ::close(accepted);
          ::close(out);
          continue;
        }
        ::fcntl(out, F_SETFL, O_NONBLOCK);
        set_options(accepted);
        set_options(out);
        joined.push_back(std::make_unique<Joined>());
        joined.back()->fds[0] = accepted;
        joined.back()->fds[1] = out;
        ++connections_;
      }
    }
    // Read what is ready, cut into segments, each due after the path's delay; a lost one
    // later by a retransmission timeout, and nothing behind it earlier.
    std::vector<pollfd> fds = {{listeners_[0], POLLIN, 0}, {listeners_[1], POLLIN, 0}};
    Clock::time_point next = Clock::now() + std::chrono::milliseconds(5);
    for (const auto& j : joined) {
      for (int side = 0; side < 2; ++side) {
        Direction& outgoing = j->toward[1 - side];
        const short events = static_cast<short>((outgoing.held < kMaxHeld ? POLLIN : 0) |
                                                (!j->toward[side].queue.empty() ? POLLOUT : 0));
        fds.push_back({j->fds[side], events, 0});
        if (!j->toward[side].queue.empty()) next = std::min(next, j->toward[side].queue.front().due);
      }
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
    ::poll(fds.data(), fds.size(), static_cast<int>(std::clamp<std::int64_t>(wait, 0, 5)));
    const auto now = Clock::now();
    for (const auto& j : joined) {
      for (int side = 0; side < 2 && !j->closed; ++side) {
        Direction& outgoing = j->toward[1 - side];
        while (outgoing.held < kMaxHeld) {
          const ssize_t size = ::recv(j->fds[side], buffer.data(), buffer.size(), 0);
          if (size == 0 || (size < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) j->closed = true;
          if (size <= 0) break;
          for (ssize_t at = 0; at < size; at += static_cast<ssize_t>(impairment_.segment)) {
            const auto length = std::min<ssize_t>(static_cast<ssize_t>(impairment_.segment), size - at);
            auto due = now + ms(impairment_.rtt_ms / 2 + impairment_.jitter_ms * unit(random));
            if (unit(random) < impairment_.loss) {
              due += ms(impairment_.rto_ms);
              ++stalls_;
            }
            outgoing.last_due = std::max(outgoing.last_due, due);
            outgoing.queue.push_back({outgoing.last_due, {buffer.begin() + at, buffer.begin() + at + length}});
            outgoing.held += static_cast<std::size_t>(length);
          }
        }
      }
      for (int side = 0; side < 2 && !j->closed; ++side) {
        Direction& incoming = j->toward[side];
        while (!incoming.queue.empty() && incoming.queue.front().due <= now) {
          Segment& segment = incoming.queue.front();
          const ssize_t n = ::send(j->fds[side], segment.bytes.data() + segment.sent, segment.bytes.size() - segment.sent,
                                   MSG_NOSIGNAL);
          if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) j->closed = true;
          if (n <= 0) break;
          segment.sent += static_cast<std::size_t>(n);
          forwarded_ += static_cast<std::uint64_t>(n);
          if (segment.sent < segment.bytes.size()) break;
          incoming.held -= segment.bytes.size();
          incoming.queue.pop_front();
        }
      }
    }
    // A side that closed takes the other with it (what it still held is lost with it).
    std::erase_if(joined, [](const std::unique_ptr<Joined>& j) { return j->closed; });
  }
}

}  // namespace rtcstack::bench
