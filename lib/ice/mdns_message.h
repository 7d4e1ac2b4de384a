// The slice of DNS (RFC 1035) that mDNS ICE candidates need (RFC 6762,
// draft-ietf-mmusic-mdns-ice-candidates): questions for A and AAAA records of
// "<name>.local" and answers that carry addresses. Parsing follows compression pointers
// (backwards only, a bounded number of hops) and checks every length against the
// datagram: a hostile packet yields kMalformed, never a read past its end. Sans-IO.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/random.h"
#include "base/result.h"
#include "base/socket_address.h"

namespace rtcstack::ice::mdns {

inline constexpr std::uint16_t kPort = 5353;
inline constexpr std::uint16_t kTypeA = 1;
inline constexpr std::uint16_t kTypeAaaa = 28;
inline constexpr std::uint16_t kClassIn = 1;
/// The largest message we build or accept (RFC 6762 §17: 9000 bytes at most).
inline constexpr std::size_t kMaxMessage = 9000;

/// 224.0.0.251 and ff02::fb, port 5353.
base::SocketAddress group_v4();
base::SocketAddress group_v6();

/// A fresh name for a host address: a random (version 4) UUID + ".local", as browsers
/// make them.
std::string random_name(base::Random& random);

/// Whether `name` is a host name we may resolve: one label of letters, digits and '-'
/// (a UUID, as browsers make them) followed by ".local", 255 bytes at most.
bool is_local_name(std::string_view name);

struct Question {
  std::string name;  ///< lower-case, without the trailing dot
  std::uint16_t type = kTypeA;
  bool unicast_response = false;  ///< the QU bit (RFC 6762 §5.4)
};

struct Answer {
  std::string name;
  std::uint32_t ttl = 0;           ///< seconds
  base::IpAddress address;         ///< from an A or AAAA record
};

struct Message {
  std::uint16_t id = 0;
  bool response = false;
  std::vector<Question> questions;
  std::vector<Answer> answers;  ///< A and AAAA records of every section; other types skipped
};

/// Parses a datagram. kMalformed for anything that is not a well-formed DNS message
/// (truncated, a pointer loop or forward pointer, a label or name too long, a record
/// whose data overruns, an A record not 4 bytes long, ...). Only the first 16 questions
/// and 32 address records are kept: a packet cannot make us allocate more.
base::Result<Message> parse(base::ByteView datagram);

/// A query for `name`'s records of `type` (A or AAAA), id 0 as RFC 6762 §18.1 asks of
/// multicast queries. One question per query: Chromium's responder ignores queries with
/// more.
std::vector<std::uint8_t> build_query(std::string_view name, std::uint16_t type);
/// A response (authoritative, id echoed) with one record per address of `name`; with an
/// id other than 0 (a legacy querier's), the question too.
/// `cache_flush`: set the top bit of the class (RFC 6762 §10.2), as a multicast answer
/// for a unique name does; a legacy unicast answer (§6.7) leaves it clear.
std::vector<std::uint8_t> build_response(std::uint16_t id, std::string_view name,
                                         const std::vector<base::IpAddress>& addresses, std::uint32_t ttl,
                                         bool cache_flush);

}  // namespace rtcstack::ice::mdns
