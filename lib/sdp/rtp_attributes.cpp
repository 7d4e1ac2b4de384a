#include "sdp/rtp_attributes.h"

#include "sdp/text.h"

namespace rtcstack::sdp {

namespace {

// Splits "<first> <rest>" at the first run of whitespace.
std::pair<std::string_view, std::string_view> first_word(std::string_view value) {
  value = trim(value);
  const std::size_t space = value.find_first_of(" \t");
  if (space == std::string_view::npos) return {value, {}};
  return {value.substr(0, space), trim(value.substr(space))};
}

std::optional<std::uint8_t> parse_payload_type(std::string_view text) {
  const auto number = parse_number(text, 127);
  if (!number) return std::nullopt;
  return static_cast<std::uint8_t>(*number);
}

base::Result<std::vector<Simulcast::Alternatives>> parse_streams(std::string_view text) {
  std::vector<Simulcast::Alternatives> streams;
  for (std::string_view stream : split(text, ';')) {
    Simulcast::Alternatives alternatives;
    for (std::string_view rid : split(stream, ',')) {
      Simulcast::Stream entry;
      if (rid.starts_with('~')) {
        entry.paused = true;
        rid.remove_prefix(1);
      }
      if (!is_token(rid)) return attribute_error(Simulcast::kName, "empty or invalid rid in \"" + std::string(text) + "\"");
      entry.rid = std::string(rid);
      alternatives.push_back(std::move(entry));
    }
    streams.push_back(std::move(alternatives));
  }
  return streams;
}

std::string print_streams(const std::vector<Simulcast::Alternatives>& streams) {
  std::string text;
  for (std::size_t i = 0; i < streams.size(); ++i) {
    if (i > 0) text += ';';
    for (std::size_t j = 0; j < streams[i].size(); ++j) {
      if (j > 0) text += ',';
      if (streams[i][j].paused) text += '~';
      text += streams[i][j].rid;
    }
  }
  return text;
}

}  // namespace

base::Result<Rtpmap> Rtpmap::parse(std::string_view value) {
  const auto [pt_text, rest] = first_word(value);
  const auto pt = parse_payload_type(pt_text);
  if (!pt) return attribute_error(kName, "payload type \"" + std::string(pt_text) + "\" is not 0-127");
  const auto parts = split(trim(rest), '/');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty()) {
    return attribute_error(kName, "expected <encoding>/<clock rate>[/<channels>]");
  }
  const auto clock = parse_number(parts[1], UINT32_MAX);
  if (!clock || *clock == 0) return attribute_error(kName, "clock rate \"" + std::string(parts[1]) + "\" is not a positive number");
  Rtpmap map{*pt, std::string(parts[0]), static_cast<std::uint32_t>(*clock), std::nullopt};
  if (parts.size() == 3) {
    const auto channels = parse_number(parts[2], 255);
    if (!channels || *channels == 0) return attribute_error(kName, "channels \"" + std::string(parts[2]) + "\" is not 1-255");
    map.channels = static_cast<std::uint16_t>(*channels);
  }
  return map;
}

std::string Rtpmap::to_string() const {
  std::string text = std::to_string(payload_type) + ' ' + encoding + '/' + std::to_string(clock_rate);
  if (channels) text += '/' + std::to_string(*channels);
  return text;
}

base::Result<Fmtp> Fmtp::parse(std::string_view value) {
  const auto [format, rest] = first_word(value);
  if (!is_token(format)) return attribute_error(kName, "needs a format");
  Fmtp fmtp{std::string(format), std::string(rest), {}};
  for (std::string_view piece : split(rest, ';')) {
    piece = trim(piece);
    if (piece.empty()) continue;
    const std::size_t equals = piece.find('=');
    if (equals == std::string_view::npos) {
      fmtp.parameters.emplace_back(std::string(), std::string(piece));
    } else {
      fmtp.parameters.emplace_back(std::string(trim(piece.substr(0, equals))),
                                   std::string(trim(piece.substr(equals + 1))));
    }
  }
  return fmtp;
}

Fmtp Fmtp::of(std::string format, std::vector<std::pair<std::string, std::string>> parameters) {
  std::string raw;
  for (const auto& [key, value] : parameters) {
    if (!raw.empty()) raw += ';';
    raw += key.empty() ? value : key + '=' + value;
  }
  return Fmtp{std::move(format), std::move(raw), std::move(parameters)};
}

std::string Fmtp::to_string() const { return format + ' ' + raw_parameters; }

std::optional<std::string_view> Fmtp::parameter(std::string_view key) const {
  for (const auto& [name, value] : parameters) {
    if (name == key) return value;
  }
  return std::nullopt;
}

base::Result<RtcpFeedback> RtcpFeedback::parse(std::string_view value) {
  const auto [pt, rest] = first_word(value);
  if (pt != "*" && !parse_payload_type(pt)) return attribute_error(kName, "payload type \"" + std::string(pt) + "\" is neither 0-127 nor *");
  const auto [type, parameters] = first_word(rest);
  if (!is_token(type)) return attribute_error(kName, "needs a feedback type");
  return RtcpFeedback{std::string(pt), std::string(type), std::string(parameters)};
}

std::string RtcpFeedback::to_string() const {
  std::string text = payload_type + ' ' + type;
  if (!parameters.empty()) text += ' ' + parameters;
  return text;
}

