// The impairment relay as a bottleneck on real loopback sockets: a burst through a rate
// limit leaves at that rate, and what overflows the drop-tail queue is dropped and counted.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "impairment_relay.h"
#include "net/sockaddr.h"

using namespace rtcstack;
using Clock = std::chrono::steady_clock;

namespace {

struct Socket {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  Socket() {
    sockaddr_storage storage;
    const socklen_t size = net::to_sockaddr({base::IpAddress::v4(127, 0, 0, 1), 0}, storage);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&storage), size) == 0);
    const int buffer = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    timeval wait{0, 200'000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  }
  ~Socket() { ::close(fd); }
  void send_to(const base::SocketAddress& to, const std::vector<std::uint8_t>& bytes) const {
    sockaddr_storage storage;
    const socklen_t size = net::to_sockaddr(to, storage);
    REQUIRE(::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&storage), size) ==
            static_cast<ssize_t>(bytes.size()));
  }
};

}  // namespace

TEST_CASE("the impairment relay's rate limit paces a burst and drops what overflows its queue", "[fault][bottleneck]") {
  // 2 Mbit/s: a 1250-byte datagram takes 5 ms; the queue holds 40 of them.
  bench::ImpairmentRelay relay({.rate_bps = 2'000'000, .queue_bytes = 50'000});
  Socket a, b;
  // b speaks first, so that the relay knows where b is (this one finds a unknown: dropped).
  b.send_to(relay.alias_of_a(), std::vector<std::uint8_t>(10, 0));
  const auto learned = Clock::now() + std::chrono::seconds(5);
  while (relay.dropped() == 0 && Clock::now() < learned) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  REQUIRE(relay.dropped() == 1);
  constexpr int kBurst = 100;
  for (int i = 0; i < kBurst; ++i) a.send_to(relay.alias_of_b(), std::vector<std::uint8_t>(1250, static_cast<std::uint8_t>(i)));
  std::vector<Clock::time_point> arrivals;
  std::uint8_t buffer[2048];
  while (::recv(b.fd, buffer, sizeof buffer, 0) > 0) arrivals.push_back(Clock::now());  // until 200 ms of silence
  // 40 fit (more only if the burst took long enough for the link to drain some); the rest
  // were dropped by the queue, not lost otherwise.
  CHECK(arrivals.size() >= 40);
  CHECK(arrivals.size() <= 50);
  CHECK(arrivals.size() + relay.queue_dropped() == kBurst);
  // They left 5 ms apart: the last came at least 39 serialization times after the first.
  REQUIRE(arrivals.size() >= 2);
  CHECK(arrivals.back() - arrivals.front() >= std::chrono::milliseconds(5 * 39 * 9 / 10));
}
