// IP addresses and transport addresses (IP + port) as plain values. Parsing and
// formatting are pure: nothing here touches a socket or a resolver.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::base {

enum class AddressFamily : std::uint8_t { kIPv4, kIPv6 };

/// An IPv4 or IPv6 address. Default-constructed: 0.0.0.0.
class IpAddress {
 public:
  IpAddress() = default;

  static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);
  /// From 4 (IPv4) or 16 (IPv6) bytes in network order.
  static Result<IpAddress> from_bytes(ByteView bytes);
  /// Dotted quad ("192.0.2.1") or RFC 5952 text ("2001:db8::1"); no brackets, no zone.
  static Result<IpAddress> parse(std::string_view text);

  AddressFamily family() const { return family_; }
  bool is_v4() const { return family_ == AddressFamily::kIPv4; }
  bool is_v6() const { return family_ == AddressFamily::kIPv6; }
  /// 4 or 16 bytes in network order.
  ByteView bytes() const { return {bytes_.data(), is_v4() ? 4u : 16u}; }

  bool is_loopback() const;     ///< 127.0.0.0/8 or ::1
  bool is_unspecified() const;  ///< 0.0.0.0 or ::
  bool is_link_local() const;   ///< 169.254.0.0/16 or fe80::/10
  bool is_multicast() const;    ///< 224.0.0.0/4 or ff00::/8
  /// 255.255.255.255 (a subnet's directed broadcast address cannot be told without its mask).
  bool is_broadcast() const;
  /// For ::ffff:a.b.c.d, the IPv4 address a.b.c.d; otherwise the address itself.
  IpAddress unmapped() const;

  /// Canonical text: dotted quad, or RFC 5952 compressed lower-case IPv6.
  std::string to_string() const;

  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

 private:
  AddressFamily family_ = AddressFamily::kIPv4;
  std::array<std::uint8_t, 16> bytes_{};  // IPv4 uses the first 4; the rest stay zero
};

/// An IP address and a UDP/TCP port.
class SocketAddress {
 public:
  SocketAddress() = default;
  SocketAddress(IpAddress ip, std::uint16_t port) : ip_(ip), port_(port) {}

  /// "192.0.2.1:5000" or "[2001:db8::1]:5000".
  static Result<SocketAddress> parse(std::string_view text);

  const IpAddress& ip() const { return ip_; }
  std::uint16_t port() const { return port_; }
  AddressFamily family() const { return ip_.family(); }

  /// The form parse() accepts.
  std::string to_string() const;

  friend auto operator<=>(const SocketAddress&, const SocketAddress&) = default;

 private:
  IpAddress ip_;
  std::uint16_t port_ = 0;
};

}  // namespace rtcstack::base

template <>
struct std::hash<rtcstack::base::IpAddress> {
  std::size_t operator()(const rtcstack::base::IpAddress& ip) const noexcept;
};

template <>
struct std::hash<rtcstack::base::SocketAddress> {
  std::size_t operator()(const rtcstack::base::SocketAddress& address) const noexcept;
};