base::Result<Extmap> Extmap::parse(std::string_view value) {
  const auto [id_text, rest] = first_word(value);
  const auto slash = id_text.find('/');
  const auto id = parse_number(id_text.substr(0, slash), 4351);
  // One-byte ids are 1-14, two-byte 1-255; 4096-4351 are offer values to be renumbered.
  if (!id || *id == 0 || (*id > 255 && *id < 4096)) {
    return attribute_error(kName, "id \"" + std::string(id_text) + "\" is not 1-255 (or 4096-4351)");
  }
  Extmap extmap;
  extmap.id = static_cast<std::uint16_t>(*id);
  if (slash != std::string_view::npos) {
    extmap.direction = direction_from_name(id_text.substr(slash + 1));
    if (!extmap.direction) return attribute_error(kName, "direction \"" + std::string(id_text.substr(slash + 1)) + "\" is not sendrecv, sendonly, recvonly or inactive");
  }
  const auto [uri, attributes] = first_word(rest);
  if (uri.empty()) return attribute_error(kName, "needs a URI");
  extmap.uri = std::string(uri);
  extmap.attributes = std::string(attributes);
  return extmap;
}

std::string Extmap::to_string() const {
  std::string text = std::to_string(id);
  if (direction) text += '/' + std::string(sdp::to_string(*direction));
  text += ' ' + uri;
  if (!attributes.empty()) text += ' ' + attributes;
  return text;
}

base::Result<SsrcAttribute> SsrcAttribute::parse(std::string_view value) {
  const auto [ssrc_text, rest] = first_word(value);
  const auto ssrc = parse_number(ssrc_text, UINT32_MAX);
  if (!ssrc) return attribute_error(kName, "ssrc \"" + std::string(ssrc_text) + "\" is not a 32-bit number");
  if (rest.empty()) return attribute_error(kName, "needs an attribute after the ssrc");
  SsrcAttribute attribute{static_cast<std::uint32_t>(*ssrc), {}, std::nullopt};
  const std::size_t colon = rest.find(':');
  attribute.attribute = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) attribute.value = std::string(rest.substr(colon + 1));
  return attribute;
}

std::string SsrcAttribute::to_string() const {
  std::string text = std::to_string(ssrc) + ' ' + attribute;
  if (value) text += ':' + *value;
  return text;
}

base::Result<SsrcGroup> SsrcGroup::parse(std::string_view value) {
  const auto words = split_words(value);
  if (words.empty() || !is_token(words[0])) return attribute_error(kName, "needs a semantics token");
  SsrcGroup group{std::string(words[0]), {}};
  for (std::size_t i = 1; i < words.size(); ++i) {
    const auto ssrc = parse_number(words[i], UINT32_MAX);
    if (!ssrc) return attribute_error(kName, "ssrc \"" + std::string(words[i]) + "\" is not a 32-bit number");
    group.ssrcs.push_back(static_cast<std::uint32_t>(*ssrc));
  }
  return group;
}

std::string SsrcGroup::to_string() const {
  std::string text = semantics;
  for (std::uint32_t ssrc : ssrcs) text += ' ' + std::to_string(ssrc);
  return text;
}

base::Result<Rid> Rid::parse(std::string_view value) {
  const auto words = split_words(value);
  if (words.size() < 2 || words.size() > 3 || !is_token(words[0])) {
    return attribute_error(kName, "expected <id> send|recv [<restrictions>]");
  }
  Rid rid;
  rid.id = std::string(words[0]);
  if (words[1] == "send") {
    rid.send = true;
  } else if (words[1] == "recv") {
    rid.send = false;
  } else {
    return attribute_error(kName, "direction \"" + std::string(words[1]) + "\" is neither send nor recv");
  }
  if (words.size() == 3) {
    for (std::string_view piece : split(words[2], ';')) {
      const std::size_t equals = piece.find('=');
      if (equals == std::string_view::npos || equals == 0) {
        return attribute_error(kName, "restriction \"" + std::string(piece) + "\" is not <key>=<value>");
      }
      const std::string_view key = piece.substr(0, equals);
      const std::string_view restriction = piece.substr(equals + 1);
      if (key == "pt") {
        for (std::string_view pt : split(restriction, ',')) rid.payload_types.emplace_back(pt);
      } else {
        rid.restrictions.emplace_back(key, restriction);
      }
    }
  }
  return rid;
}

std::string Rid::to_string() const {
  std::string text = id + (send ? " send" : " recv");
  std::string restrictions_text;
  if (!payload_types.empty()) {
    restrictions_text = "pt=";
    for (std::size_t i = 0; i < payload_types.size(); ++i) {
      if (i > 0) restrictions_text += ',';
      restrictions_text += payload_types[i];
    }
  }
  for (const auto& [key, restriction] : restrictions) {
    if (!restrictions_text.empty()) restrictions_text += ';';
    restrictions_text += key + '=' + restriction;
  }
  if (!restrictions_text.empty()) text += ' ' + restrictions_text;
  return text;
}

base::Result<Simulcast> Simulcast::parse(std::string_view value) {
  const auto words = split_words(value);
  if (words.empty() || words.size() % 2 != 0) {
    return attribute_error(kName, "expected send <streams> and/or recv <streams>");
  }
  Simulcast simulcast;
  for (std::size_t i = 0; i < words.size(); i += 2) {
    auto streams = parse_streams(words[i + 1]);
    if (!streams) return streams.error();
    if (words[i] == "send" && simulcast.send.empty()) {
      simulcast.send = std::move(streams).value();
    } else if (words[i] == "recv" && simulcast.recv.empty()) {
      simulcast.recv = std::move(streams).value();
    } else {
      return attribute_error(kName, "\"" + std::string(words[i]) + "\" is not a first send or recv");
    }
  }
  return simulcast;
}

std::string Simulcast::to_string() const {
  std::string text;
  if (!send.empty()) text = "send " + print_streams(send);
  if (!recv.empty()) text += std::string(text.empty() ? "" : " ") + "recv " + print_streams(recv);
  return text;
}

}  // namespace rtcstack::sdp
