#include "sdp/canonical.h"

#include "sdp/text.h"

namespace rtcstack::sdp {

namespace {

template <class T>
std::string typed(std::string_view value) {
  return T::parse(value).value().to_string();
}

std::string canonical_attribute(std::string_view name, std::string_view value) {
  if (name == Group::kName) return typed<Group>(value);
  if (name == MsidSemantic::kName) return typed<MsidSemantic>(value);
  if (name == Msid::kName) return typed<Msid>(value);
  if (name == IceOptions::kName) return typed<IceOptions>(value);
  if (name == Fingerprint::kName) return typed<Fingerprint>(value);
  if (name == "setup") return std::string(to_string(parse_setup(value).value()));
  if (name == Rtcp::kName) return typed<Rtcp>(value);
  if (name == Sctpmap::kName) return typed<Sctpmap>(value);
  if (name == Rtpmap::kName) return typed<Rtpmap>(value);
  if (name == Fmtp::kName) return std::string(trim(typed<Fmtp>(value)));
  if (name == RtcpFeedback::kName) return typed<RtcpFeedback>(value);
  if (name == Extmap::kName) return typed<Extmap>(value);
  if (name == SsrcAttribute::kName) return typed<SsrcAttribute>(value);
  if (name == SsrcGroup::kName) return typed<SsrcGroup>(value);
  if (name == Rid::kName) return typed<Rid>(value);
  if (name == Simulcast::kName) return typed<Simulcast>(value);
  if (name == "candidate") return Candidate::parse(value).value().to_string();
  if (name == "ice-ufrag" || name == "ice-pwd" || name == "mid" || name == "sctp-port" ||
      name == "max-message-size") {
    return std::string(trim(value));
  }
  return std::string(value);
}

void canonicalize_lines(const Section& from, Section& to) {
  for (const Line& line : from.lines()) {
    // Valid input stays valid in canonical form, so add_line cannot fail here.
    (void)to.add_line(line.type, canonical_value(line.type, line.value));
  }
}

}  // namespace

std::string canonical_value(char type, std::string_view value) {
  switch (type) {
    case 'a': {
      const std::size_t colon = value.find(':');
      if (colon == std::string_view::npos) return std::string(trim(value));
      const std::string_view name = value.substr(0, colon);
      return std::string(name) + ':' + canonical_attribute(name, value.substr(colon + 1));
    }
    case 'c': return Connection::parse(value).value().to_string();
    case 'b': return Bandwidth::parse(value).value().to_string();
    case 't': {
      const auto words = split_words(value);
      return std::string(words[0]) + ' ' + std::string(words[1]);
    }
    default: return std::string(value);
  }
}

SessionDescription canonicalize(const SessionDescription& session) {
  SessionDescription canonical;
  canonical.origin = session.origin;
  canonical.session_name = session.session_name;
  canonicalize_lines(session, canonical);
  for (const MediaDescription& media : session.media) {
    MediaDescription& copy = canonical.media.emplace_back();
    copy.media_line = media.media_line;
    canonicalize_lines(media, copy);
  }
  return canonical;
}

}  // namespace rtcstack::sdp
