#include "ice/mdns_message.h"

#include <cctype>

namespace rtcstack::ice::mdns {
namespace {

constexpr std::size_t kHeader = 12;
constexpr std::size_t kMaxQuestions = 16;
constexpr std::size_t kMaxAnswers = 32;
constexpr int kMaxPointerHops = 16;
constexpr std::size_t kMaxName = 255;

base::Error malformed(const char* what) { return {base::ErrorCode::kMalformed, std::string("mDNS: ") + what}; }

std::uint16_t u16(base::ByteView bytes, std::size_t at) {
  return static_cast<std::uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

// Reads the name at `at`, following compression pointers; moves `at` past the name as it
// sits in the message (a pointer counts two bytes).
base::Result<std::string> read_name(base::ByteView message, std::size_t& at) {
  std::string name;
  std::size_t cursor = at;
  bool jumped = false;
  for (int hops = 0;;) {
    if (cursor >= message.size()) return malformed("a name runs past the message");
    const std::uint8_t length = message[cursor];
    if ((length & 0xc0) == 0xc0) {
      if (cursor + 1 >= message.size()) return malformed("a truncated compression pointer");
      const std::size_t target = static_cast<std::size_t>(length & 0x3f) << 8 | message[cursor + 1];
      // Only backwards, and not forever: a pointer loop or a forward pointer is hostile.
      if (target >= cursor || ++hops > kMaxPointerHops) return malformed("a compression pointer that does not point back");
      if (!jumped) at = cursor + 2;
      jumped = true;
      cursor = target;
      continue;
    }
    if ((length & 0xc0) != 0) return malformed("a label of an unknown kind");
    if (length == 0) {
      if (!jumped) at = cursor + 1;
      return name;
    }
    if (cursor + 1 + length > message.size()) return malformed("a label runs past the message");
    if (!name.empty()) name += '.';
    for (std::size_t i = 0; i < length; ++i) {
      name += static_cast<char>(std::tolower(message[cursor + 1 + i]));
    }
    if (name.size() > kMaxName) return malformed("a name longer than 255 bytes");
    cursor += 1 + length;
  }
}

void write_u16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

void write_name(std::vector<std::uint8_t>& out, std::string_view name) {
  while (!name.empty()) {
    const std::size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    out.push_back(static_cast<std::uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
    name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  }
  out.push_back(0);
}

void write_header(std::vector<std::uint8_t>& out, std::uint16_t id, std::uint16_t flags, std::uint16_t questions,
                  std::uint16_t answers) {
  write_u16(out, id);
  write_u16(out, flags);
  write_u16(out, questions);
  write_u16(out, answers);
  write_u16(out, 0);
  write_u16(out, 0);
}

}  // namespace

base::SocketAddress group_v4() { return {base::IpAddress::v4(224, 0, 0, 251), kPort}; }
base::SocketAddress group_v6() { return {*base::IpAddress::parse("ff02::fb"), kPort}; }

std::string random_name(base::Random& random) {
  std::uint8_t bytes[16];
  random.fill(bytes);
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) name += '-';
    name += kHex[bytes[i] >> 4];
    name += kHex[bytes[i] & 0x0f];
  }
  return name + ".local";
}

bool is_local_name(std::string_view name) {
  constexpr std::string_view kSuffix = ".local";
  if (name.size() <= kSuffix.size() || name.size() > kMaxName || !name.ends_with(kSuffix)) return false;
  const std::string_view label = name.substr(0, name.size() - kSuffix.size());
  if (label.size() > 63) return false;
  for (const char c : label) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

base::Result<Message> parse(base::ByteView datagram) {
  if (datagram.size() < kHeader) return malformed("shorter than a DNS header");
  if (datagram.size() > kMaxMessage) return malformed("longer than 9000 bytes");
  Message message;
  message.id = u16(datagram, 0);
  const std::uint16_t flags = u16(datagram, 2);
  message.response = (flags & 0x8000) != 0;
  if ((flags & 0x7800) != 0) return malformed("an opcode other than QUERY");
  const std::size_t questions = u16(datagram, 4);
  const std::size_t records = std::size_t{u16(datagram, 6)} + u16(datagram, 8) + u16(datagram, 10);
  std::size_t at = kHeader;
  for (std::size_t i = 0; i < questions; ++i) {
    auto name = read_name(datagram, at);
    if (!name) return name.error();
    if (at + 4 > datagram.size()) return malformed("a truncated question");
    const std::uint16_t type = u16(datagram, at);
    const std::uint16_t qclass = u16(datagram, at + 2);
    at += 4;
    if (message.questions.size() < kMaxQuestions) {
      message.questions.push_back({std::move(*name), type, (qclass & 0x8000) != 0});
    }
  }
  for (std::size_t i = 0; i < records; ++i) {
    auto name = read_name(datagram, at);
    if (!name) return name.error();
    if (at + 10 > datagram.size()) return malformed("a truncated resource record");
    const std::uint16_t type = u16(datagram, at);
    const std::uint16_t rclass = u16(datagram, at + 2) & 0x7fff;  // without the cache-flush bit
    const std::uint32_t ttl = static_cast<std::uint32_t>(u16(datagram, at + 4)) << 16 | u16(datagram, at + 6);
    const std::size_t length = u16(datagram, at + 8);
    at += 10;
    if (at + length > datagram.size()) return malformed("record data runs past the message");
    const base::ByteView data = datagram.subspan(at, length);
    at += length;
    if (rclass != kClassIn || (type != kTypeA && type != kTypeAaaa)) continue;
    if ((type == kTypeA && length != 4) || (type == kTypeAaaa && length != 16)) {
      return malformed("an address record of the wrong length");
    }
    if (message.answers.size() < kMaxAnswers) {
      message.answers.push_back({std::move(*name), ttl, *base::IpAddress::from_bytes(data)});
    }
  }
  return message;
}

std::vector<std::uint8_t> build_query(std::string_view name, std::uint16_t type) {
  std::vector<std::uint8_t> out;
  write_header(out, 0, 0, 1, 0);
  write_name(out, name);
  write_u16(out, type);
  write_u16(out, kClassIn);
  return out;
}

std::vector<std::uint8_t> build_response(std::uint16_t id, std::string_view name,
                                         const std::vector<base::IpAddress>& addresses, std::uint32_t ttl,
                                         bool cache_flush) {
  std::vector<std::uint8_t> out;
  // A legacy unicast answer (a querier's own id) repeats the question (RFC 6762 §6.7).
  const bool legacy = id != 0 && !addresses.empty();
  write_header(out, id, 0x8400, legacy ? 1 : 0, static_cast<std::uint16_t>(addresses.size()));  // response, authoritative
  if (legacy) {
    write_name(out, name);
    write_u16(out, addresses.front().is_v4() ? kTypeA : kTypeAaaa);
    write_u16(out, kClassIn);
  }
  for (const base::IpAddress& address : addresses) {
    write_name(out, name);
    write_u16(out, address.is_v4() ? kTypeA : kTypeAaaa);
    write_u16(out, static_cast<std::uint16_t>(kClassIn | (cache_flush ? 0x8000 : 0)));
    write_u16(out, static_cast<std::uint16_t>(ttl >> 16));
    write_u16(out, static_cast<std::uint16_t>(ttl));
    const base::ByteView bytes = address.bytes();
    write_u16(out, static_cast<std::uint16_t>(bytes.size()));
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

}  // namespace rtcstack::ice::mdns
