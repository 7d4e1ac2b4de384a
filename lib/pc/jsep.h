// JSEP (RFC 8829) for a whole description on one BUNDLE transport: what our offers and
// answers say, and what we take from the peer's. Offers carry the data section and one
// audio or video section per transceiver; answers mirror the offer's sections in order,
// accept the first data section and the media sections a transceiver took, and reject
// the others (port 0). Media sections themselves are media_section.h's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/result.h"
#include "dtls/certificate.h"
#include "ice/agent.h"
#include "pc/media_section.h"
#include "sdp/session_description.h"

namespace rtcstack::pc {

/// Which description JSEP builds (RFC 8829 §5.2, §5.3).
struct InitialOffer {};
/// A new offer in a negotiated session: every m-section stays where it was in `current`,
/// the peer's description in use (RFC 8829 §5.2.2), sections we rejected included; new
/// sections follow.
struct Reoffer {
  const sdp::SessionDescription* current;
};
/// An answer mirrors `offer`'s m-sections in order (rejected unless taken).
struct Answer {
  const sdp::SessionDescription* offer;
};
using JsepPlan = std::variant<InitialOffer, Reoffer, Answer>;

/// Everything our description says.
struct LocalParameters {
  JsepPlan plan;
  std::string session_id;      ///< o= session id, fixed for the connection
  std::uint64_t version = 0;   ///< o= version, +1 per new description
  ice::Credentials ice;
  sdp::Fingerprint fingerprint;
  sdp::Setup setup = sdp::Setup::kActpass;
  std::uint16_t sctp_port = 5000;
  std::size_t max_message_size = 256 * 1024;
  std::vector<ice::Candidate> candidates;
  bool end_of_candidates = false;
  std::string data_mid = "0";  ///< empty: no data section
  /// Audio and video sections, in order after the data section (an offer) or matched to
  /// the offer's by mid (an answer).
  std::vector<LocalMedia> media;
  /// An initial offer marks every section after the first bundle-only (port 0).
  bool max_bundle = false;
};

/// Our description, built as lib/sdp's model. kInvalidArgument when a value would break
/// its line's grammar (ICE credentials that are not ice-chars).
base::Result<sdp::SessionDescription> build_description(const LocalParameters& local);

/// What we use from the peer's description.
struct RemoteParameters {
  ice::Credentials ice;
  bool ice_lite = false;
  std::vector<sdp::Fingerprint> fingerprints;
  sdp::Setup setup = sdp::Setup::kActpass;
  std::uint16_t sctp_port = 5000;
  /// RFC 8841 §6: absent means 64 KiB; 0 means no limit.
  std::size_t max_message_size = 64 * 1024;
  std::vector<sdp::Candidate> candidates;
  bool end_of_candidates = false;
  std::string data_mid;  ///< empty when the description has no data section
  std::string transport_mid;  ///< the section whose transport BUNDLE uses (RFC 8843 tag)
  std::vector<RemoteMedia> media;  ///< every audio and video section, in order
};

/// kInvalidArgument saying what is missing when the description has no usable section (a
/// data section, m=application with UDP/DTLS/SCTP or DTLS/SCTP, or an audio or video
/// section), or its transport has no ICE credentials or fingerprint.
base::Result<RemoteParameters> read_remote(const sdp::SessionDescription& description);

/// Our candidate as an SDP candidate (a=candidate / trickle).
sdp::Candidate to_sdp(const ice::Candidate& candidate);
/// The peer's candidate for the ICE agent. kUnsupported for TCP candidates and for host
/// names (mDNS ".local" candidates are not resolved).
base::Result<ice::Candidate> from_sdp(const sdp::Candidate& candidate);

}  // namespace rtcstack::pc
