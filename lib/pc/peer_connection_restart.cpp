// PeerConnection: ICE restarts (RFC 8445 §9, JSEP RFC 8829 §5.2.1 and §5.3.1). The agent
// restarts when a description with new credentials is set - our offer after
// restart_ice(), or the peer's offer - and keeps the pair in use until checks with the
// new credentials select one; DTLS, SCTP and SRTP above it never notice.
#include <algorithm>

#include "ice/agent.h"
#include "pc/jsep.h"
#include "pc/peer_connection.h"
#include "pc/transport.h"

namespace rtcstack::pc {

ice::Credentials PeerConnection::new_credentials(base::Random& random) {
  // ice-chars: ALPHA / DIGIT / "+" / "/"; RFC 8839 asks for 4+ in a ufrag, 22+ in a
  // password. 8 characters give 48 bits: no collisions among a runtime's connections.
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto token = [&random](std::size_t length) {
    std::string token(length, 'A');
    for (char& c : token) c = kAlphabet[random.uniform(kAlphabet.size())];
    return token;
  };
  return {token(8), token(24)};
}

const ice::Credentials& PeerConnection::local_credentials() const {
  const ice::Agent* agent = transport_->agent();
  return agent != nullptr ? agent->local_credentials() : configuration_.ice.credentials;
}

const std::string& PeerConnection::local_ufrag() const { return local_credentials().ufrag; }

void PeerConnection::restart_ice() {
  if (ended_error()) return;
  ice_restart_requested_ = true;
}

void PeerConnection::restart_agent(base::Instant now, ice::Credentials credentials) {
  ice::Agent& agent = *transport_->agent();
  // The peer's signalled candidates; peer-reflexive ones are learned again from its checks.
  candidates_before_restart_.clear();
  for (const ice::Candidate& candidate : agent.remote_candidates()) {
    if (candidate.type != ice::CandidateType::kPeerReflexive) candidates_before_restart_.push_back(candidate);
  }
  agent.restart(now, std::move(credentials));
  remote_ice_applied_.clear();  // the agent forgot them: the next remote description's are applied
  ice_restart_requested_ = false;
  restart_credentials_.reset();
}

bool PeerConnection::undo_ice_restart(base::Instant now) {
  ice::Agent* restarted = transport_->agent();
  if (!restarted || !current_local_ || restarted->local_credentials().ufrag == current_local_->ice.ufrag) return false;
  ice::Agent& agent = *restarted;
  agent.restart(now, current_local_->ice);
  remote_ice_applied_.clear();
  if (!remote_) return true;
  // The current remote description again, with the candidates trickled before the restart.
  const std::vector<ice::Candidate> candidates = std::exchange(candidates_before_restart_, {});
  apply_remote_ice(now);
  for (const ice::Candidate& candidate : candidates) (void)agent.add_remote_candidate(candidate, now);
  return true;
}

}  // namespace rtcstack::pc
