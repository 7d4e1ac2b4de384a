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

// The transport lines every accepted section carries (one BUNDLE transport).
void transport_lines(std::string& out, const LocalParameters& local) {
  line(out, "a=ice-ufrag:" + local.ice.ufrag);
  line(out, "a=ice-pwd:" + local.ice.password);
  line(out, "a=ice-options:trickle");
  line(out, "a=fingerprint:" + local.fingerprint);
  line(out, "a=setup:" + std::string(sdp::to_string(local.setup)));
  for (const ice::Candidate& candidate : local.candidates) line(out, "a=candidate:" + to_sdp(candidate).to_string());
  if (local.end_of_candidates) line(out, "a=end-of-candidates");
}

void data_section(std::string& out, const LocalParameters& local) {
  line(out, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
  line(out, "c=IN IP4 0.0.0.0");
  transport_lines(out, local);
  line(out, "a=mid:" + local.data_mid);
  line(out, "a=sctp-port:" + std::to_string(local.sctp_port));
  line(out, "a=max-message-size:" + std::to_string(local.max_message_size));
}

void media_section(std::string& out, const LocalParameters& local, const LocalMedia& media) {
  write_media_section(out, media, [&](std::string& text) { transport_lines(text, local); });
}

const LocalMedia* media_with_mid(const LocalParameters& local, std::string_view mid) {
  for (const LocalMedia& media : local.media) {
    if (media.mid == mid) return &media;
  }
  return nullptr;
}

bool is_media_section(const sdp::MediaDescription& media) {
  return media.media_line.media == "audio" || media.media_line.media == "video";
}

}  // namespace

std::string build_description(const LocalParameters& local) {
  std::string out;
  line(out, "v=0");
  line(out, "o=- " + local.session_id + " " + std::to_string(local.version) + " IN IP4 127.0.0.1");
  line(out, "s=-");
  line(out, "t=0 0");
  // max-bundle: every accepted section on one transport, the first one's.
  std::string bundle;
  if (local.offer == nullptr) {
    if (!local.data_mid.empty()) bundle += " " + local.data_mid;
    for (const LocalMedia& media : local.media) bundle += " " + media.mid;
  } else {
    bool data_taken = false;
    for (const sdp::MediaDescription& offered : local.offer->media) {
      const std::string mid(offered.mid().value_or(""));
      const bool data = !data_taken && is_data_section(offered) && !local.data_mid.empty() && mid == local.data_mid;
      data_taken |= data;
      if (data || (is_media_section(offered) && offered.media_line.port != 0 && media_with_mid(local, mid))) {
        bundle += " " + mid;
      }
    }
  }
  line(out, "a=group:BUNDLE" + bundle);
  line(out, "a=msid-semantic: WMS");
  if (local.offer == nullptr) {
    if (!local.data_mid.empty()) data_section(out, local);
    for (const LocalMedia& media : local.media) media_section(out, local, media);
    return out;
  }
  bool answered = false;
  for (const sdp::MediaDescription& offered : local.offer->media) {
    const std::string mid(offered.mid().value_or(""));
    if (!answered && is_data_section(offered) && !local.data_mid.empty() && mid == local.data_mid) {
      data_section(out, local);
      answered = true;
      continue;
    }
    if (is_media_section(offered) && offered.media_line.port != 0) {
      if (const LocalMedia* media = media_with_mid(local, mid)) {
        media_section(out, local, *media);
        continue;
      }
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
  RemoteParameters remote;
  const sdp::MediaDescription* data = nullptr;
  const sdp::MediaDescription* first_media = nullptr;
  for (const sdp::MediaDescription& media : description.media) {
    if (is_data_section(media) && data == nullptr) data = &media;
    if (is_media_section(media)) {
      auto read = read_remote_media(media);
      if (!read) continue;  // without a mid it cannot be bundled: the answer rejects it
      if (!read->rejected && first_media == nullptr) first_media = &media;
      remote.media.push_back(std::move(*read));
    }
  }
  if (data != nullptr) {
    remote.data_mid = std::string(data->mid().value_or(""));
    if (remote.data_mid.empty()) return invalid("the data section has no a=mid");
  }
  // The BUNDLE tag (RFC 8843 §7.2.2: the first mid of the group) carries the transport;
  // without a group, the first usable section does.
  const sdp::MediaDescription* transport = nullptr;
  if (const auto group = description.bundle_group(); group && !group->mids.empty()) {
    for (const sdp::MediaDescription& media : description.media) {
      if (media.mid() == group->mids.front() && media.media_line.port != 0) transport = &media;
    }
  }
  if (transport == nullptr) transport = data != nullptr ? data : first_media;
  if (transport == nullptr) {
    return invalid("the description has no data channel (m=application ... UDP/DTLS/SCTP), audio or video section");
  }
  remote.transport_mid = std::string(transport->mid().value_or(""));
  // Media-level attributes win over session-level ones (RFC 8839 §5.4, RFC 8122 §5).
  const auto ufrag = transport->ice_ufrag() ? transport->ice_ufrag() : description.ice_ufrag();
  const auto pwd = transport->ice_pwd() ? transport->ice_pwd() : description.ice_pwd();
  if (!ufrag || !pwd) return invalid("section " + remote.transport_mid + " has no a=ice-ufrag and a=ice-pwd");
  remote.ice = {std::string(*ufrag), std::string(*pwd)};
  remote.ice_lite = description.ice_lite();
  remote.fingerprints = transport->fingerprints();
  if (remote.fingerprints.empty()) remote.fingerprints = description.fingerprints();
  if (remote.fingerprints.empty()) return invalid("section " + remote.transport_mid + " has no a=fingerprint");
  const auto setup = transport->setup() ? transport->setup() : description.setup();
  remote.setup = setup.value_or(sdp::Setup::kActpass);
  if (data != nullptr) {
    if (auto port = data->sctp_port()) {
      remote.sctp_port = *port;
    } else if (auto map = data->sctpmap()) {
      remote.sctp_port = map->port;  // the pre-RFC 8841 form
    }
    if (auto size = data->max_message_size()) remote.max_message_size = static_cast<std::size_t>(*size);
  }
  remote.candidates = transport->candidates();
  remote.end_of_candidates = transport->end_of_candidates();
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
