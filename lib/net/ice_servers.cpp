#include "net/ice_servers.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>

#include "ice/server_url.h"
#include "net/sockaddr.h"

namespace rtcstack::net {
namespace {

// Every address of `host` (an IP address is its own), UDP or TCP alike.
base::Result<std::vector<base::IpAddress>> resolve(const std::string& host) {
  if (const auto ip = base::IpAddress::parse(host)) return std::vector<base::IpAddress>{*ip};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (const int error = getaddrinfo(host.c_str(), nullptr, &hints, &found); error != 0) {
    return base::Error{base::ErrorCode::kInvalidArgument, "cannot resolve " + host + ": " + gai_strerror(error)};
  }
  std::vector<base::IpAddress> addresses;
  for (const addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    const auto address = from_sockaddr(entry->ai_addr);
    if (address && std::find(addresses.begin(), addresses.end(), address->ip()) == addresses.end()) {
      addresses.push_back(address->ip());
    }
  }
  freeaddrinfo(found);
  return addresses;
}

}  // namespace

base::Result<void> add_ice_servers(pc::Configuration& configuration, const std::vector<IceServer>& servers) {
  ice::AgentConfig added = configuration.ice;  // applied whole, or not at all
  for (const IceServer& server : servers) {
    for (const std::string& url : server.urls) {
      auto parsed = ice::parse_server_url(url);
      if (!parsed) return parsed.error();
      auto addresses = resolve(parsed->host);
      if (!addresses) return addresses.error();
      for (const base::IpAddress& ip : *addresses) {
        const base::SocketAddress address(ip, parsed->port);
        if (!parsed->turn) {
          added.stun_servers.push_back(address);
          continue;
        }
        // A turns: server given by name must show a certificate for that name.
        const bool named = !base::IpAddress::parse(parsed->host);
        added.turn_servers.push_back({address, server.username, server.credential, parsed->transport, {},
                                      parsed->transport == ice::TurnTransport::kTls && named ? parsed->host : ""});
      }
    }
  }
  configuration.ice = std::move(added);
  return {};
}

}  // namespace rtcstack::net
