#include "impairment_relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <queue>
#include <vector>

#include "drop_tail_queue.h"

namespace rtcstack::bench {
namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in to_sockaddr(const base::SocketAddress& address) {
  sockaddr_in out{};
  out.sin_family = AF_INET;
  out.sin_port = htons(address.port());
  std::memcpy(&out.sin_addr, address.ip().bytes().data(), 4);
  return out;
}

struct Pending {
  Clock::time_point due;
  std::uint64_t order;  // ties leave in arrival order
  int out;              // the alias socket to send from
  std::vector<std::uint8_t> bytes;
  bool operator>(const Pending& other) const { return due != other.due ? due > other.due : order > other.order; }
};

// A non-blocking UDP socket on a port of 127.0.0.1 the kernel picks, and that port.
int open_alias(base::SocketAddress& alias) {
  const auto loopback = *base::IpAddress::parse("127.0.0.1");
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  sockaddr_in address = to_sockaddr({loopback, 0});
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  const int buffer = 8 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  alias = {loopback, ntohs(address.sin_port)};
  return fd;
}

}  // namespace

ImpairmentRelay::ImpairmentRelay(const Impairment& impairment) : impairment_(impairment), loss_(impairment.loss) {
  for (int i = 0; i < 2; ++i) sockets_[i] = open_alias(alias_[i]);
  thread_ = std::thread([this] { run(); });
}

void ImpairmentRelay::rebind_b() {
  rebind_requested_ = true;
  while (rebind_requested_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void ImpairmentRelay::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

ImpairmentRelay::~ImpairmentRelay() {
  stop();
  for (int fd : sockets_) ::close(fd);
}

void ImpairmentRelay::run() {
  std::mt19937_64 random(impairment_.seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue;
  std::uint64_t order = 0;
  // Jitter varies the delay but keeps each direction in order, as real paths do (SCTP
  // reads reordering as loss).
  Clock::time_point last_due[2] = {};
  std::vector<std::uint8_t> buffer(65536);
  sockaddr_in peers[2] = {};  // a, b: learned from what each sends (b may be given)
  bool known[2] = {false, false};
  if (impairment_.b) {
    peers[1] = to_sockaddr(*impairment_.b);
    known[1] = true;
  }
  const auto one_way = std::chrono::duration<double, std::milli>(impairment_.rtt_ms / 2);
  // The rate limit's queues keep time as Instants from the relay's start.
  const Clock::time_point epoch = Clock::now();
  const auto instant = [&](Clock::time_point at) {
    return base::Instant{} + base::Duration::nanoseconds(std::chrono::duration_cast<std::chrono::nanoseconds>(at - epoch).count());
  };
  const testing::Bottleneck limits{impairment_.rate_bps, impairment_.queue_bytes,
                                   base::Duration::microseconds(static_cast<std::int64_t>(impairment_.queue_ms * 1000))};
  testing::DropTailQueue bottleneck[2] = {testing::DropTailQueue(limits), testing::DropTailQueue(limits)};
  while (!stopping_) {
    if (rebind_requested_) {
      // b's datagrams, those queued included, now reach a from a new port; a's still go to
      // the old one, which is gone, until a learns the new one.
      ::close(sockets_[1]);
      sockets_[1] = open_alias(alias_[1]);
      rebind_requested_ = false;
    }
    int wait_ms = 5;
    if (!queue.empty()) {
      const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(queue.top().due - Clock::now()).count();
      wait_ms = static_cast<int>(std::max<std::int64_t>(0, std::min<std::int64_t>(until, 5)));
    }
    pollfd fds[2] = {{sockets_[0], POLLIN, 0}, {sockets_[1], POLLIN, 0}};
    ::poll(fds, 2, wait_ms);
    for (int i = 0; i < 2; ++i) {
      // Arriving at alias i (it stands for peer i): it goes to peer i, sent from the other alias.
      for (;;) {
        sockaddr_in source{};
        socklen_t source_size = sizeof source;
        const ssize_t size =
            ::recvfrom(sockets_[i], buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&source), &source_size);
        if (size < 0) break;
        peers[1 - i] = source;  // sent to i's alias: it comes from the other peer
        known[1 - i] = true;
        if (unit(random) < loss_ || queue.size() >= kMaxInFlight) {
          ++dropped_;
          continue;
        }
        const Clock::time_point arrived = Clock::now();
        Clock::time_point departure = arrived;
        if (impairment_.rate_bps != 0) {
          const auto admission = bottleneck[i].admit(instant(arrived), static_cast<std::size_t>(size));
          DirectionFigures& figures = figures_[i];
          if (admission.dropped) {
            ++dropped_;
            ++queue_dropped_;
            ++figures.queue_dropped;
            continue;
          }
          departure = epoch + std::chrono::nanoseconds((admission.departure - base::Instant{}).as_nanoseconds());
          const auto second = static_cast<std::size_t>((admission.departure - base::Instant{}).as_nanoseconds() / 1'000'000'000);
          if (second < 3600) {
            if (figures.bytes_per_second.size() <= second) figures.bytes_per_second.resize(second + 1);
            figures.bytes_per_second[second] += static_cast<std::uint64_t>(size);
            figures.waits.push_back({static_cast<float>((instant(arrived) - base::Instant{}).as_seconds()),
                                     static_cast<float>(admission.queued.as_microseconds()) / 1000.0f});
          }
        }
        const auto delay = one_way + std::chrono::duration<double, std::milli>(impairment_.jitter_ms * unit(random));
        const auto due = std::max(last_due[i], departure + std::chrono::duration_cast<Clock::duration>(delay));
        last_due[i] = due;
        queue.push({due, order++, i, std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + size)});
      }
    }
    const auto now = Clock::now();
    while (!queue.empty() && queue.top().due <= now) {
      const Pending& next = queue.top();
      const int to = next.out;
      if (known[to]) {
        ::sendto(sockets_[1 - to], next.bytes.data(), next.bytes.size(), 0, reinterpret_cast<const sockaddr*>(&peers[to]),
                 sizeof peers[to]);
        ++forwarded_;
      } else {
        ++dropped_;  // its destination has not spoken yet
      }
      queue.pop();
    }
  }
}

}  // namespace rtcstack::bench
