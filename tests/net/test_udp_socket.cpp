// UdpSocket's batches over loopback: sendmmsg() of queued datagrams and recvmmsg() into
// fixed slots, in order and byte for byte; a datagram longer than a slot is dropped, not
// cut short.
#include <catch2/catch.hpp>

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
    base::Buffer datagram(i == 9 ? net::ReceiveBatch::kSlot + 1 : 1 + i * 37);
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
    CHECK(count <= net::ReceiveBatch::kDatagrams);
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
