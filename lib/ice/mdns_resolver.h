// Resolving the mDNS names of remote ICE candidates ("<uuid>.local",
// draft-ietf-mmusic-mdns-ice-candidates) with multicast queries (RFC 6762 §5), sans-IO:
// the caller sends each query to 224.0.0.251:5353 and ff02::fb, feeds every mDNS response
// it receives, and wakes the resolver at poll_timeout(). Each attempt asks for A and
// AAAA records (a query each); an unanswered name is asked again after 1 s and 2 s more
// and given up 3 s after the last, so it never holds anyone longer than that. Answers -
// and the announcements a browser multicasts as it registers a name (RFC 6762 §8.3),
// which often arrive before its candidate does - are cached for their TTL (capped).
// Bounded: at most max_pending names in flight and max_cache names remembered (the
// entry closest to expiry makes room).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/socket_address.h"
#include "base/time.h"
#include "ice/mdns_message.h"

namespace rtcstack::ice::mdns {

struct ResolverConfig {
  std::size_t attempts = 3;                                 ///< queries per name
  base::Duration first_retry = base::Duration::seconds(1);  ///< doubled after each attempt
  base::Duration give_up_after = base::Duration::seconds(3);  ///< after the last attempt
  std::size_t max_pending = 64;
  std::size_t max_cache = 256;
  std::uint32_t max_ttl_seconds = 120;  ///< a longer TTL is held this long only
};

/// The outcome for one name: its addresses, or none (no answer in time).
struct Resolution {
  std::string name;
  std::vector<base::IpAddress> addresses;
};

class Resolver {
 public:
  explicit Resolver(ResolverConfig config = {}) : config_(config) {}

  /// Starts resolving `name`. The addresses at once when the cache has them; otherwise
  /// nullopt and a Resolution follows (a query goes out unless one is in flight).
  /// kInvalidArgument for a name that is not a .local host name, kResourceExhausted with
  /// max_pending names in flight.
  base::Result<std::optional<std::vector<base::IpAddress>>> resolve(base::Instant now, std::string_view name);
  /// A response received on the mDNS port: addresses of .local names are cached, and
  /// resolve the names in flight. Returns whether it carried any such address (the
  /// caller counts the rest as unrelated).
  bool handle_response(base::Instant now, const Message& response);
  void handle_timeout(base::Instant now);
  base::Instant poll_timeout() const;
  /// The next query to send (to both groups), or nullopt.
  std::optional<std::vector<std::uint8_t>> poll_query();
  /// The next finished name, or nullopt.
  std::optional<Resolution> poll_resolution();

  std::size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    std::size_t sent = 0;
    base::Instant next;  // the next query, or giving up after the last
  };
  struct Cached {
    std::vector<base::IpAddress> addresses;
    base::Instant expires;
  };
  void send_query(base::Instant now, const std::string& name, Pending& pending);
  void finish(const std::string& name, std::vector<base::IpAddress> addresses);

  ResolverConfig config_;
  std::map<std::string, Pending, std::less<>> pending_;
  std::map<std::string, Cached, std::less<>> cache_;
  std::deque<std::vector<std::uint8_t>> queries_;
  std::deque<Resolution> resolutions_;
};

}  // namespace rtcstack::ice::mdns
