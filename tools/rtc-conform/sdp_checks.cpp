#include "sdp_checks.h"

#include <algorithm>
#include <optional>
#include <string>

#include "sdp/candidate.h"
#include "sdp/session_description.h"

namespace rtcstack::conform {
namespace {

using sdp::MediaDescription;
using sdp::SessionDescription;

CheckResult result(std::string name, std::string clause, std::string title) {
  return {std::move(name), std::move(clause), std::move(title), Verdict::kNotApplicable, {}};
}
void fail(CheckResult& check, std::string evidence) {
  if (check.verdict == Verdict::kFail) return;  // the first finding is the evidence
  check.verdict = Verdict::kFail;
  check.evidence = std::move(evidence);
}
void pass_unless_failed(CheckResult& check, std::string evidence = {}) {
  if (check.verdict == Verdict::kFail) return;
  check.verdict = Verdict::kPass;
  check.evidence = std::move(evidence);
}

bool accepted(const MediaDescription& section) { return section.media_line.port != 0 || section.bundle_only(); }
bool is_media(const MediaDescription& section) {
  return section.media_line.media == "audio" || section.media_line.media == "video";
}
std::string name_of(const MediaDescription& section, std::size_t index) {
  return "m-section " + std::to_string(index) + " (" + section.media_line.media +
         (section.mid() ? ", mid " + std::string(*section.mid()) : std::string()) + ")";
}

// The value of `name` in the section, else at session level.
std::optional<std::string_view> attribute(const SessionDescription& session, const MediaDescription& section,
                                          std::string_view name) {
  if (auto value = section.attribute(name)) return value;
  return session.attribute(name);
}

CheckResult check_mids(const SessionDescription& offer, const SessionDescription& answer) {
  CheckResult check = result("jsep.mids", "RFC 8829 §5.3.1", "one m-section per offered one, in order, with the offer's mid");
  if (answer.media.size() != offer.media.size()) {
    fail(check, std::to_string(answer.media.size()) + " m-sections answer " + std::to_string(offer.media.size()));
  }
  for (std::size_t i = 0; i < std::min(answer.media.size(), offer.media.size()); ++i) {
    const auto ours = offer.media[i].mid(), theirs = answer.media[i].mid();
    if (offer.media[i].media_line.media != answer.media[i].media_line.media) {
      fail(check, "m-section " + std::to_string(i) + " is m=" + answer.media[i].media_line.media + ", offered m=" +
                      offer.media[i].media_line.media);
    } else if (accepted(answer.media[i]) && theirs != ours) {
      fail(check, name_of(answer.media[i], i) + ": offered mid " + std::string(ours.value_or("(none)")));
    }
  }
  pass_unless_failed(check);
  return check;
}

CheckResult check_rtcp_mux(const SessionDescription& answer) {
  CheckResult check = result("jsep.rtcp-mux", "RFC 8829 §5.3.1, RFC 5761 §5.1.3", "a=rtcp-mux in every accepted audio and video section");
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    const MediaDescription& section = answer.media[i];
    if (!accepted(section) || !is_media(section)) continue;
    if (!section.rtcp_mux()) fail(check, name_of(section, i) + " has no a=rtcp-mux");
    pass_unless_failed(check);
  }
  return check;
}

CheckResult check_bundle(const SessionDescription& offer, const SessionDescription& answer) {
  CheckResult check = result("bundle.group", "RFC 8843 §7.3", "a=group:BUNDLE names exactly the accepted m-sections");
  if (!offer.bundle_group()) return check;  // nothing offered to bundle
  const auto group = answer.bundle_group();
  if (!group) {
    fail(check, "no a=group:BUNDLE in the answer");
    return check;
  }
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    const MediaDescription& section = answer.media[i];
    const auto mid = section.mid();
    const bool listed = mid && std::find(group->mids.begin(), group->mids.end(), *mid) != group->mids.end();
    if (accepted(section) && !listed) fail(check, name_of(section, i) + " is accepted but not in a=group:BUNDLE");
    if (!accepted(section) && listed) fail(check, name_of(section, i) + " is rejected (port 0) but in a=group:BUNDLE");
  }
  pass_unless_failed(check, "a=group:" + group->to_string());
  return check;
}

CheckResult check_setup(const SessionDescription& answer) {
  CheckResult check = result("dtls.setup-answer", "RFC 8842 §5.3", "a=setup:active or a=setup:passive in the answer");
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    const MediaDescription& section = answer.media[i];
    if (!accepted(section)) continue;
    const auto value = attribute(answer, section, "setup");
    if (!value) {
      fail(check, name_of(section, i) + " has no a=setup");
    } else if (*value != "active" && *value != "passive") {
      fail(check, name_of(section, i) + ": a=setup:" + std::string(*value));
    }
    pass_unless_failed(check, value ? "a=setup:" + std::string(*value) : std::string());
  }
  return check;
}

