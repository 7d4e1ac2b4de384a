#include "sdp_json.h"

#include "base/hex.h"

namespace rtcstack::tools {

namespace {

using nlohmann::ordered_json;
using namespace rtcstack::sdp;

template <class T>
ordered_json optional_json(const std::optional<T>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

ordered_json candidate_json(const Candidate& c) {
  ordered_json j;
  j["foundation"] = c.foundation;
  j["component"] = c.component;
  j["transport"] = std::string(to_string(c.transport));
  j["priority"] = c.priority;
  j["address"] = c.address;
  j["port"] = c.port;
  j["type"] = std::string(to_string(c.type));
  if (c.related_address) j["relatedAddress"] = *c.related_address;
  if (c.related_port) j["relatedPort"] = *c.related_port;
  if (c.tcp_type) j["tcpType"] = std::string(to_string(*c.tcp_type));
  ordered_json extensions = ordered_json::array();
  for (const auto& [name, value] : c.extensions) extensions.push_back({{"name", name}, {"value", value}});
  j["extensions"] = extensions;
  return j;
}

// One attribute as JSON: typed fields where rtcstack knows it, the raw value otherwise.
ordered_json attribute_json(const Attribute& attribute) {
  ordered_json j;
  j["name"] = attribute.name;
  if (!attribute.value) return j;
  const std::string_view v = *attribute.value;
  const std::string_view name = attribute.name;
  if (name == "candidate") {
    j["candidate"] = candidate_json(Candidate::parse(v).value());
  } else if (name == Fingerprint::kName) {
    const auto fp = Fingerprint::parse(v).value();
    j["algorithm"] = fp.algorithm;
    j["digest"] = base::to_hex(fp.digest, ':', base::HexCase::kUpper);
  } else if (name == Group::kName) {
    const auto group = Group::parse(v).value();
    j["semantics"] = group.semantics;
    j["mids"] = group.mids;
  } else if (name == Rtpmap::kName) {
    const auto map = Rtpmap::parse(v).value();
    j["payloadType"] = map.payload_type;
    j["encoding"] = map.encoding;
    j["clockRate"] = map.clock_rate;
    j["channels"] = optional_json(map.channels);
  } else if (name == Fmtp::kName) {
    const auto fmtp = Fmtp::parse(v).value();
    j["format"] = fmtp.format;
    ordered_json parameters = ordered_json::object();
    for (const auto& [key, value] : fmtp.parameters) parameters[key] = value;
    j["parameters"] = parameters;
  } else if (name == RtcpFeedback::kName) {
    const auto fb = RtcpFeedback::parse(v).value();
    j["payloadType"] = fb.payload_type;
    j["type"] = fb.type;
    j["parameters"] = fb.parameters;
  } else if (name == Extmap::kName) {
    const auto extmap = Extmap::parse(v).value();
    j["id"] = extmap.id;
    if (extmap.direction) j["direction"] = std::string(to_string(*extmap.direction));
    j["uri"] = extmap.uri;
  } else if (name == SsrcAttribute::kName) {
    const auto ssrc = SsrcAttribute::parse(v).value();
    j["ssrc"] = ssrc.ssrc;
    j["attribute"] = ssrc.attribute;
    j["value"] = optional_json(ssrc.value);
  } else if (name == SsrcGroup::kName) {
    const auto group = SsrcGroup::parse(v).value();
    j["semantics"] = group.semantics;
    j["ssrcs"] = group.ssrcs;
  } else if (name == Msid::kName) {
    const auto msid = Msid::parse(v).value();
    j["streamId"] = msid.stream_id;
    j["trackId"] = optional_json(msid.track_id);
  } else if (name == Rid::kName) {
    const auto rid = Rid::parse(v).value();
    j["id"] = rid.id;
    j["direction"] = rid.send ? "send" : "recv";
    j["payloadTypes"] = rid.payload_types;
  } else if (name == "setup") {
    j["value"] = std::string(to_string(parse_setup(v).value()));
  } else {
    j["value"] = v;
  }
  return j;
}

ordered_json section_json(const Section& section) {
  ordered_json j;
  if (const auto connection = section.connection()) j["connection"] = connection->to_string();
  ordered_json bandwidths = ordered_json::array();
  for (const Bandwidth& b : section.bandwidths()) bandwidths.push_back({{"type", b.type}, {"value", b.value}});
  j["bandwidths"] = bandwidths;
  ordered_json attributes = ordered_json::array();
  for (const Attribute& attribute : section.attributes()) attributes.push_back(attribute_json(attribute));
  j["attributes"] = attributes;
  ordered_json other = ordered_json::array();
  for (const Line& line : section.lines()) {
    if (line.type != 'a' && line.type != 'c' && line.type != 'b') {
      other.push_back(std::string(1, line.type) + "=" + line.value);
    }
  }
  j["otherLines"] = other;
  return j;
}

}  // namespace

ordered_json to_json(const SessionDescription& session) {
  ordered_json j;
  j["origin"] = {{"username", session.origin.username},
                 {"sessionId", session.origin.session_id},
                 {"sessionVersion", session.origin.session_version},
                 {"address", session.origin.address}};
  j["sessionName"] = session.session_name;
  j["session"] = section_json(session);
  ordered_json media = ordered_json::array();
  for (const MediaDescription& m : session.media) {
    ordered_json section = section_json(m);
    section["media"] = m.media_line.media;
    section["port"] = m.media_line.port;
    section["proto"] = m.media_line.proto;
    section["formats"] = m.media_line.formats;
    section["mid"] = optional_json(m.mid());
    if (const auto direction = m.direction()) section["direction"] = std::string(to_string(*direction));
    media.push_back(section);
  }
  j["media"] = media;
  return j;
}

}  // namespace rtcstack::tools
