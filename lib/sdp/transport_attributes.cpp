#include "sdp/transport_attributes.h"

#include "base/hex.h"
#include "sdp/text.h"

namespace rtcstack::sdp {

namespace {

std::string join(const std::vector<std::string>& words, std::string text = {}) {
  for (const std::string& word : words) {
    if (!text.empty()) text += ' ';
    text += word;
  }
  return text;
}

std::vector<std::string> to_strings(const std::vector<std::string_view>& words, std::size_t from) {
  return {words.begin() + static_cast<std::ptrdiff_t>(std::min(from, words.size())), words.end()};
}

std::size_t digest_size(std::string_view algorithm) {
  if (algorithm == "sha-1") return 20;
  if (algorithm == "sha-224") return 28;
  if (algorithm == "sha-256") return 32;
  if (algorithm == "sha-384") return 48;
  if (algorithm == "sha-512") return 64;
  if (algorithm == "md5" || algorithm == "md2") return 16;
  return 0;  // another hash: any length
}

}  // namespace

base::Result<Group> Group::parse(std::string_view value) {
  const auto words = split_words(value);
  if (words.empty() || !is_token(words[0])) return attribute_error(kName, "needs a semantics token");
  return Group{std::string(words[0]), to_strings(words, 1)};
}

std::string Group::to_string() const { return join(mids, semantics); }

base::Result<MsidSemantic> MsidSemantic::parse(std::string_view value) {
  const auto words = split_words(value);
  if (words.empty()) return attribute_error(kName, "needs a semantic token");
  return MsidSemantic{std::string(words[0]), to_strings(words, 1)};
}

std::string MsidSemantic::to_string() const { return join(identifiers, semantic); }

base::Result<Msid> Msid::parse(std::string_view value) {
  const auto words = split_words(value);
  if (words.empty() || words.size() > 2) return attribute_error(kName, "expected <stream id> [<track id>]");
  Msid msid{std::string(words[0]), std::nullopt};
  if (words.size() == 2) msid.track_id = std::string(words[1]);
  return msid;
}

std::string Msid::to_string() const { return track_id ? stream_id + ' ' + *track_id : stream_id; }

base::Result<IceOptions> IceOptions::parse(std::string_view value) {
  const auto words = split_words(value);
  if (words.empty()) return attribute_error(kName, "lists no option");
  return IceOptions{to_strings(words, 0)};
}

std::string IceOptions::to_string() const { return join(options); }

bool IceOptions::has(std::string_view option) const {
  for (const std::string& o : options) {
    if (o == option) return true;
  }
  return false;
}

base::Result<Fingerprint> Fingerprint::parse(std::string_view value) {
  const auto words = split_words(value);
  if (words.size() != 2) return attribute_error(kName, "expected <hash function> <fingerprint>");
  std::string algorithm(words[0]);
  for (char& c : algorithm) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  auto digest = base::from_hex(words[1], ':');
  if (!digest) return attribute_error(kName, "fingerprint is not hex pairs separated by ':'");
  const std::size_t expected = digest_size(algorithm);
  if (digest->empty() || (expected != 0 && digest->size() != expected)) {
    return attribute_error(kName, algorithm + " digest has " + std::to_string(digest->size()) +
                                      " bytes, expected " + std::to_string(expected));
  }
  return Fingerprint{std::move(algorithm), std::move(digest).value()};
}

std::string Fingerprint::to_string() const {
  return algorithm + ' ' + base::to_hex(digest, ':', base::HexCase::kUpper);
}

base::Result<Setup> parse_setup(std::string_view value) {
  value = trim(value);
  if (value == "actpass") return Setup::kActpass;
  if (value == "active") return Setup::kActive;
  if (value == "passive") return Setup::kPassive;
  if (value == "holdconn") return Setup::kHoldconn;
  return attribute_error("setup", "\"" + std::string(value) + "\" is not actpass, active, passive or holdconn");
}

std::string_view to_string(Setup setup) {
  switch (setup) {
    case Setup::kActpass: return "actpass";
    case Setup::kActive: return "active";
    case Setup::kPassive: return "passive";
    case Setup::kHoldconn: return "holdconn";
  }
  return "actpass";
}

base::Result<Rtcp> Rtcp::parse(std::string_view value) {
  const auto words = split_words(value);
  if (words.size() != 1 && words.size() != 4) return attribute_error(kName, "expected <port> [<nettype> <addrtype> <address>]");
  const auto port = parse_number(words[0], 65535);
  if (!port) return attribute_error(kName, "port \"" + std::string(words[0]) + "\" is not 0-65535");
  Rtcp rtcp;
  rtcp.port = static_cast<std::uint16_t>(*port);
  if (words.size() == 4) {
    rtcp.net_type = std::string(words[1]);
    rtcp.address_type = std::string(words[2]);
    rtcp.address = std::string(words[3]);
  }
  return rtcp;
}

std::string Rtcp::to_string() const {
  std::string text = std::to_string(port);
  if (address) text += ' ' + *net_type + ' ' + *address_type + ' ' + *address;
  return text;
}

base::Result<Sctpmap> Sctpmap::parse(std::string_view value) {
  const auto words = split_words(value);
  if (words.size() < 2 || words.size() > 3) return attribute_error(kName, "expected <port> <protocol> [<streams>]");
  const auto port = parse_number(words[0], 65535);
  if (!port) return attribute_error(kName, "port \"" + std::string(words[0]) + "\" is not 0-65535");
  Sctpmap map{static_cast<std::uint16_t>(*port), std::string(words[1]), std::nullopt};
  if (words.size() == 3) {
    const auto streams = parse_number(words[2], UINT32_MAX);
    if (!streams) return attribute_error(kName, "streams \"" + std::string(words[2]) + "\" is not a number");
    map.streams = static_cast<std::uint32_t>(*streams);
  }
  return map;
}

std::string Sctpmap::to_string() const {
  std::string text = std::to_string(port) + ' ' + protocol;
  if (streams) text += ' ' + std::to_string(*streams);
  return text;
}

std::optional<Direction> direction_from_name(std::string_view name) {
  if (name == "sendrecv") return Direction::kSendRecv;
  if (name == "sendonly") return Direction::kSendOnly;
  if (name == "recvonly") return Direction::kRecvOnly;
  if (name == "inactive") return Direction::kInactive;
  return std::nullopt;
}

std::string_view to_string(Direction direction) {
  switch (direction) {
    case Direction::kSendRecv: return "sendrecv";
    case Direction::kSendOnly: return "sendonly";
    case Direction::kRecvOnly: return "recvonly";
    case Direction::kInactive: return "inactive";
  }
  return "sendrecv";
}

}  // namespace rtcstack::sdp
