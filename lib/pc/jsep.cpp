#include "pc/jsep.h"

#include <string_view>

namespace rtcstack::pc {
namespace {

bool is_data_section(const sdp::MediaDescription& media) {
  return media.media_line.media == "application" && media.media_line.port != 0 &&
         (media.media_line.proto == "UDP/DTLS/SCTP" || media.media_line.proto == "DTLS/SCTP" ||
          media.media_line.proto == "TCP/DTLS/SCTP");
}

base::Error invalid(std::string message) { return {base::ErrorCode::kInvalidArgument, std::move(message)}; }

void line(std::string& out, std::string_view text) {
  out += text;
  out += "\r\n";
}

// The data section's transport lines, shared by offers and answers.
void data_section(std::string& out, const LocalParameters& local) {
  line(out, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
  line(out, "c=IN IP4 0.0.0.0");
  line(out, "a=ice-ufrag:" + local.ice.ufrag);
  line(out, "a=ice-pwd:" + local.ice.password);
  line(out, "a=ice-options:trickle");
  line(out, "a=fingerprint:" + local.fingerprint);
  line(out, "a=setup:" + std::string(sdp::to_string(local.setup)));
  line(out, "a=mid:" + local.data_mid);
  line(out, "a=sctp-port:" + std::to_string(local.sctp_port));
  line(out, "a=max-message-size:" + std::to_string(local.max_message_size));
  for (const ice::Candidate& candidate : local.candidates) line(out, "a=candidate:" + to_sdp(candidate).to_string());
  if (local.end_of_candidates) line(out, "a=end-of-candidates");
}

}  // namespace

std::string build_description(const LocalParameters& local) {
  std::string out;
  line(out, "v=0");
  line(out, "o=- " + local.session_id + " " + std::to_string(local.version) + " IN IP4 127.0.0.1");
  line(out, "s=-");
  line(out, "t=0 0");
  line(out, "a=group:BUNDLE " + local.data_mid);  // max-bundle: everything on one transport
  if (local.offer == nullptr) {
    data_section(out, local);
    return out;
  }
  bool answered = false;
  for (const sdp::MediaDescription& offered : local.offer->media) {
    const std::string mid(offered.mid().value_or(""));
    if (!answered && is_data_section(offered) && mid == local.data_mid) {
      data_section(out, local);
      answered = true;
      continue;
    }
    // RFC 8829 §5.3.1: a section we do not take is answered with port 0.
    sdp::MediaLine rejected = offered.media_line;
    rejected.port = 0;
    rejected.port_count.reset();
    line(out, "m=" + rejected.to_string());
    line(out, "c=IN IP4 0.0.0.0");
    if (!mid.empty()) line(out, "a=mid:" + mid);
  }
  return out;
}

base::Result<RemoteParameters> read_remote(const sdp::SessionDescription& description) {
  const sdp::MediaDescription* data = nullptr;
  for (const sdp::MediaDescription& media : description.media) {
    if (is_data_section(media)) {
      data = &media;
      break;
    }
  }
  if (data == nullptr) return invalid("the description has no data channel section (m=application ... UDP/DTLS/SCTP)");
  RemoteParameters remote;
  remote.data_mid = std::string(data->mid().value_or(""));
  if (remote.data_mid.empty()) return invalid("the data section has no a=mid");
  // Media-level attributes win over session-level ones (RFC 8839 §5.4, RFC 8122 §5).
  const auto ufrag = data->ice_ufrag() ? data->ice_ufrag() : description.ice_ufrag();
  const auto pwd = data->ice_pwd() ? data->ice_pwd() : description.ice_pwd();
  if (!ufrag || !pwd) return invalid("the data section has no a=ice-ufrag and a=ice-pwd");
  remote.ice = {std::string(*ufrag), std::string(*pwd)};
  remote.ice_lite = description.ice_lite();
  remote.fingerprints = data->fingerprints();
  if (remote.fingerprints.empty()) remote.fingerprints = description.fingerprints();
  if (remote.fingerprints.empty()) return invalid("the data section has no a=fingerprint");
  const auto setup = data->setup() ? data->setup() : description.setup();
  remote.setup = setup.value_or(sdp::Setup::kActpass);
  if (auto port = data->sctp_port()) {
    remote.sctp_port = *port;
  } else if (auto map = data->sctpmap()) {
    remote.sctp_port = map->port;  // the pre-RFC 8841 form
  }
  if (auto size = data->max_message_size()) remote.max_message_size = static_cast<std::size_t>(*size);
  remote.candidates = data->candidates();
  remote.end_of_candidates = data->end_of_candidates();
  return remote;
}

sdp::Candidate to_sdp(const ice::Candidate& candidate) {
  sdp::Candidate out;
  out.foundation = candidate.foundation;
  out.component = candidate.component;
  out.priority = candidate.priority;
  out.address = candidate.address.ip().to_string();
  out.port = candidate.address.port();
  switch (candidate.type) {
    case ice::CandidateType::kHost: out.type = sdp::CandidateType::kHost; break;
    case ice::CandidateType::kServerReflexive: out.type = sdp::CandidateType::kServerReflexive; break;
    case ice::CandidateType::kPeerReflexive: out.type = sdp::CandidateType::kPeerReflexive; break;
    case ice::CandidateType::kRelayed: out.type = sdp::CandidateType::kRelay; break;
  }
  if (candidate.related_address) {
    out.related_address = candidate.related_address->ip().to_string();
    out.related_port = candidate.related_address->port();
  }
  return out;
}

base::Result<ice::Candidate> from_sdp(const sdp::Candidate& candidate) {
  if (candidate.transport != sdp::CandidateTransport::kUdp) {
    return base::Error{base::ErrorCode::kUnsupported, "TCP candidates are not used"};
  }
  const auto ip = base::IpAddress::parse(candidate.address);
  if (!ip) {
    return base::Error{base::ErrorCode::kUnsupported, "candidate address \"" + candidate.address +
                                                          "\" is not an IP address (mDNS names are not resolved)"};
  }
  ice::Candidate out;
  out.foundation = candidate.foundation;
  out.component = candidate.component;
  out.priority = candidate.priority;
  out.address = base::SocketAddress(*ip, candidate.port);
  out.base = out.address;
  switch (candidate.type) {
    case sdp::CandidateType::kHost: out.type = ice::CandidateType::kHost; break;
    case sdp::CandidateType::kServerReflexive: out.type = ice::CandidateType::kServerReflexive; break;
    case sdp::CandidateType::kPeerReflexive: out.type = ice::CandidateType::kPeerReflexive; break;
    case sdp::CandidateType::kRelay: out.type = ice::CandidateType::kRelayed; break;
  }
  if (candidate.related_address && candidate.related_port) {
    if (auto related = base::IpAddress::parse(*candidate.related_address)) {
      out.related_address = base::SocketAddress(*related, *candidate.related_port);
    }
  }
  return out;
}

}  // namespace rtcstack::pc
