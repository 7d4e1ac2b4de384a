// PeerConnection::get_stats(): the W3C stats objects (webrtc-stats) that exist so far.
#include "base/base64.h"
#include "pc/peer_connection.h"

namespace rtcstack::pc {
namespace {

constexpr std::string_view kTransportId = "T01";

std::string candidate_id(char side, std::size_t index) { return std::string(1, side) + std::to_string(index); }

std::string_view candidate_type(ice::CandidateType type) { return ice::to_string(type); }

Stats candidate_stats(const ice::Candidate& candidate, const std::string& id, bool local, double timestamp) {
  return Stats{id,
               local ? "local-candidate" : "remote-candidate",
               timestamp,
               {{"transportId", std::string(kTransportId)},
                {"address", candidate.address.ip().to_string()},
                {"port", std::uint64_t{candidate.address.port()}},
                {"protocol", std::string("udp")},
                {"candidateType", std::string(candidate_type(candidate.type))},
                {"priority", std::uint64_t{candidate.priority}},
                {"foundation", candidate.foundation}}};
}

std::string_view pair_state(ice::PairState state) {
  switch (state) {
    case ice::PairState::kFrozen: return "frozen";
    case ice::PairState::kWaiting: return "waiting";
    case ice::PairState::kInProgress: return "in-progress";
    case ice::PairState::kSucceeded: return "succeeded";
    case ice::PairState::kFailed: return "failed";
  }
  return "?";
}

// RTCCertificateStats: the fingerprint and the DER certificate in base64.
Stats certificate_stats(const std::string& id, const dtls::Fingerprint& fingerprint, const dtls::Certificate* certificate,
                        double timestamp) {
  Stats stats{id, "certificate", timestamp, {}};
  std::string hex = fingerprint.to_string();
  hex = hex.substr(hex.find(' ') + 1);
  stats.members.emplace_back("fingerprint", hex);
  stats.members.emplace_back("fingerprintAlgorithm", fingerprint.algorithm);
  if (certificate != nullptr) {
    if (const base::Buffer der = certificate->der(); !der.empty()) {
      stats.members.emplace_back("base64Certificate", base::base64_encode(der));
    }
  }
  return stats;
}


}  // namespace

void PeerConnection::media_stats(TransceiverHandle handle, double timestamp, std::vector<Stats>& report) const {
  const Transceiver& t = transceivers_.at(handle);
  if (!t.mid || !t.local) return;
  const std::string kind(to_string(t.kind));
  const std::string suffix = std::to_string(handle);
  const auto codec_stats = [&](const CodecParameters& codec) {
    const std::string id = "C" + suffix + "-" + std::to_string(codec.payload_type);
    for (const Stats& existing : report) {
      if (existing.id == id) return id;  // sending and receiving with the same payload type
    }
    Stats stats{id, "codec", timestamp,
                {{"transportId", std::string(kTransportId)},
                 {"payloadType", std::uint64_t{codec.payload_type}},
                 {"mimeType", kind + "/" + codec.name},
                 {"clockRate", std::uint64_t{codec.clock_rate}}}};
    if (t.kind == MediaKind::kAudio) stats.members.emplace_back("channels", std::uint64_t{codec.channels});
    if (!codec.fmtp.empty()) stats.members.emplace_back("sdpFmtpLine", codec.fmtp);
    report.push_back(std::move(stats));
    return id;
  };
  if (const auto sent = rtp_->send_stats(handle)) {
    const auto codec = send_codec(handle);
    Stats out{"OT" + suffix, "outbound-rtp", timestamp,
              {{"ssrc", std::uint64_t{sent->ssrc}},
               {"kind", kind},
               {"mid", *t.mid},
               {"transportId", std::string(kTransportId)},
               {"packetsSent", sent->packets_sent},
               {"bytesSent", sent->payload_bytes_sent},
               {"retransmittedPacketsSent", sent->retransmitted},
               {"nackCount", sent->nacks_received},
               {"pliCount", sent->key_frames_requested}}};
    if (codec) out.members.emplace_back("codecId", codec_stats(*codec));
    if (sent->remote_report) {
      const media::ReportBlock& block = *sent->remote_report;
      Stats remote{"RI" + suffix, "remote-inbound-rtp", timestamp,
                   {{"ssrc", std::uint64_t{sent->ssrc}},
                    {"kind", kind},
                    {"transportId", std::string(kTransportId)},
                    {"localId", out.id},
                    {"packetsLost", static_cast<double>(block.cumulative_lost)},
                    {"fractionLost", block.fraction_lost / 256.0},
                    {"jitter", static_cast<double>(block.jitter) / sent->codec.clock_rate}}};
      if (sent->round_trip_time) remote.members.emplace_back("roundTripTime", sent->round_trip_time->as_seconds());
      out.members.emplace_back("remoteId", remote.id);
      report.push_back(std::move(remote));
    }
    report.push_back(std::move(out));
  }
  const auto received = rtp_->receive_stats(handle);
  if (received && t.remote) {
    Stats in{"IT" + suffix, "inbound-rtp", timestamp,
             {{"ssrc", std::uint64_t{received->ssrc}},
              {"kind", kind},
              {"mid", *t.mid},
              {"transportId", std::string(kTransportId)},
              {"packetsReceived", received->packets_received},
              {"bytesReceived", received->bytes_received},
              {"packetsLost", static_cast<double>(received->packets_lost)},
              {"nackCount", received->nacks_sent},
              {"pliCount", received->plis_sent}}};
    if (!t.remote->codecs.empty()) {
      const CodecParameters& codec = t.remote->codecs.front();
      in.members.emplace_back("jitter", static_cast<double>(received->jitter) / codec.clock_rate);
      in.members.emplace_back("codecId", codec_stats(codec));
    }
    report.push_back(std::move(in));
  }
}

std::vector<Stats> PeerConnection::get_stats(base::Instant now) const {
  const double timestamp = static_cast<double>(now.nanoseconds_since_origin()) / 1e6;
  std::vector<Stats> report;
  report.push_back(Stats{"P01", "peer-connection", timestamp,
                         {{"dataChannelsOpened", counters_.channels_opened},
                          {"dataChannelsClosed", counters_.channels_closed}}});

  Stats transport{std::string(kTransportId), "transport", timestamp,
                  {{"packetsSent", counters_.packets_sent},
                   {"bytesSent", counters_.bytes_sent},
                   {"packetsReceived", counters_.packets_received},
                   {"bytesReceived", counters_.bytes_received},
                   {"packetsDiscarded", counters_.packets_discarded},  // ours: not in W3C's RTCTransportStats
                   {"iceState", std::string(ice::to_string(ice_connection_state()))},
                   {"dtlsState", std::string(to_string(dtls_state_))}}};
  const auto local_fingerprint = configuration_.certificate->fingerprint();
  if (local_fingerprint) {
    transport.members.emplace_back("localCertificateId", std::string("CERT-local"));
    report.push_back(certificate_stats("CERT-local", *local_fingerprint, configuration_.certificate.get(), timestamp));
  }
  if (dtls_state_ != DtlsTransportState::kNew) transport.members.emplace_back("dtlsRole", std::string(dtls_client_ ? "client" : "server"));
  if (remote_ && !remote_->fingerprints.empty()) {
    transport.members.emplace_back("remoteCertificateId", std::string("CERT-remote"));
    const auto& remote = remote_->fingerprints.front();
    report.push_back(certificate_stats("CERT-remote", dtls::Fingerprint{remote.algorithm, remote.digest}, nullptr, timestamp));
  }

  if (agent_) {
    transport.members.emplace_back("iceRole", std::string(ice::to_string(agent_->role())));
    // Ours, not W3C's: what hostile or broken signalling cost.
    const ice::AgentStats& ice_stats = agent_->stats();
    transport.members.emplace_back("remoteCandidatesRefused", ice_stats.refused_candidates + ice_stats.dropped_candidates);
    transport.members.emplace_back("checksWithheld", ice_stats.checks_withheld);
    const auto& locals = agent_->local_candidates();
    const auto& remotes = agent_->remote_candidates();
    for (std::size_t i = 0; i < locals.size(); ++i) report.push_back(candidate_stats(locals[i], candidate_id('L', i), true, timestamp));
    for (std::size_t i = 0; i < remotes.size(); ++i) report.push_back(candidate_stats(remotes[i], candidate_id('R', i), false, timestamp));
    const auto selected = agent_->selected_pair();
    for (const ice::CandidatePair& pair : agent_->pairs()) {
      const std::string id = "CP" + candidate_id('L', pair.local) + "-" + candidate_id('R', pair.remote);
      const bool is_selected = selected && pair.local < locals.size() && pair.remote < remotes.size() &&
                               locals[pair.local] == selected->local && remotes[pair.remote] == selected->remote;
      if (is_selected) transport.members.emplace_back("selectedCandidatePairId", id);
      report.push_back(Stats{id, "candidate-pair", timestamp,
                             {{"transportId", std::string(kTransportId)},
                              {"localCandidateId", candidate_id('L', pair.local)},
                              {"remoteCandidateId", candidate_id('R', pair.remote)},
                              {"state", std::string(pair_state(pair.state))},
                              {"nominated", pair.nominated},
                              {"priority", pair.priority}}});
    }
  }
  report.insert(report.begin() + 1, std::move(transport));

  for (const auto& [handle, transceiver] : transceivers_) media_stats(handle, timestamp, report);

  for (const auto& [handle, channel] : channels_) {
    Stats stats{"D" + std::to_string(handle), "data-channel", timestamp,
                {{"label", channel.init.label},
                 {"protocol", channel.init.protocol},
                 {"state", std::string(sctp::to_string(channel.state))},
                 {"messagesSent", channel.messages_sent},
                 {"bytesSent", channel.bytes_sent},
                 {"messagesReceived", channel.messages_received},
                 {"bytesReceived", channel.bytes_received}}};
    if (const auto id = channel_id(handle)) stats.members.emplace_back("dataChannelIdentifier", std::uint64_t{*id});
    report.push_back(std::move(stats));
  }
  return report;
}

}  // namespace rtcstack::pc
