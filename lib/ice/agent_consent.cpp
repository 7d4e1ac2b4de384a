// Consent freshness (RFC 7675) on the selected pair.
#include "ice/agent.h"

#include <algorithm>
#include <string>

#include "base/log.h"
#include "ice/check_messages.h"
#include "stun/demux.h"
#include "stun/message_builder.h"

namespace rtcstack::ice {

using base::Instant;
using base::SocketAddress;

base::Duration Agent::jittered_consent_interval() {
  // RFC 7675 §5.1: uniformly in [0.8, 1.2] times the interval.
  const std::int64_t base = config_.consent_interval.as_nanoseconds();
  return base::Duration::nanoseconds(base * 8 / 10 +
                                     static_cast<std::int64_t>(random_.uniform(static_cast<std::uint64_t>(base * 4 / 10) + 1)));
}

void Agent::send_consent_check(Instant now) {
  const CandidatePair& pair = pairs_[*selected_];
  std::uint8_t buffer[kMaxCheckSize];
  const auto request = build_check_request(
      buffer, stun::TransactionId::random(random_),
      {remote_credentials_->ufrag, local_credentials_.ufrag, remote_credentials_->password,
       peer_reflexive_priority(pair.local), role_, tie_breaker_,
       // The controlling side repeats its nomination (as libwebrtc does): a controlled
       // peer that restarted its own agent and went back (a rolled-back ICE restart)
       // learns from it which pair is in use.
       role_ == Role::kControlling});
  // One transmission per consent check; the next check comes at the next interval.
  stun::TransactionConfig once{config_.check_transaction.rto, 1, 2, config_.check_transaction.rto};
  consent_transaction_.emplace(stun::ClientTransaction::start(*request, once, now).value());
  while (auto datagram = consent_transaction_->poll_transmit()) {
    ++pairs_[*selected_].counters.requests_sent;
    ++pairs_[*selected_].counters.consent_requests_sent;
    transmit(path_of(pair), *datagram);
  }
}

void Agent::check_consent(Instant now) {
  if (!selected_ && previous_pair_ && now - last_consent_at_ >= config_.consent_expiry) {
    // A restart that never found a new pair: the old one has no consent of its own any
    // more (its checks stopped with the old credentials), so it must stop carrying data.
    RTC_LOG(kInfo, "ice") << "ICE restart found no pair before consent on the old one expired";
    previous_pair_.reset();
    consent_expired_ = true;
    update_connection_state();
    return;
  }
  if (!selected_) return;
  if (consent_transaction_) {
    consent_transaction_->handle_timeout(now);
    if (consent_transaction_->state() != stun::TransactionState::kWaiting) consent_transaction_.reset();
  }
  if (now - last_consent_at_ >= config_.consent_expiry) {
    // Consent expired: this pair must not carry data any more (RFC 7675 §5.1).
    RTC_LOG(kInfo, "ice") << "consent expired on " << remote_candidates_[pairs_[*selected_].remote].to_string();
    pairs_[*selected_].state = PairState::kFailed;
    pairs_[*selected_].nominated = false;
    update_selection();
    if (!selected_) {
      consent_expired_ = true;
      update_connection_state();
    }
    return;
  }
  if (now >= next_consent_at_) {
    send_consent_check(now);
    next_consent_at_ = now + jittered_consent_interval();
  }
}

}  // namespace rtcstack::ice
