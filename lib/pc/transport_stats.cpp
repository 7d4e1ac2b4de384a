// The W3C stats objects of the BUNDLE transport (webrtc-stats §5.3-5.6): the transport,
// its certificates, candidates and candidate pairs, with ids stable between reports.
#include "pc/transport_stats.h"

#include "base/base64.h"

namespace rtcstack::pc {
namespace {

std::string candidate_id(char side, std::size_t index) { return std::string(1, side) + std::to_string(index); }

std::string_view candidate_type(ice::CandidateType type) { return ice::to_string(type); }

// `ufrag`: the credentials the candidate belongs to (W3C usernameFragment), when known.
Stats candidate_stats(const ice::Candidate& candidate, const std::string& id, bool local, std::string_view ufrag,
                      double timestamp) {
  Stats stats{id,
              local ? "local-candidate" : "remote-candidate",
              timestamp,
              {{"transportId", std::string(kTransportId)},
               {"address", candidate.address.ip().to_string()},
               {"port", std::uint64_t{candidate.address.port()}},
               {"protocol", std::string(base::to_string(candidate.protocol))},
               {"candidateType", std::string(candidate_type(candidate.type))},
               {"priority", std::uint64_t{candidate.priority}},
               {"foundation", candidate.foundation}}};
  if (!ufrag.empty()) stats.members.emplace_back("usernameFragment", std::string(ufrag));
  if (!candidate.url.empty()) stats.members.emplace_back("url", candidate.url);
  if (candidate.protocol == base::TransportProtocol::kTcp) {
    stats.members.emplace_back("tcpType", std::string(ice::to_string(candidate.tcp_type)));
  }
  if (candidate.type == ice::CandidateType::kRelayed && local) {
    stats.members.emplace_back("relayProtocol", std::string(ice::to_string(candidate.relay_protocol)));
  }
  return stats;
}

// RTCIceCandidatePairStats' counters (seconds for the round trips, as W3C has them).
void append_pair_counters(const ice::PairCounters& counters, Stats& stats) {
  stats.members.emplace_back("packetsSent", counters.packets_sent);
  stats.members.emplace_back("packetsReceived", counters.packets_received);
  stats.members.emplace_back("bytesSent", counters.bytes_sent);
  stats.members.emplace_back("bytesReceived", counters.bytes_received);
  stats.members.emplace_back("requestsSent", counters.requests_sent);
  stats.members.emplace_back("requestsReceived", counters.requests_received);
  stats.members.emplace_back("responsesSent", counters.responses_sent);
  stats.members.emplace_back("responsesReceived", counters.responses_received);
  stats.members.emplace_back("consentRequestsSent", counters.consent_requests_sent);
  stats.members.emplace_back("totalRoundTripTime", counters.total_round_trip_time.as_seconds());
  if (counters.current_round_trip_time) {
    stats.members.emplace_back("currentRoundTripTime", counters.current_round_trip_time->as_seconds());
  }
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



void append_ice_stats(const ice::Agent& agent, double timestamp, Stats& transport, std::vector<Stats>& report) {
  transport.members.emplace_back("iceRole", std::string(ice::to_string(agent.role())));
  // Ours, not W3C's: what hostile or broken signalling cost.
  const ice::AgentStats& ice_stats = agent.stats();
  transport.members.emplace_back("remoteCandidatesRefused", ice_stats.refused_candidates + ice_stats.dropped_candidates);
  transport.members.emplace_back("checksWithheld", ice_stats.checks_withheld);
  const auto& locals = agent.local_candidates();
  const auto& remotes = agent.remote_candidates();
  const std::string_view ufrag = agent.local_credentials().ufrag;
  for (std::size_t i = 0; i < locals.size(); ++i) {
    report.push_back(candidate_stats(locals[i], candidate_id('L', i), true, ufrag, timestamp));
  }
  for (std::size_t i = 0; i < remotes.size(); ++i) {
    report.push_back(candidate_stats(remotes[i], candidate_id('R', i), false, {}, timestamp));
  }
  const auto selected = agent.selected_pair();
  for (const ice::CandidatePair& pair : agent.pairs()) {
    const std::string id = "CP" + candidate_id('L', pair.local) + "-" + candidate_id('R', pair.remote);
    const bool is_selected = selected && pair.local < locals.size() && pair.remote < remotes.size() &&
                             locals[pair.local] == selected->local && remotes[pair.remote] == selected->remote;
    if (is_selected) transport.members.emplace_back("selectedCandidatePairId", id);
    Stats stats{id, "candidate-pair", timestamp,
                {{"transportId", std::string(kTransportId)},
                 {"localCandidateId", candidate_id('L', pair.local)},
                 {"remoteCandidateId", candidate_id('R', pair.remote)},
                 {"state", std::string(pair_state(pair.state))},
                 {"nominated", pair.nominated},
                 {"priority", pair.priority}}};
    append_pair_counters(pair.counters, stats);
    report.push_back(std::move(stats));
  }
}

}  // namespace

void append_transport_stats(const TransportSnapshot& snapshot, double timestamp, std::vector<Stats>& report) {
  const TransportCounters& counters = snapshot.counters;
  Stats transport{std::string(kTransportId), "transport", timestamp,
                  {{"packetsSent", counters.packets_sent},
                   {"bytesSent", counters.bytes_sent},
                   {"packetsReceived", counters.packets_received},
                   {"bytesReceived", counters.bytes_received},
                   {"packetsDiscarded", counters.packets_discarded},  // ours: not in W3C's RTCTransportStats
                   {"iceState", std::string(ice::to_string(snapshot.ice_state))},
                   {"dtlsState", std::string(to_string(snapshot.dtls_state))}}};
  const std::size_t transport_at = report.size();
  if (const auto local = snapshot.certificate.fingerprint()) {
    transport.members.emplace_back("localCertificateId", std::string("CERT-local"));
    report.push_back(certificate_stats("CERT-local", *local, &snapshot.certificate, timestamp));
  }
  if (snapshot.dtls_state != DtlsTransportState::kNew) {
    transport.members.emplace_back("dtlsRole", std::string(snapshot.dtls_client ? "client" : "server"));
  }
  if (snapshot.remote_fingerprint) {
    transport.members.emplace_back("remoteCertificateId", std::string("CERT-remote"));
    report.push_back(certificate_stats("CERT-remote", *snapshot.remote_fingerprint, nullptr, timestamp));
  }
  if (snapshot.agent != nullptr) append_ice_stats(*snapshot.agent, timestamp, transport, report);
  report.insert(report.begin() + static_cast<std::ptrdiff_t>(transport_at), std::move(transport));
}

void append_bandwidth_stats(const cc::BandwidthEstimate& estimate, const media::CongestionCounters& counters,
                            std::vector<Stats>& report) {
  Stats* transport = nullptr;
  for (Stats& stats : report) {
    if (stats.type == "transport") transport = &stats;
  }
  if (transport == nullptr) return;
  const StatValue* selected = transport->get("selectedCandidatePairId");
  for (Stats& stats : report) {
    if (selected != nullptr && stats.type == "candidate-pair" && stats.id == std::get<std::string>(*selected)) {
      stats.members.emplace_back("availableOutgoingBitrate", static_cast<double>(estimate.target_bps));
    }
  }
  // Ours, not W3C's: the peer's feedback as the estimator took it.
  const cc::FeedbackCounters& feedback = counters.feedback;
  transport->members.emplace_back("transportFeedbackReceived", feedback.messages);
  transport->members.emplace_back("transportFeedbackMalformed", counters.malformed_feedback);
  transport->members.emplace_back("feedbackReportsRefused", feedback.unknown + feedback.duplicates + feedback.implausible);
  transport->members.emplace_back("receiverEstimatesReceived", counters.receiver_estimates);
  transport->members.emplace_back("paddingBytesSent", counters.padding_bytes);
  transport->members.emplace_back("pacerDropped", counters.pacer_drops);
}

}  // namespace rtcstack::pc
