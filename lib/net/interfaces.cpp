#include "net/interfaces.h"

#include <ifaddrs.h>
#include <net/if.h>

#include <algorithm>

#include "net/sockaddr.h"

namespace rtcstack::net {

bool interface_matches(std::string_view name, std::string_view pattern) {
  if (pattern.ends_with('*')) return name.starts_with(pattern.substr(0, pattern.size() - 1));
  return name == pattern;
}

std::vector<base::IpAddress> interface_addresses(bool include_loopback, const std::vector<std::string>& allow,
                                                 const std::vector<std::string>& deny) {
  const auto any_of = [](const std::vector<std::string>& patterns, std::string_view name) {
    return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return interface_matches(name, p); });
  };
  std::vector<base::IpAddress> addresses;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return addresses;
  for (ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || (entry->ifa_flags & IFF_UP) == 0) continue;
    const std::string_view name = entry->ifa_name != nullptr ? entry->ifa_name : "";
    if ((!allow.empty() && !any_of(allow, name)) || any_of(deny, name)) continue;
    const auto address = from_sockaddr(entry->ifa_addr);
    if (!address || address->ip().is_link_local()) continue;
    if (address->ip().is_loopback() && !include_loopback) continue;
    addresses.push_back(address->ip());
  }
  freeifaddrs(list);
  return addresses;
}

unsigned interface_index(const base::IpAddress& address) {
  unsigned index = 0;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return index;
  for (ifaddrs* entry = list; entry != nullptr && index == 0; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_name == nullptr) continue;
    const auto found = from_sockaddr(entry->ifa_addr);
    if (found && found->ip() == address) index = if_nametoindex(entry->ifa_name);
  }
  freeifaddrs(list);
  return index;
}

}  // namespace rtcstack::net
