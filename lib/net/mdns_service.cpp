#include "net/mdns_service.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "base/log.h"
#include "net/interfaces.h"
#include "net/sockaddr.h"

namespace rtcstack::net {
namespace {

constexpr int kReadsPerWakeup = 64;  // then the loop's other sockets get their turn

int open_socket(bool v4) {
  const int fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int on = 1;
  // Port 5353 is the host's: other responders (avahi, another runtime) bind it too.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
  if (!v4) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  sockaddr_storage storage;
  const base::IpAddress any = v4 ? base::IpAddress::v4(0, 0, 0, 0) : *base::IpAddress::parse("::");
  const socklen_t size = to_sockaddr(base::SocketAddress(any, ice::mdns::kPort), storage);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), size) != 0) {
    ::close(fd);
    return -1;
  }
  // RFC 6762 §11: TTL 255; and other mDNS users of this host hear us.
  const int ttl = 255;
  if (v4) {
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &on, sizeof on);
  } else {
    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl);
    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &on, sizeof on);
  }
  return fd;
}

bool join(int fd, const base::IpAddress& interface) {
  if (interface.is_v4()) {
    ip_mreq request{};
    std::memcpy(&request.imr_multiaddr, ice::mdns::group_v4().ip().bytes().data(), 4);
    std::memcpy(&request.imr_interface, interface.bytes().data(), 4);
    return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof request) == 0;
  }
  ipv6_mreq request{};
  std::memcpy(&request.ipv6mr_multiaddr, ice::mdns::group_v6().ip().bytes().data(), 16);
  request.ipv6mr_interface = interface_index(interface);
  return request.ipv6mr_interface != 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &request, sizeof request) == 0;
}

}  // namespace

base::Result<std::unique_ptr<MdnsService>> MdnsService::open(const std::vector<base::IpAddress>& addresses) {
  std::unique_ptr<MdnsService> service(new MdnsService());
  for (const bool v4 : {true, false}) {
    Socket socket;
    socket.v4 = v4;
    for (const base::IpAddress& address : addresses) {
      if (address.is_v4() != v4) continue;
      if (socket.fd < 0) socket.fd = open_socket(v4);
      if (socket.fd >= 0 && join(socket.fd, address)) socket.interfaces.push_back(address);
    }
    if (socket.interfaces.empty()) {
      if (socket.fd >= 0) ::close(socket.fd);
      continue;
    }
    service->sockets_.push_back(std::move(socket));
  }
  if (service->sockets_.empty()) {
    return base::Error{base::ErrorCode::kInternal, "mDNS: no interface joined 224.0.0.251 or ff02::fb on port 5353"};
  }
  return service;
}

MdnsService::~MdnsService() {
  for (const Socket& socket : sockets_) ::close(socket.fd);
}

std::vector<int> MdnsService::fds() const {
  std::vector<int> fds;
  for (const Socket& socket : sockets_) fds.push_back(socket.fd);
  return fds;
}

bool MdnsService::owns(int fd) const {
  return std::any_of(sockets_.begin(), sockets_.end(), [&](const Socket& socket) { return socket.fd == fd; });
}

base::Result<std::optional<std::vector<base::IpAddress>>> MdnsService::resolve(base::Instant now, std::string_view name) {
  auto resolved = resolver_.resolve(now, name);
  send_queries();
  return resolved;
}

void MdnsService::handle_timeout(base::Instant now) {
  resolver_.handle_timeout(now);
  send_queries();
}

void MdnsService::send_queries() {
  while (auto query = resolver_.poll_query()) {
    ++stats_.queries_sent;
    for (const Socket& socket : sockets_) send_to_group(socket, *query);
  }
}

void MdnsService::send_to_group(const Socket& socket, const std::vector<std::uint8_t>& bytes) {
  // Once per interface: a host's peers may sit behind any of them.
  for (const base::IpAddress& interface : socket.interfaces) {
    if (socket.v4) {
      in_addr address{};
      std::memcpy(&address, interface.bytes().data(), 4);
      setsockopt(socket.fd, IPPROTO_IP, IP_MULTICAST_IF, &address, sizeof address);
    } else {
      const unsigned index = interface_index(interface);
      setsockopt(socket.fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index);
    }
    send_to(socket, socket.v4 ? ice::mdns::group_v4() : ice::mdns::group_v6(), bytes);
  }
}

void MdnsService::send_to(const Socket& socket, const base::SocketAddress& to, const std::vector<std::uint8_t>& bytes) {
  sockaddr_storage storage;
  const socklen_t size = to_sockaddr(to, storage);
  (void)::sendto(socket.fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&storage), size);
}

void MdnsService::receive(base::Instant now, int fd) {
  const auto socket = std::find_if(sockets_.begin(), sockets_.end(), [&](const Socket& s) { return s.fd == fd; });
  if (socket == sockets_.end()) return;
  std::uint8_t buffer[ice::mdns::kMaxMessage];
  for (int i = 0; i < kReadsPerWakeup; ++i) {
    sockaddr_storage storage;
    socklen_t size = sizeof storage;
    const ssize_t n = ::recvfrom(fd, buffer, sizeof buffer, MSG_TRUNC, reinterpret_cast<sockaddr*>(&storage), &size);
    if (n < 0) return;
    ++stats_.received;
    const auto from = from_sockaddr(reinterpret_cast<sockaddr*>(&storage));
    const auto message = static_cast<std::size_t>(n) <= sizeof buffer && from
                             ? ice::mdns::parse({buffer, static_cast<std::size_t>(n)})
                             : base::Result<ice::mdns::Message>(base::Error{base::ErrorCode::kMalformed, "too long"});
    if (!message) {
      ++stats_.malformed;
      continue;
    }
    if (message->response) {
      if (!resolver_.handle_response(now, *message)) ++stats_.unrelated;
      continue;
    }
    std::optional<ice::mdns::Responder::Reply> reply;
    switch (responder_.handle_query(now, *message, *from, reply)) {
      case ice::mdns::Responder::Outcome::kAnswered:
        ++stats_.answered;
        RTC_LOG(kDebug, "net") << "mDNS: answered " << *from << " for one of our names";
        break;
      case ice::mdns::Responder::Outcome::kRateLimited: ++stats_.rate_limited; break;
      case ice::mdns::Responder::Outcome::kNotOurs: ++stats_.unrelated; break;
    }
    if (!reply) continue;
    if (reply->unicast_to) {
      send_to(*socket, *reply->unicast_to, reply->bytes);
    } else {
      send_to_group(*socket, reply->bytes);
    }
  }
}

}  // namespace rtcstack::net
