// The machine's network interfaces: the addresses a runtime gathers host candidates on
// when it is not given a list, chosen by interface name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/socket_address.h"

namespace rtcstack::net {

/// Whether `name` matches `pattern`: equal, or, for a pattern ending in '*', starting with
/// what comes before it ("docker*" matches docker0 and docker_gwbridge).
bool interface_matches(std::string_view name, std::string_view pattern);

/// The addresses, IPv4 and IPv6, of interfaces that are up, not link-local; loopback ones
/// only with `include_loopback`. `allow`: only interfaces matching one of these (empty:
/// all); `deny`: none matching one of these (VPN tunnels, container bridges), applied
/// after `allow`.
std::vector<base::IpAddress> interface_addresses(bool include_loopback, const std::vector<std::string>& allow = {},
                                                 const std::vector<std::string>& deny = {});

/// The index of the interface that has `address` (for IPv6 multicast), or 0 if none has.
unsigned interface_index(const base::IpAddress& address);

}  // namespace rtcstack::net
