#include "sdp/section.h"

#include <algorithm>

#include "sdp/text.h"

namespace rtcstack::sdp {

namespace {

// Attributes that are flags: they take no value.
constexpr std::string_view kFlags[] = {
    "ice-lite", "extmap-allow-mixed", "rtcp-mux", "rtcp-mux-only", "rtcp-rsize",
    "end-of-candidates", "bundle-only", "sendrecv", "sendonly", "recvonly", "inactive",
};

bool is_flag(std::string_view name) {
  return std::find(std::begin(kFlags), std::end(kFlags), name) != std::end(kFlags);
}

template <class T>
base::Result<void> check(std::string_view value) {
  auto parsed = T::parse(value);
  if (!parsed) return parsed.error();
  return {};
}

base::Result<void> check_ice_credential(std::string_view name, std::string_view value,
                                        std::size_t min_size) {
  value = trim(value);
  if (value.size() < min_size || value.size() > 256 || !is_ice_chars(value)) {
    return attribute_error(name, "\"" + std::string(value) + "\" is not " + std::to_string(min_size) +
                                     " to 256 characters of ALPHA / DIGIT / + / /");
  }
  return {};
}

base::Result<void> check_number(std::string_view name, std::string_view value, std::uint64_t max) {
  if (!parse_number(trim(value), max)) {
    return attribute_error(name, "\"" + std::string(value) + "\" is not a number up to " + std::to_string(max));
  }
  return {};
}

base::Result<void> validate_attribute(std::string_view name, std::optional<std::string_view> value) {
  if (name.empty()) return attribute_error("a=", "attribute without a name");
  if (is_flag(name)) {
    if (value) return attribute_error(name, "takes no value");
    return {};
  }
  if (!value) {
    // Unknown flags are fine; known valued attributes need their value.
    for (std::string_view known : {"group", "msid-semantic", "msid", "ice-ufrag", "ice-pwd", "ice-options",
                                   "fingerprint", "setup", "mid", "extmap", "rtcp", "rtpmap", "fmtp",
                                   "rtcp-fb", "ssrc", "ssrc-group", "rid", "simulcast", "candidate",
                                   "sctp-port", "max-message-size", "sctpmap"}) {
      if (name == known) return attribute_error(name, "needs a value");
    }
    return {};
  }
  const std::string_view v = *value;
  if (name == "group") return check<Group>(v);
  if (name == "msid-semantic") return check<MsidSemantic>(v);
  if (name == "msid") return check<Msid>(v);
  if (name == "ice-ufrag") return check_ice_credential(name, v, 4);
  if (name == "ice-pwd") return check_ice_credential(name, v, 22);
  if (name == "ice-options") return check<IceOptions>(v);
  if (name == "fingerprint") return check<Fingerprint>(v);
  if (name == "setup") {
    auto setup = parse_setup(v);
    if (!setup) return setup.error();
    return {};
  }
  if (name == "mid") {
    if (trim(v).empty()) return attribute_error(name, "is empty");
    return {};
  }
  if (name == "extmap") return check<Extmap>(v);
  if (name == "rtcp") return check<Rtcp>(v);
  if (name == "rtpmap") return check<Rtpmap>(v);
  if (name == "fmtp") return check<Fmtp>(v);
  if (name == "rtcp-fb") return check<RtcpFeedback>(v);
  if (name == "ssrc") return check<SsrcAttribute>(v);
  if (name == "ssrc-group") return check<SsrcGroup>(v);
  if (name == "rid") return check<Rid>(v);
  if (name == "simulcast") return check<Simulcast>(v);
  if (name == "candidate") return check<Candidate>(v);
  if (name == "sctp-port") return check_number(name, v, 65535);
  if (name == "max-message-size") return check_number(name, v, UINT64_MAX);
  if (name == "sctpmap") return check<Sctpmap>(v);
  return {};
}

Attribute split_attribute(std::string_view line_value) {
  const std::size_t colon = line_value.find(':');
  if (colon == std::string_view::npos) return {line_value, std::nullopt};
  return {line_value.substr(0, colon), line_value.substr(colon + 1)};
}

}  // namespace

base::Result<Connection> Connection::parse(std::string_view value) {
  const auto words = split_words(value);
  if (words.size() != 3) return attribute_error("c=", "expected <nettype> <addrtype> <address>");
  return Connection{std::string(words[0]), std::string(words[1]), std::string(words[2])};
}

std::string Connection::to_string() const { return net_type + ' ' + address_type + ' ' + address; }

base::Result<Bandwidth> Bandwidth::parse(std::string_view value) {
  value = trim(value);
  const std::size_t colon = value.find(':');
  if (colon == std::string_view::npos || !is_token(value.substr(0, colon))) {
    return attribute_error("b=", "expected <bwtype>:<bandwidth>");
  }
  const auto amount = parse_number(value.substr(colon + 1));
  if (!amount) return attribute_error("b=", "bandwidth \"" + std::string(value.substr(colon + 1)) + "\" is not a number");
  return Bandwidth{std::string(value.substr(0, colon)), *amount};
}

std::string Bandwidth::to_string() const { return type + ':' + std::to_string(value); }

base::Result<void> validate_line(char type, std::string_view value) {
  switch (type) {
    case 'a':
      {
        const Attribute attribute = split_attribute(value);
        return validate_attribute(attribute.name, attribute.value);
      }
    case 'c':
      {
        auto connection = Connection::parse(value);
        if (!connection) return connection.error();
        return {};
      }
    case 'b':
      {
        auto bandwidth = Bandwidth::parse(value);
        if (!bandwidth) return bandwidth.error();
        return {};
      }
    case 't':
      {
        const auto words = split_words(value);
        if (words.size() != 2 || !parse_number(words[0]) || !parse_number(words[1])) {
          return attribute_error("t=", "expected <start time> <stop time>");
        }
        return {};
      }
    default:
      return {};
  }
}

base::Result<void> Section::add_line(char type, std::string value) {
  if (auto valid = validate_line(type, value); !valid) return valid;
  lines_.push_back({type, std::move(value)});
  return {};
}

base::Result<void> Section::add_attribute(std::string_view name, std::optional<std::string_view> value) {
  std::string text(name);
  if (value) {
    text += ':';
    text += *value;
  }
  if (name.find(':') != std::string_view::npos) return attribute_error(name, "a name cannot hold ':'");
  return add_line('a', std::move(text));
}

void Section::remove_attributes(std::string_view name) {
  std::erase_if(lines_, [&](const Line& line) {
    return line.type == 'a' && split_attribute(line.value).name == name;
  });
}

std::vector<Attribute> Section::attributes() const {
  std::vector<Attribute> attributes;
  for (const Line& line : lines_) {
    if (line.type == 'a') attributes.push_back(split_attribute(line.value));
  }
  return attributes;
}

std::optional<std::string_view> Section::attribute(std::string_view name) const {
  for (const Line& line : lines_) {
    if (line.type != 'a') continue;
    const Attribute attribute = split_attribute(line.value);
    if (attribute.name == name) return attribute.value.value_or(std::string_view{});
  }
  return std::nullopt;
}

std::vector<std::string_view> Section::attribute_values(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const Line& line : lines_) {
    if (line.type != 'a') continue;
    const Attribute attribute = split_attribute(line.value);
    if (attribute.name == name) values.push_back(attribute.value.value_or(std::string_view{}));
  }
  return values;
}

