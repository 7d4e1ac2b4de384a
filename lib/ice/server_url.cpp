#include "ice/server_url.h"

#include <charconv>
#include <optional>

#include "base/socket_address.h"

namespace rtcstack::ice {
namespace {

base::Error invalid(std::string_view url, std::string_view why) {
  return {base::ErrorCode::kInvalidArgument, "\"" + std::string(url.substr(0, 200)) + "\" is not a STUN or TURN URL: " +
                                                 std::string(why)};
}

// RFC 3986 reg-name as ICE servers use it: letters, digits, '-', '.'.
bool valid_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (const char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

base::Result<ServerUrl> parse_server_url(std::string_view url) {
  ServerUrl parsed;
  const std::size_t colon = url.find(':');
  if (colon == std::string_view::npos) return invalid(url, "no scheme");
  const std::string_view scheme = url.substr(0, colon);
  const bool secure = scheme == "turns" || scheme == "stuns";
  parsed.turn = scheme == "turn" || scheme == "turns";
  if (!parsed.turn && scheme != "stun" && scheme != "stuns") return invalid(url, "the scheme is not stun, turn or turns");
  if (scheme == "stuns") return base::Error{base::ErrorCode::kUnsupported, "stuns: (STUN over TLS) is not supported"};
  std::string_view rest = url.substr(colon + 1);
  std::string_view query;
  if (const std::size_t question = rest.find('?'); question != std::string_view::npos) {
    query = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }
  // The host: [IPv6], or up to the port's colon.
  std::string_view host;
  std::optional<std::string_view> port;  // after a ':', possibly empty
  if (rest.starts_with('[')) {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return invalid(url, "an IPv6 address without its ']'");
    host = rest.substr(1, close - 1);
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return invalid(url, "something after the IPv6 address");
    if (!after.empty()) port = after.substr(1);
    const auto ip = base::IpAddress::parse(host);
    if (!ip || ip->is_v4()) return invalid(url, "the bracketed host is not an IPv6 address");
  } else {
    const std::size_t port_colon = rest.find(':');
    host = rest.substr(0, port_colon);
    if (port_colon != std::string_view::npos) port = rest.substr(port_colon + 1);
    if (!valid_name(host)) return invalid(url, "the host is empty or not a name or IPv4 address");
  }
  parsed.host = std::string(host);
  parsed.port = secure ? 5349 : 3478;
  if (port) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port->data(), port->data() + port->size(), value);
    if (port->empty() || error != std::errc{} || end != port->data() + port->size() || value == 0 || value > 65535) {
      return invalid(url, "the port is not a number from 1 to 65535");
    }
    parsed.port = static_cast<std::uint16_t>(value);
  }
  parsed.transport = secure ? TurnTransport::kTls : TurnTransport::kUdp;
  if (!query.empty()) {
    if (!parsed.turn) return invalid(url, "a stun: URL has no query");
    if (query == "transport=tcp") {
      if (!secure) parsed.transport = TurnTransport::kTcp;
    } else if (query == "transport=udp") {
      if (secure) return base::Error{base::ErrorCode::kUnsupported, "turns: over UDP (TURN over DTLS) is not supported"};
    } else {
      return invalid(url, "the query is not transport=udp or transport=tcp");
    }
  }
  return parsed;
}

}  // namespace rtcstack::ice
