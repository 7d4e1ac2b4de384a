// Answering mDNS queries for the names that hide our own host candidates
// (draft-ietf-mmusic-mdns-ice-candidates §3.1), sans-IO: only names registered here get an
// answer, never anything else a query asks. A multicast answer for one name and record
// type goes out at most once a second (RFC 6762 §6: a flood of queries costs one answer a
// second); a query
// from a port other than 5353 (a one-shot resolver, §6.7) or with the QU bit gets a
// unicast answer to its source instead, rate-limited per source the same way.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/socket_address.h"
#include "base/time.h"
#include "ice/mdns_message.h"

namespace rtcstack::ice::mdns {

class Responder {
 public:
  /// TTL of our answers: RFC 6762 §10 suggests 120 s for host records.
  static constexpr std::uint32_t kTtlSeconds = 120;
  /// Names held at most (each connection registers one per address).
  static constexpr std::size_t kMaxNames = 4096;

  /// Answers for `name` (is_local_name) with `addresses` from now on. false (nothing
  /// changes) for a bad name or past kMaxNames.
  bool add(std::string_view name, std::vector<base::IpAddress> addresses);
  void remove(std::string_view name);
  std::size_t size() const { return names_.size(); }

  struct Reply {
    std::vector<std::uint8_t> bytes;
    /// Where to send it: the group (nullopt), or the querier itself.
    std::optional<base::SocketAddress> unicast_to;
  };
  enum class Outcome : std::uint8_t { kAnswered, kNotOurs, kRateLimited };
  /// What to do with a query that came from `from`.
  Outcome handle_query(base::Instant now, const Message& query, const base::SocketAddress& from,
                       std::optional<Reply>& reply);

 private:
  struct Entry {
    std::vector<base::IpAddress> addresses;
    std::map<std::uint16_t, base::Instant> last_multicast;  // by record type asked for
    std::map<base::SocketAddress, base::Instant> last_unicast;  // a few queriers at most
  };
  std::map<std::string, Entry, std::less<>> names_;
};

}  // namespace rtcstack::ice::mdns
