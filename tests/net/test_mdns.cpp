// mDNS candidates on a real link: two runtimes in network namespaces of their own, joined
// by a veth pair (tests/support/netns_link.h; root needed), each hiding its IPv4 and IPv6
// host addresses behind .local names and resolving the other's by multicast (A records
// through 224.0.0.251, AAAA through either group). Then garbage and a flood of queries on
// port 5353: dropped, counted, rate-limited, and the call goes on.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "ice/mdns_message.h"
#include "net/runtime.h"
#include "net/sockaddr.h"
#include "netns_link.h"
#include "runtime_helpers.h"

using namespace rtcstack;
using testing::eventually;

namespace {

std::string text_of(const pc::Stats& stats, const char* member) {
  const auto value = stats.get(member);
  return value ? std::get<std::string>(*value) : std::string();
}

// Whether `connection` knows a remote host candidate at `address` (a name that resolved).
bool has_remote_host(net::PeerConnectionHandle& connection, const base::IpAddress& address) {
  for (const pc::Stats& s : connection.get_stats()) {
    if (s.type == "remote-candidate" && text_of(s, "candidateType") == "host" &&
        text_of(s, "address") == address.to_string()) {
      return true;
    }
  }
  return false;
}

// The first ".local" name in a description.
std::string local_name(const std::string& sdp) {
  const std::size_t end = sdp.find(".local ");
  REQUIRE(end != std::string::npos);
  const std::size_t start = sdp.rfind(' ', end) + 1;
  return sdp.substr(start, end + 6 - start);
}

// Sends `datagrams` to 224.0.0.251:5353 out of `interface`, paced so that the receiver's
// socket buffer is not what drops them.
void spray(const base::IpAddress& interface, const std::vector<std::vector<std::uint8_t>>& datagrams) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  in_addr address{};
  std::memcpy(&address, interface.bytes().data(), 4);
  ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &address, sizeof address);
  sockaddr_storage group;
  const socklen_t size = net::to_sockaddr(ice::mdns::group_v4(), group);
  for (std::size_t i = 0; i < datagrams.size(); ++i) {
    (void)::sendto(fd, datagrams[i].data(), datagrams[i].size(), 0, reinterpret_cast<sockaddr*>(&group), size);
    if (i % 20 == 19) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::close(fd);
}

}  // namespace

TEST_CASE("mDNS: peers in two namespaces offering only .local host candidates connect; garbage and floods are counted",
          "[net][mdns]") {
  testing::NetnsLink link;
  REQUIRE(link.ok());  // root and iproute2 (the test's own namespaces and veth pair)
  std::unique_ptr<net::Runtime> runtimes[2];
  for (int side = 0; side < 2; ++side) {
    REQUIRE(link.run_in(side, [&] {
      net::RuntimeOptions options;
      options.addresses = {link.address(side), link.address6(side)};
      options.mdns_host_names = true;
      auto created = net::Runtime::create(options);
      if (created) runtimes[side] = std::move(*created);
    }));
    REQUIRE(runtimes[side]);
  }
  // Sockets are bound where the connection is created: each in its own namespace.
  auto pair = std::make_unique<testing::EchoPair>(net::Callbacks{});
  REQUIRE(link.run_in(0, [&] { pair->create_a(*runtimes[0]); }));
  REQUIRE(link.run_in(1, [&] { pair->create_b(*runtimes[1]); }));
  pc::DataChannelInit init;
  init.label = "mdns";
  const auto channel = *pair->a->create_data_channel(init);
  pair->negotiate();
  REQUIRE(eventually([&] { return pair->a_open.load(); }));
  REQUIRE(pair->a->send(channel, "over names").ok());
  REQUIRE(eventually([&] { return pair->a_messages == 1; }));

  // Neither side revealed its address; each resolved the other's name to a host candidate.
  const std::string offer = pair->a->local_description()->sdp;
  const std::string answer = pair->b->local_description()->sdp;
  CHECK(offer.find(link.address(0).to_string()) == std::string::npos);
  CHECK(offer.find(link.address6(0).to_string()) == std::string::npos);
  CHECK(answer.find(link.address(1).to_string()) == std::string::npos);
  CHECK(answer.find(link.address6(1).to_string()) == std::string::npos);
  const std::string name_a = local_name(offer);
  CHECK(ice::mdns::is_local_name(name_a));
  CHECK(local_name(answer) != name_a);
  CHECK(eventually([&] { return has_remote_host(*pair->a, link.address(1)); }));
  CHECK(eventually([&] { return has_remote_host(*pair->b, link.address(0)); }));
  CHECK(eventually([&] { return has_remote_host(*pair->a, link.address6(1)); }));
  CHECK(eventually([&] { return has_remote_host(*pair->b, link.address6(0)); }));
  CHECK(runtimes[0]->mdns_stats().queries_sent >= 1);
  CHECK(runtimes[1]->mdns_stats().answered >= 1);

  // From b's side of the link: 200 datagrams of garbage and 400 queries for a's name.
  const net::MdnsStats before = runtimes[0]->mdns_stats();
  std::vector<std::vector<std::uint8_t>> garbage;
  for (int i = 0; i < 200; ++i) {
    std::vector<std::uint8_t> bytes(1 + i % 40, static_cast<std::uint8_t>(i));
    if (i % 2 == 0 && bytes.size() >= 12) bytes[4] = 0xff;  // a header claiming 65280 questions
    garbage.push_back(bytes);
  }
  const std::vector<std::vector<std::uint8_t>> flood(400, ice::mdns::build_query(name_a, ice::mdns::kTypeA));
  REQUIRE(link.run_in(1, [&] {
    spray(link.address(1), garbage);
    spray(link.address(1), flood);
  }));
  CHECK(eventually([&] { return runtimes[0]->mdns_stats().received - before.received >= 500; }));
  const net::MdnsStats after = runtimes[0]->mdns_stats();
  INFO("received " << after.received - before.received << ", malformed " << after.malformed - before.malformed
                   << ", answered " << after.answered - before.answered << ", rate-limited "
                   << after.rate_limited - before.rate_limited);
  CHECK(after.malformed - before.malformed >= 150);
  CHECK(after.answered - before.answered <= 3);       // one answer a second at most
  CHECK(after.rate_limited - before.rate_limited >= 300);
  // The call goes on.
  REQUIRE(pair->a->send(channel, "after the flood").ok());
  CHECK(eventually([&] { return pair->a_messages == 2; }));
  pair.reset();
}
