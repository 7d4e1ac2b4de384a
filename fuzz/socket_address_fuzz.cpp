// Fuzzes IpAddress::parse and SocketAddress::parse: no crash, and an accepted address
// prints to text that parses back to the same address.
#include <cstdint>
#include <cstdlib>

#include "base/socket_address.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using rtcstack::base::IpAddress;
  using rtcstack::base::SocketAddress;
  const std::string_view text = rtcstack::base::as_string_view({data, size});
  if (const auto address = SocketAddress::parse(text); address.ok()) {
    const auto again = SocketAddress::parse(address->to_string());
    if (!again.ok() || *again != *address) std::abort();
  }
  if (const auto ip = IpAddress::parse(text); ip.ok()) {
    const auto again = IpAddress::parse(ip->to_string());
    if (!again.ok() || *again != *ip) std::abort();
  }
  return 0;
}
