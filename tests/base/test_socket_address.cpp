#include <catch2/catch.hpp>

#include <unordered_set>

#include "base/socket_address.h"

using rtcstack::base::ErrorCode;
using rtcstack::base::IpAddress;
using rtcstack::base::SocketAddress;

TEST_CASE("IPv4 and IPv6 addresses parse and print canonically", "[base][address]") {
  const auto v4 = IpAddress::parse("192.0.2.1");
  REQUIRE(v4.ok());
  CHECK(v4->is_v4());
  CHECK(v4->bytes().size() == 4);
  CHECK(v4->to_string() == "192.0.2.1");
  CHECK(*v4 == IpAddress::v4(192, 0, 2, 1));

  const auto v6 = IpAddress::parse("2001:DB8:0:0:0:0:0:1");
  REQUIRE(v6.ok());
  CHECK(v6->is_v6());
  CHECK(v6->bytes().size() == 16);
  CHECK(v6->to_string() == "2001:db8::1");  // RFC 5952 form
}

TEST_CASE("address classes", "[base][address]") {
  CHECK(IpAddress::parse("127.3.4.5")->is_loopback());
  CHECK(IpAddress::parse("::1")->is_loopback());
  CHECK_FALSE(IpAddress::parse("::2")->is_loopback());
  CHECK(IpAddress::parse("0.0.0.0")->is_unspecified());
  CHECK(IpAddress::parse("::")->is_unspecified());
  CHECK(IpAddress::parse("169.254.1.1")->is_link_local());
  CHECK(IpAddress::parse("fe80::1")->is_link_local());
  CHECK(IpAddress::parse("febf::1")->is_link_local());
  CHECK_FALSE(IpAddress::parse("fec0::1")->is_link_local());
  CHECK(IpAddress{}.is_unspecified());
}

TEST_CASE("IpAddress from network-order bytes", "[base][address]") {
  const std::uint8_t four[] = {198, 51, 100, 7};
  CHECK(IpAddress::from_bytes(four)->to_string() == "198.51.100.7");
  std::uint8_t sixteen[16] = {0x20, 0x01, 0x0d, 0xb8};
  sixteen[15] = 9;
  CHECK(IpAddress::from_bytes(sixteen)->to_string() == "2001:db8::9");
  const std::uint8_t five[5] = {};
  CHECK(IpAddress::from_bytes(five).error().code == ErrorCode::kMalformed);
}

TEST_CASE("socket addresses parse both forms and round-trip", "[base][address]") {
  for (const char* text : {"192.0.2.1:5000", "[2001:db8::1]:443", "0.0.0.0:0", "[::]:65535"}) {
    const auto address = SocketAddress::parse(text);
    REQUIRE(address.ok());
    CHECK(address->to_string() == text);
  }
  const auto address = SocketAddress::parse("203.0.113.9:3478");
  CHECK(address->port() == 3478);
  CHECK(address->ip() == IpAddress::v4(203, 0, 113, 9));
}

TEST_CASE("malformed addresses are rejected with the input in the message", "[base][address]") {
  for (const char* text :
       {"", "192.0.2.1", "192.0.2.1:", "192.0.2.1:65536", "192.0.2.1:-1", "192.0.2.1:80x",
        "2001:db8::1:80", "[2001:db8::1]", "[2001:db8::1]80", "[192.0.2.1]:80", "300.1.1.1:1",
        "host.example:80", "[::1%eth0]:80", " 192.0.2.1:80"}) {
    INFO(text);
    const auto address = SocketAddress::parse(text);
    REQUIRE_FALSE(address.ok());
    CHECK(address.error().code == ErrorCode::kMalformed);
  }
  CHECK(SocketAddress::parse("1.2.3.4:x").error().message.find("1.2.3.4:x") != std::string::npos);
  CHECK_FALSE(IpAddress::parse(std::string(1000, '1')).ok());
}

TEST_CASE("addresses order, compare and hash as values", "[base][address]") {
  const SocketAddress a = *SocketAddress::parse("192.0.2.1:1000");
  const SocketAddress b = *SocketAddress::parse("192.0.2.1:1001");
  const SocketAddress c = *SocketAddress::parse("[2001:db8::1]:1000");
  CHECK(a < b);
  CHECK(a != c);
  std::unordered_set<SocketAddress> set{a, b, c, a};
  CHECK(set.size() == 3);
  // IPv4 and an IPv6 address with the same leading bytes are different addresses.
  std::uint8_t sixteen[16] = {192, 0, 2, 1};
  CHECK(*IpAddress::from_bytes(sixteen) != IpAddress::v4(192, 0, 2, 1));
}
