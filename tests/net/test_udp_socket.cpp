// UdpSocket's batches over loopback: sendmmsg() of queued datagrams (trains of equal-sized
// ones as UDP GSO messages) and recvmmsg() into fixed slots (GRO trains split again), in
// order and byte for byte; a datagram longer than kMaxDatagram is dropped, not cut short.
#include <catch2/catch.hpp>
#include <sys/socket.h>

#include <chrono>
#include <thread>
#include <vector>

#include "net/udp_socket.h"

using namespace rtcstack;

TEST_CASE("datagram batches: sent in one call, received in order, oversize ones dropped", "[net]") {
  const auto loopback = *base::IpAddress::parse("127.0.0.1");
  auto sender = net::UdpSocket::bind({loopback, 0});
  auto receiver = net::UdpSocket::bind({loopback, 0});
  REQUIRE(sender.ok());
  REQUIRE(receiver.ok());
  // 40 datagrams: two batches' worth, the 10th longer than a receive slot.
  std::vector<base::Buffer> sent;
  for (std::size_t i = 0; i < 40; ++i) {
    base::Buffer datagram(i == 9 ? net::ReceiveBatch::kMaxDatagram + 1 : 1 + i * 37);
    for (std::size_t j = 0; j < datagram.size(); ++j) datagram.data()[j] = static_cast<std::uint8_t>(i + j);
    sent.push_back(datagram);
  }
  net::SendBatch batch;
  std::size_t accepted = 0;
  std::size_t released = 0;
  const auto count = [&](base::Buffer) { ++released; };
  for (const base::Buffer& datagram : sent) {
    if (batch.full()) {
      accepted += sender->flush(batch);
      batch.release(count);
    }
    sender->queue(batch, receiver->local(), datagram);
  }
  accepted += sender->flush(batch);
  CHECK_FALSE(batch.empty());  // kept until released
  batch.release(count);
  CHECK(accepted == 40);
  CHECK(released == 40);
  CHECK(batch.empty());

  net::ReceiveBatch incoming;
  std::vector<base::Buffer> received;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (received.size() < 39 && std::chrono::steady_clock::now() < deadline) {
    const std::size_t count = receiver->receive(incoming);
    for (std::size_t i = 0; i < count; ++i) {
      CHECK(incoming.from(i) == sender->local());
      received.emplace_back(incoming.bytes(i));
    }
    if (count == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(received.size() == 39);
  for (std::size_t i = 0, k = 0; i < 40; ++i) {
    if (i == 9) continue;
    CHECK(base::bytes_equal(received[k++], sent[i]));
  }
  CHECK(receiver->receive(incoming) == 0);  // nothing else waits
}

namespace {

// Everything `receiver` gets within five seconds or until `expected` datagrams arrived.
std::vector<std::pair<base::SocketAddress, base::Buffer>> receive_all(const net::UdpSocket& receiver, std::size_t expected) {
  net::ReceiveBatch incoming;
  std::vector<std::pair<base::SocketAddress, base::Buffer>> received;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (received.size() < expected && std::chrono::steady_clock::now() < deadline) {
    const std::size_t count = receiver.receive(incoming);
    for (std::size_t i = 0; i < count; ++i) received.emplace_back(incoming.from(i), base::Buffer(incoming.bytes(i)));
    if (count == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return received;
}

base::Buffer pattern(std::size_t size, std::size_t seed) {
  base::Buffer datagram(size);
  for (std::size_t j = 0; j < size; ++j) datagram.data()[j] = static_cast<std::uint8_t>(seed * 7 + j);
  return datagram;
}

}  // namespace

TEST_CASE("datagram trains: equal sizes to one peer leave segmented and arrive whole and in order", "[net]") {
  const auto loopback = *base::IpAddress::parse("127.0.0.1");
  auto sender = net::UdpSocket::bind({loopback, 0});
  auto first = net::UdpSocket::bind({loopback, 0});
  auto second = net::UdpSocket::bind({loopback, 0});
  REQUIRE(sender.ok());
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  // Trains broken by a shorter datagram, by a longer one, by a change of destination and
  // by an empty datagram; a train longer than one GSO message allows (54 x 1200 > 64 KiB).
  std::vector<std::pair<const net::UdpSocket*, base::Buffer>> plan;
  for (std::size_t i = 0; i < 10; ++i) plan.emplace_back(&*first, pattern(1200, i));
  plan.emplace_back(&*first, pattern(700, 10));
  plan.emplace_back(&*first, pattern(1300, 11));
  plan.emplace_back(&*first, pattern(1300, 12));
  plan.emplace_back(&*second, pattern(1300, 13));
  plan.emplace_back(&*second, pattern(1300, 14));
  plan.emplace_back(&*first, pattern(1300, 15));
  plan.emplace_back(&*first, pattern(0, 16));
  plan.emplace_back(&*first, pattern(1300, 17));
  for (std::size_t i = 0; i < 70; ++i) plan.emplace_back(&*second, pattern(1200, 18 + i));
  net::SendBatch batch;
  std::size_t accepted = 0;
  for (const auto& [to, datagram] : plan) {
    if (batch.full()) {
      accepted += sender->flush(batch);
      batch.release([](base::Buffer) {});
    }
    sender->queue(batch, to->local(), datagram);
  }
  accepted += sender->flush(batch);
  batch.release([](base::Buffer) {});
  CHECK(accepted == plan.size());

  for (const net::UdpSocket* receiver : {&*first, &*second}) {
    std::vector<const base::Buffer*> expected;
    for (const auto& [to, datagram] : plan) {
      if (to == receiver) expected.push_back(&datagram);
    }
    const auto received = receive_all(*receiver, expected.size());
    REQUIRE(received.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CHECK(received[i].first == sender->local());
      CHECK(base::bytes_equal(received[i].second, *expected[i]));
    }
  }
}

// A socket the kernel will not segment for (here one sending without UDP checksums, which
// GSO refuses with EINVAL as a device without checksum offload refuses with EIO): the
// batch then goes a datagram per message, every datagram still arriving once and in order.
TEST_CASE("datagram trains: a socket that cannot segment sends every datagram one by one", "[net]") {
  const auto loopback = *base::IpAddress::parse("127.0.0.1");
  auto sender = net::UdpSocket::bind({loopback, 0});
  auto receiver = net::UdpSocket::bind({loopback, 0});
  REQUIRE(sender.ok());
  REQUIRE(receiver.ok());
  const int on = 1;
  REQUIRE(setsockopt(sender->fd(), SOL_SOCKET, SO_NO_CHECK, &on, sizeof on) == 0);
  std::vector<base::Buffer> sent;
  net::SendBatch batch;
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < 2 * net::SendBatch::kDatagrams; ++i) {
    sent.push_back(pattern(1000, i));
    if (batch.full()) {
      accepted += sender->flush(batch);
      batch.release([](base::Buffer) {});
    }
    sender->queue(batch, receiver->local(), sent.back());
  }
  accepted += sender->flush(batch);
  batch.release([](base::Buffer) {});
  CHECK(accepted == sent.size());
  const auto received = receive_all(*receiver, sent.size());
  REQUIRE(received.size() == sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) CHECK(base::bytes_equal(received[i].second, sent[i]));
}
