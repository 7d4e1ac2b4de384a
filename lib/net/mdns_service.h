// A runtime's mDNS endpoint (RFC 6762) for ICE candidates: resolves the .local names of
// remote candidates (ice::mdns::Resolver) and answers queries for the names that hide our
// own host addresses (ice::mdns::Responder). One UDP socket per family on port 5353
// (shared with any other mDNS user of the host), joined to 224.0.0.251 and ff02::fb on
// the runtime's interfaces; queries and multicast answers go out on each of them.
// Everything that arrives is parsed once, bounded (ice::mdns::parse) and counted.
// Internal to lib/net: the runtime drives it from its loop, under the cores lock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/socket_address.h"
#include "base/time.h"
#include "ice/mdns_resolver.h"
#include "ice/mdns_responder.h"
#include "net/runtime.h"

namespace rtcstack::net {

class MdnsService {
 public:
  /// Opens the sockets and joins the groups on the interfaces of `addresses`. kInternal
  /// when no socket could join a group.
  static base::Result<std::unique_ptr<MdnsService>> open(const std::vector<base::IpAddress>& addresses);
  ~MdnsService();
  MdnsService(const MdnsService&) = delete;
  MdnsService& operator=(const MdnsService&) = delete;

  std::vector<int> fds() const;
  bool owns(int fd) const;

  bool add_name(std::string_view name, const base::IpAddress& address) { return responder_.add(name, {address}); }
  void remove_name(std::string_view name) { responder_.remove(name); }

  /// See ice::mdns::Resolver::resolve(); queries go out at once.
  base::Result<std::optional<std::vector<base::IpAddress>>> resolve(base::Instant now, std::string_view name);
  /// Reads what `fd` has (a bounded number of datagrams): answers what asks for our names,
  /// feeds responses to the resolver, counts the rest.
  void receive(base::Instant now, int fd);
  void handle_timeout(base::Instant now);
  base::Instant next_timeout() const { return resolver_.poll_timeout(); }
  std::optional<ice::mdns::Resolution> poll_resolution() { return resolver_.poll_resolution(); }
  const MdnsStats& stats() const { return stats_; }

 private:
  struct Socket {
    int fd = -1;
    bool v4 = true;
    std::vector<base::IpAddress> interfaces;  // joined on these (IPv6: by their index)
  };
  MdnsService() = default;
  void send_queries();
  void send_to_group(const Socket& socket, const std::vector<std::uint8_t>& bytes);
  void send_to(const Socket& socket, const base::SocketAddress& to, const std::vector<std::uint8_t>& bytes);

  std::vector<Socket> sockets_;
  ice::mdns::Resolver resolver_;
  ice::mdns::Responder responder_;
  MdnsStats stats_;
};

}  // namespace rtcstack::net