std::optional<std::string_view> Section::trimmed(std::string_view name) const {
  const auto value = attribute(name);
  if (!value) return std::nullopt;
  return trim(*value);
}

std::optional<Connection> Section::connection() const {
  const auto value = line_value('c');
  if (!value) return std::nullopt;
  return Connection::parse(*value).value();
}

std::vector<Bandwidth> Section::bandwidths() const {
  std::vector<Bandwidth> bandwidths;
  for (std::string_view value : line_values('b')) bandwidths.push_back(Bandwidth::parse(value).value());
  return bandwidths;
}

std::optional<std::string_view> Section::line_value(char type) const {
  for (const Line& line : lines_) {
    if (line.type == type) return line.value;
  }
  return std::nullopt;
}

std::vector<std::string_view> Section::line_values(char type) const {
  std::vector<std::string_view> values;
  for (const Line& line : lines_) {
    if (line.type == type) values.push_back(line.value);
  }
  return values;
}

std::optional<Setup> Section::setup() const {
  const auto value = attribute("setup");
  if (!value) return std::nullopt;
  return parse_setup(*value).value();
}

std::vector<Candidate> Section::candidates() const {
  std::vector<Candidate> candidates;
  for (std::string_view value : attribute_values("candidate")) {
    candidates.push_back(Candidate::parse(value).value());
  }
  return candidates;
}

std::optional<Direction> Section::direction() const {
  for (const Line& line : lines_) {
    if (line.type != 'a') continue;
    if (auto direction = direction_from_name(line.value)) return direction;
  }
  return std::nullopt;
}

}  // namespace rtcstack::sdp