// RFC 8122 §5: fingerprint = 2UHEX *(":" 2UHEX), of the hash's length.
std::string fingerprint_problem(std::string_view value) {
  const std::size_t space = value.find(' ');
  if (space == std::string_view::npos) return "no space between hash function and fingerprint";
  const std::string_view hash = value.substr(0, space), hex = value.substr(space + 1);
  struct Known {
    std::string_view name;
    std::size_t bytes;
  };
  static constexpr Known kKnown[] = {{"sha-1", 20}, {"sha-224", 28}, {"sha-256", 32}, {"sha-384", 48}, {"sha-512", 64}};
  const auto known = std::find_if(std::begin(kKnown), std::end(kKnown), [&](const Known& k) { return k.name == hash; });
  if (known == std::end(kKnown)) return "hash function \"" + std::string(hash) + "\" is not one RFC 8122 §5 names for WebRTC";
  if (hex.size() != known->bytes * 3 - 1) return "a " + std::string(hash) + " fingerprint has " + std::to_string(known->bytes) + " bytes";
  for (std::size_t i = 0; i < hex.size(); ++i) {
    const char c = hex[i];
    const bool colon = i % 3 == 2;
    if (colon ? c != ':' : !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
      return colon ? "pairs are not separated by ':'" : "'" + std::string(1, c) + "' is not an upper-case hex digit (UHEX)";
    }
  }
  return {};
}

CheckResult check_fingerprints(const SessionDescription& answer) {
  CheckResult check = result("dtls.fingerprint", "RFC 8122 §5",
                             "a=fingerprint with a hash function WebRTC uses and its digest in upper-case hex pairs");
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    const MediaDescription& section = answer.media[i];
    if (!accepted(section)) continue;
    auto values = section.attribute_values("fingerprint");
    if (values.empty()) values = answer.attribute_values("fingerprint");
    if (values.empty()) fail(check, name_of(section, i) + " has no a=fingerprint");
    for (std::string_view value : values) {
      if (const std::string problem = fingerprint_problem(value); !problem.empty()) {
        fail(check, "a=fingerprint:" + std::string(value) + " - " + problem);
      }
    }
    pass_unless_failed(check, values.empty() ? std::string() : "a=fingerprint:" + std::string(values.front()));
  }
  return check;
}

CheckResult check_ice_credentials(const SessionDescription& answer) {
  // Their length and characters (4-256 and 22-256 ice-chars) are the grammar's: lib/sdp
  // refuses others, and sdp.parses says so.
  CheckResult check = result("ice.credentials", "RFC 8839 §5.4", "a=ice-ufrag and a=ice-pwd for every accepted m-section");
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    const MediaDescription& section = answer.media[i];
    if (!accepted(section)) continue;
    const auto ufrag = attribute(answer, section, "ice-ufrag"), pwd = attribute(answer, section, "ice-pwd");
    if (!ufrag || !pwd) fail(check, name_of(section, i) + " has no a=" + (ufrag ? "ice-pwd" : "ice-ufrag"));
    pass_unless_failed(check);
  }
  return check;
}

CheckResult check_candidates(const SessionDescription& answer) {
  // At least one: bundled sections share the candidates of one (RFC 8843 §7.3.1), and
  // sections left out of the bundle are bundle.group's finding.
  CheckResult check = result("ice.candidates", "RFC 8839 §5.1",
                             "candidates in the answer (the convention is non-trickle), each of component 1 under rtcp-mux");
  std::size_t total = 0;
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    const MediaDescription& section = answer.media[i];
    if (!accepted(section)) continue;
    const auto candidates = section.candidates();
    for (const sdp::Candidate& candidate : candidates) {
      if (candidate.component != 1 && (section.rtcp_mux() || section.media_line.media == "application")) {
        fail(check, name_of(section, i) + ": a=candidate:" + candidate.to_string() + " is of component " +
                        std::to_string(candidate.component));
      }
    }
    total += candidates.size();
  }
  if (total == 0) fail(check, "no a=candidate in any accepted m-section");
  pass_unless_failed(check, std::to_string(total) + " candidates");
  return check;
}

CheckResult check_sctp_port(const SessionDescription& answer) {
  CheckResult check = result("sctp.port", "RFC 8841 §5", "a=sctp-port in an accepted data section");
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    const MediaDescription& section = answer.media[i];
    if (!accepted(section) || section.media_line.media != "application") continue;
    const auto port = section.sctp_port();
    if (!port) fail(check, name_of(section, i) + " has no a=sctp-port" + (section.sctpmap() ? " (a=sctpmap, the pre-RFC form)" : ""));
    pass_unless_failed(check, port ? "a=sctp-port:" + std::to_string(*port) : std::string());
  }
  return check;
}

CheckResult check_ice_lite(const SessionDescription& answer) {
  CheckResult check = result("ice.lite", "RFC 8839 §5.3", "a=ice-lite, when used, at session level only");
  if (answer.has_attribute("ice-lite")) pass_unless_failed(check, "a=ice-lite at session level");
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    if (answer.media[i].has_attribute("ice-lite")) fail(check, name_of(answer.media[i], i) + " has a=ice-lite");
  }
  return check;
}

}  // namespace

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass: return "pass";
    case Verdict::kFail: return "fail";
    case Verdict::kNotApplicable: return "n/a";
  }
  return "?";
}

Results check_answer(std::string_view offer_text, std::string_view answer_text) {
  CheckResult parses = result("sdp.parses", "RFC 8866 §5", "the answer parses, every known attribute by its grammar");
  const auto answer = SessionDescription::parse(answer_text);
  const auto offer = SessionDescription::parse(offer_text);
  if (!answer) {
    fail(parses, answer.error().message);
    return {parses};
  }
  pass_unless_failed(parses);
  if (!offer) return {parses};  // ours: only a bug can get here
  return {parses,
          check_mids(*offer, *answer),
          check_bundle(*offer, *answer),
          check_rtcp_mux(*answer),
          check_setup(*answer),
          check_fingerprints(*answer),
          check_ice_credentials(*answer),
          check_candidates(*answer),
          check_ice_lite(*answer),
          check_sctp_port(*answer)};
}

}  // namespace rtcstack::conform
