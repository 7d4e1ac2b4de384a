#include "sdp/candidate.h"

#include "sdp/text.h"

namespace rtcstack::sdp {

namespace {

bool is_host_name(std::string_view text) {
  if (text.empty() || text.size() > 255) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '.' || c == '_')) {
      return false;
    }
  }
  return true;
}

bool is_address(std::string_view text) {
  return base::IpAddress::parse(text).ok() || is_host_name(text);
}

std::optional<CandidateType> parse_type(std::string_view text) {
  if (text == "host") return CandidateType::kHost;
  if (text == "srflx") return CandidateType::kServerReflexive;
  if (text == "prflx") return CandidateType::kPeerReflexive;
  if (text == "relay") return CandidateType::kRelay;
  return std::nullopt;
}

std::optional<TcpType> parse_tcp_type(std::string_view text) {
  if (text == "active") return TcpType::kActive;
  if (text == "passive") return TcpType::kPassive;
  if (text == "so") return TcpType::kSimultaneousOpen;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(CandidateType type) {
  switch (type) {
    case CandidateType::kHost: return "host";
    case CandidateType::kServerReflexive: return "srflx";
    case CandidateType::kPeerReflexive: return "prflx";
    case CandidateType::kRelay: return "relay";
  }
  return "host";
}

std::string_view to_string(CandidateTransport transport) {
  return transport == CandidateTransport::kTcp ? "tcp" : "udp";
}

std::string_view to_string(TcpType type) {
  switch (type) {
    case TcpType::kActive: return "active";
    case TcpType::kPassive: return "passive";
    case TcpType::kSimultaneousOpen: return "so";
  }
  return "active";
}

base::Result<Candidate> Candidate::parse(std::string_view text) {
  text = trim(text);
  if (text.starts_with("a=")) text.remove_prefix(2);
  if (text.starts_with("candidate:")) text.remove_prefix(10);
  const std::vector<std::string_view> words = split_words(text);
  if (words.size() < 8) {
    return attribute_error(kName, "needs at least 8 fields (foundation component transport "
                                  "priority address port typ type), got " +
                                      std::to_string(words.size()));
  }
  Candidate candidate;
  if (words[0].size() > 32) return attribute_error(kName, "foundation is longer than 32 characters");
  if (!is_ice_chars(words[0])) {
    return attribute_error(kName, "foundation \"" + std::string(words[0]) + "\" has a character outside ALPHA/DIGIT/+//");
  }
  candidate.foundation = std::string(words[0]);
  const auto component = parse_number(words[1], 256);
  if (!component || *component == 0) return attribute_error(kName, "component \"" + std::string(words[1]) + "\" is not 1-256");
  candidate.component = static_cast<std::uint16_t>(*component);
  if (iequals(words[2], "udp")) {
    candidate.transport = CandidateTransport::kUdp;
  } else if (iequals(words[2], "tcp")) {
    candidate.transport = CandidateTransport::kTcp;
  } else {
    return attribute_error(kName, "transport \"" + std::string(words[2]) + "\" is neither UDP nor TCP");
  }
  const auto priority = parse_number(words[3], UINT32_MAX);
  if (!priority) return attribute_error(kName, "priority \"" + std::string(words[3]) + "\" is not a 32-bit number");
  candidate.priority = static_cast<std::uint32_t>(*priority);
  if (!is_address(words[4])) return attribute_error(kName, "address \"" + std::string(words[4]) + "\" is neither an IP address nor a host name");
  candidate.address = std::string(words[4]);
  const auto port = parse_number(words[5], 65535);
  if (!port) return attribute_error(kName, "port \"" + std::string(words[5]) + "\" is not 0-65535");
  candidate.port = static_cast<std::uint16_t>(*port);
  if (words[6] != "typ") return attribute_error(kName, "expected \"typ\" after the port, got \"" + std::string(words[6]) + "\"");
  const auto type = parse_type(words[7]);
  if (!type) return attribute_error(kName, "type \"" + std::string(words[7]) + "\" is not host, srflx, prflx or relay");
  candidate.type = *type;

  if ((words.size() - 8) % 2 != 0) {
    return attribute_error(kName, "extension \"" + std::string(words.back()) + "\" has no value");
  }
  for (std::size_t i = 8; i < words.size(); i += 2) {
    const std::string_view name = words[i];
    const std::string_view value = words[i + 1];
    if (name == "raddr") {
      if (!is_address(value)) return attribute_error(kName, "raddr \"" + std::string(value) + "\" is not an address");
      candidate.related_address = std::string(value);
    } else if (name == "rport") {
      const auto related = parse_number(value, 65535);
      if (!related) return attribute_error(kName, "rport \"" + std::string(value) + "\" is not 0-65535");
      candidate.related_port = static_cast<std::uint16_t>(*related);
    } else if (name == "tcptype") {
      const auto tcp = parse_tcp_type(value);
      if (!tcp) return attribute_error(kName, "tcptype \"" + std::string(value) + "\" is not active, passive or so");
      candidate.tcp_type = *tcp;
    } else {
      candidate.extensions.emplace_back(name, value);
    }
  }
  return candidate;
}

std::string Candidate::to_string() const {
  std::string text = foundation;
  text += ' ' + std::to_string(component) + ' ' + std::string(sdp::to_string(transport)) + ' ' +
          std::to_string(priority) + ' ' + address + ' ' + std::to_string(port) + " typ " +
          std::string(sdp::to_string(type));
  if (related_address) text += " raddr " + *related_address;
  if (related_port) text += " rport " + std::to_string(*related_port);
  if (tcp_type) text += " tcptype " + std::string(sdp::to_string(*tcp_type));
  for (const auto& [name, value] : extensions) text += ' ' + name + ' ' + value;
  return text;
}

std::optional<std::string_view> Candidate::extension(std::string_view name) const {
  for (const auto& [key, value] : extensions) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<base::IpAddress> Candidate::ip() const {
  auto parsed = base::IpAddress::parse(address);
  if (!parsed) return std::nullopt;
  return *parsed;
}

}  // namespace rtcstack::sdp
