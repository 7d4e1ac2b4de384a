#include "pc/jsep.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "ice/mdns_message.h"

namespace rtcstack::pc {
namespace {

// Port 0 rejects a section unless it is bundle-only in the BUNDLE group (RFC 8843 §6):
// Firefox offers all but its first section that way.
bool rejected(const sdp::SessionDescription& description, const sdp::MediaDescription& media) {
  if (media.media_line.port != 0) return false;
  if (!media.bundle_only()) return true;
  const auto group = description.bundle_group();
  const auto mid = media.mid();
  return !group || !mid || std::find(group->mids.begin(), group->mids.end(), *mid) == group->mids.end();
}

bool is_data_section(const sdp::SessionDescription& description, const sdp::MediaDescription& media) {
  return media.media_line.media == "application" && !rejected(description, media) &&
         (media.media_line.proto == "UDP/DTLS/SCTP" || media.media_line.proto == "DTLS/SCTP" ||
          media.media_line.proto == "TCP/DTLS/SCTP");
}

base::Error invalid(std::string message) { return {base::ErrorCode::kInvalidArgument, std::move(message)}; }

// c= of every section: RFC 8829 §5.2.1 has no address here (ICE chooses it).
std::string no_address() { return sdp::Connection{"IN", "IP4", "0.0.0.0"}.to_string(); }

// The transport attributes every accepted section carries (one BUNDLE transport).
void add_transport(sdp::MediaDescription& section, const LocalParameters& local, SdpWriteStatus& status) {
  status.note(section.add_attribute("ice-ufrag", local.ice.ufrag));
  status.note(section.add_attribute("ice-pwd", local.ice.password));
  section.add(sdp::IceOptions{{"trickle"}});
  section.add(local.fingerprint);
  status.note(section.add_attribute("setup", sdp::to_string(local.setup)));
  for (const ice::Candidate& candidate : local.candidates) section.add(to_sdp(candidate));
  if (local.end_of_candidates) status.note(section.add_attribute("end-of-candidates"));
}

// Our max-bundle initial offer (RFC 8829 §5.2.1) makes every section after the first
// bundle-only, with port 0, so that a peer without BUNDLE rejects it rather than opening
// a transport for it.
void add_connection(sdp::MediaDescription& section, bool bundle_only, SdpWriteStatus& status) {
  status.note(section.add_line('c', no_address()));
  if (bundle_only) {
    section.media_line.port = 0;
    status.note(section.add_attribute("bundle-only"));
  }
}

sdp::MediaDescription data_section(const LocalParameters& local, bool bundle_only, SdpWriteStatus& status) {
  sdp::MediaDescription section;
  section.media_line = {"application", 9, std::nullopt, "UDP/DTLS/SCTP", {"webrtc-datachannel"}};
  add_connection(section, bundle_only, status);
  add_transport(section, local, status);
  status.note(section.add_attribute("mid", local.data_mid));
  status.note(section.add_attribute("sctp-port", std::to_string(local.sctp_port)));
  status.note(section.add_attribute("max-message-size", std::to_string(local.max_message_size)));
  return section;
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

// An m-section we do not take: its m= line with port 0, and its mid (RFC 8829 §5.3.1).
sdp::MediaDescription rejected_section(const sdp::MediaDescription& offered, SdpWriteStatus& status) {
  sdp::MediaDescription section;
  section.media_line = offered.media_line;
  section.media_line.port = 0;
  section.media_line.port_count.reset();
  status.note(section.add_line('c', no_address()));
  if (const auto mid = offered.mid()) status.note(section.add_attribute("mid", *mid));
  return section;
}

// The sections of our description in order: a mid to write, or an offered or current
// section to reject.
struct Planned {
  std::string mid;
  const sdp::MediaDescription* rejected = nullptr;
};

std::vector<Planned> plan(const LocalParameters& local) {
  std::vector<Planned> sections;
  const auto taken = [&](const std::string& mid) {
    return std::any_of(sections.begin(), sections.end(), [&](const Planned& p) { return !p.rejected && p.mid == mid; });
  };
  const auto* answer = std::get_if<Answer>(&local.plan);
  const auto* reoffer = std::get_if<Reoffer>(&local.plan);
  const sdp::SessionDescription* mirrored = answer ? answer->offer : reoffer ? reoffer->current : nullptr;
  if (mirrored != nullptr) {
    bool data_seen = false;
    for (const sdp::MediaDescription& section : mirrored->media) {
      const std::string mid(section.mid().value_or(""));
      const bool data =
          !data_seen && is_data_section(*mirrored, section) && !local.data_mid.empty() && mid == local.data_mid;
      data_seen |= data;
      const bool media = is_media_section(section) && !mid.empty() && media_with_mid(local, mid) &&
                         (!rejected(*mirrored, section) || reoffer != nullptr);
      if ((data || media) && !taken(mid)) {
        sections.push_back({mid, nullptr});
      } else {
        sections.push_back({mid, &section});
      }
    }
  }
  if (answer == nullptr) {
    // An offer: what is new goes after what was negotiated.
    if (!local.data_mid.empty() && !taken(local.data_mid)) sections.push_back({local.data_mid, nullptr});
    for (const LocalMedia& media : local.media) {
      if (!taken(media.mid)) sections.push_back({media.mid, nullptr});
    }
  }
  return sections;
}

}  // namespace

base::Result<sdp::SessionDescription> build_description(const LocalParameters& local) {
  SdpWriteStatus status;
  sdp::SessionDescription description;
  description.origin = {"-", local.session_id, std::to_string(local.version), "IN", "IP4", "127.0.0.1"};
  status.note(description.add_line('t', "0 0"));
  const std::vector<Planned> sections = plan(local);
  // max-bundle: every accepted section on one transport, the first one's.
  sdp::Group bundle{"BUNDLE", {}};
  for (const Planned& section : sections) {
    if (!section.rejected) bundle.mids.push_back(section.mid);
  }
  description.add(bundle);
  description.add(sdp::MsidSemantic{"WMS", {}});
  const bool bundle_only_after_first = local.max_bundle && std::holds_alternative<InitialOffer>(local.plan);
  bool first = true;
  for (const Planned& section : sections) {
    if (section.rejected) {
      description.media.push_back(rejected_section(*section.rejected, status));
      continue;
    }
    const bool bundle_only = bundle_only_after_first && !first;
    first = false;
    if (section.mid == local.data_mid) {
      description.media.push_back(data_section(local, bundle_only, status));
      continue;
    }
    description.media.push_back(media_section(*media_with_mid(local, section.mid), status, [&](sdp::MediaDescription& media) {
      add_connection(media, bundle_only, status);
      add_transport(media, local, status);
    }));
  }
  if (status.error) return invalid("our description cannot be written: " + status.error->message);
  return description;
}

base::Result<RemoteParameters> read_remote(const sdp::SessionDescription& description) {
  RemoteParameters remote;
  const sdp::MediaDescription* data = nullptr;
  const sdp::MediaDescription* first_media = nullptr;
  for (const sdp::MediaDescription& media : description.media) {
    if (is_data_section(description, media) && data == nullptr) data = &media;
    if (is_media_section(media)) {
      auto read = read_remote_media(media, rejected(description, media));
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
  out.address = candidate.hostname.empty() ? candidate.address.ip().to_string() : candidate.hostname;
  out.port = candidate.address.port();
  if (candidate.protocol == base::TransportProtocol::kTcp) {
    out.transport = sdp::CandidateTransport::kTcp;
    switch (candidate.tcp_type) {
      case ice::TcpType::kActive: out.tcp_type = sdp::TcpType::kActive; break;
      case ice::TcpType::kPassive: out.tcp_type = sdp::TcpType::kPassive; break;
      case ice::TcpType::kSimultaneousOpen: out.tcp_type = sdp::TcpType::kSimultaneousOpen; break;
    }
  }
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
  const bool tcp = candidate.transport == sdp::CandidateTransport::kTcp;
  if (tcp && !candidate.tcp_type) {
    // RFC 6544 §4.5 makes tcptype mandatory: without it nobody knows who connects.
    return base::Error{base::ErrorCode::kInvalidArgument, "a TCP candidate without tcptype"};
  }
  auto ip = base::IpAddress::parse(candidate.address);
  std::string hostname;
  if (!ip) {
    // draft-ietf-mmusic-mdns-ice-candidates: a host hidden behind "<uuid>.local"; its
    // address comes when the name resolves.
    std::string lower = candidate.address;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!ice::mdns::is_local_name(lower)) {
      return base::Error{base::ErrorCode::kInvalidArgument,
                         "candidate address \"" + candidate.address + "\" is neither an IP address nor an mDNS name"};
    }
    hostname = std::move(lower);
    ip = base::IpAddress{};
  }
  ice::Candidate out;
  out.hostname = std::move(hostname);
  out.foundation = candidate.foundation;
  out.component = candidate.component;
  out.priority = candidate.priority;
  out.address = base::SocketAddress(*ip, candidate.port);
  out.base = out.address;
  if (tcp) {
    out.protocol = base::TransportProtocol::kTcp;
    switch (*candidate.tcp_type) {
      case sdp::TcpType::kActive: out.tcp_type = ice::TcpType::kActive; break;
      case sdp::TcpType::kPassive: out.tcp_type = ice::TcpType::kPassive; break;
      case sdp::TcpType::kSimultaneousOpen: out.tcp_type = ice::TcpType::kSimultaneousOpen; break;
    }
  }
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
