#include "base/socket_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace rtcstack::base {

namespace {

Error address_error(std::string_view text, std::string_view why) {
  std::string message = "address \"";
  // Bound what we echo back: the input may be hostile and arbitrarily long.
  message.append(text.substr(0, 64));
  if (text.size() > 64) message += "...";
  message += "\": ";
  message += why;
  return make_error(ErrorCode::kMalformed, std::move(message));
}

}  // namespace

IpAddress IpAddress::v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress ip;
  ip.bytes_[0] = a;
  ip.bytes_[1] = b;
  ip.bytes_[2] = c;
  ip.bytes_[3] = d;
  return ip;
}

Result<IpAddress> IpAddress::from_bytes(ByteView bytes) {
  if (bytes.size() != 4 && bytes.size() != 16) {
    return make_error(ErrorCode::kMalformed,
                      "an IP address has 4 or 16 bytes, not " + std::to_string(bytes.size()));
  }
  IpAddress ip;
  ip.family_ = bytes.size() == 4 ? AddressFamily::kIPv4 : AddressFamily::kIPv6;
  std::memcpy(ip.bytes_.data(), bytes.data(), bytes.size());
  return ip;
}

Result<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton needs a terminated string; no valid address is longer than 45 characters.
  char terminated[46];
  if (text.empty() || text.size() >= sizeof terminated) {
    return address_error(text, "not an IP address");
  }
  std::memcpy(terminated, text.data(), text.size());
  terminated[text.size()] = '\0';
  IpAddress ip;
  if (inet_pton(AF_INET, terminated, ip.bytes_.data()) == 1) return ip;
  if (inet_pton(AF_INET6, terminated, ip.bytes_.data()) == 1) {
    ip.family_ = AddressFamily::kIPv6;
    return ip;
  }
  return address_error(text, "not an IPv4 or IPv6 address");
}

bool IpAddress::is_loopback() const {
  if (is_v4()) return bytes_[0] == 127;
  static constexpr std::array<std::uint8_t, 16> kLoopback6 = {0, 0, 0, 0, 0, 0, 0, 0,
                                                               0, 0, 0, 0, 0, 0, 0, 1};
  return bytes_ == kLoopback6;
}

bool IpAddress::is_unspecified() const {
  for (std::uint8_t byte : bytes()) {
    if (byte != 0) return false;
  }
  return true;
}

bool IpAddress::is_link_local() const {
  if (is_v4()) return bytes_[0] == 169 && bytes_[1] == 254;
  return bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
}

bool IpAddress::is_multicast() const {
  if (is_v4()) return (bytes_[0] & 0xf0) == 0xe0;
  return bytes_[0] == 0xff;
}

bool IpAddress::is_broadcast() const {
  return is_v4() && bytes_[0] == 255 && bytes_[1] == 255 && bytes_[2] == 255 && bytes_[3] == 255;
}

IpAddress IpAddress::unmapped() const {
  static constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (is_v4() || !std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes_.begin())) return *this;
  return v4(bytes_[12], bytes_[13], bytes_[14], bytes_[15]);
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN];
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), text, sizeof text);
  return text;
}

Result<SocketAddress> SocketAddress::parse(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return address_error(text, "expected [IPv6]:port");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return address_error(text, "expected IPv4:port or [IPv6]:port");
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  std::uint16_t port = 0;
  const auto [end, status] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || status != std::errc{} || end != port_text.data() + port_text.size()) {
    return address_error(text, "port is not a number from 0 to 65535");
  }
  Result<IpAddress> ip = IpAddress::parse(host);
  if (!ip) return ip.error();
  if (text.front() == '[' && !ip->is_v6()) return address_error(text, "brackets hold IPv6 only");
  return SocketAddress(*ip, port);
}

std::string SocketAddress::to_string() const {
  std::string text = ip_.is_v6() ? "[" + ip_.to_string() + "]" : ip_.to_string();
  text += ':';
  text += std::to_string(port_);
  return text;
}

}  // namespace rtcstack::base

std::size_t std::hash<rtcstack::base::IpAddress>::operator()(
    const rtcstack::base::IpAddress& ip) const noexcept {
  // FNV-1a over family and bytes: cheap and spreads the low bits of similar addresses.
  std::uint64_t h = 0xcbf29ce484222325ULL ^ static_cast<std::uint64_t>(ip.family());
  for (std::uint8_t byte : ip.bytes()) h = (h ^ byte) * 0x100000001b3ULL;
  return static_cast<std::size_t>(h);
}

std::size_t std::hash<rtcstack::base::SocketAddress>::operator()(
    const rtcstack::base::SocketAddress& address) const noexcept {
  const std::size_t h = std::hash<rtcstack::base::IpAddress>{}(address.ip());
  return (h ^ address.port()) * 0x100000001b3ULL;
}
