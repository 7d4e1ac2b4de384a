// Fuzzes SessionDescription::parse. Accepted input must serialize to text that parses to
// the same model (compared through its serialization), every typed accessor must work on
// it, and its canonical form must be stable.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sdp/canonical.h"
#include "sdp/session_description.h"

namespace {

void touch(const rtcstack::sdp::Section& s) {
  (void)s.connection(); (void)s.bandwidths(); (void)s.ice_ufrag(); (void)s.ice_pwd();
  (void)s.ice_options(); (void)s.fingerprints(); (void)s.setup(); (void)s.extmaps();
  (void)s.candidates(); (void)s.direction();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using rtcstack::sdp::SessionDescription;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto session = SessionDescription::parse(text);
  if (!session.ok()) return 0;
  touch(*session);
  (void)session->groups(); (void)session->bundle_group(); (void)session->msid_semantic();
  for (const auto& m : session->media) {
    touch(m);
    (void)m.mid(); (void)m.rtcp(); (void)m.rtpmaps(); (void)m.fmtps(); (void)m.rtcp_feedback();
    (void)m.ssrcs(); (void)m.ssrc_groups(); (void)m.msids(); (void)m.rids(); (void)m.simulcast();
    (void)m.sctp_port(); (void)m.max_message_size(); (void)m.sctpmap();
  }
  const std::string serialized = session->to_string();
  const auto again = SessionDescription::parse(serialized);
  if (!again.ok() || again->to_string() != serialized) std::abort();
  const std::string canonical = rtcstack::sdp::canonicalize(*session).to_string();
  const auto reparsed = SessionDescription::parse(canonical);
  if (!reparsed.ok() || rtcstack::sdp::canonicalize(*reparsed).to_string() != canonical) std::abort();
  return 0;
}
