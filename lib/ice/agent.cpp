// The Agent's public surface: construction, inputs, restart, close and the output queue.
// Checks, gathering and consent live in agent_checks.cpp, agent_gathering.cpp and
// agent_consent.cpp.
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

namespace {

constexpr std::string_view kIceChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string random_ice_string(base::Random& random, std::size_t length) {
  std::string text(length, 'a');
  for (char& c : text) c = kIceChars[random.uniform(kIceChars.size())];
  return text;
}

}  // namespace

Agent::Agent(AgentConfig config, base::Random& random, base::BufferPool* pool)
    : config_(std::move(config)),
      random_(random),
      local_credentials_(config_.credentials),
      role_(config_.mode == Mode::kLite ? Role::kControlled : config_.role),
      tie_breaker_(random.next_u64()),
      pool_(pool != nullptr ? pool : &own_pool_) {
  if (local_credentials_.ufrag.empty()) local_credentials_.ufrag = random_ice_string(random_, 4);
  if (local_credentials_.password.empty()) local_credentials_.password = random_ice_string(random_, 24);
}

base::Result<void> Agent::set_remote_credentials(Credentials credentials, Instant now) {
  now_ = now;
  if (credentials.ufrag.empty() || credentials.password.empty()) {
    return base::make_error(base::ErrorCode::kInvalidArgument, "ICE: remote ufrag and password must not be empty");
  }
  remote_credentials_ = std::move(credentials);
  if (can_check()) next_check_at_ = std::min(next_check_at_, now);
  update_connection_state();
  return {};
}

base::Result<void> Agent::add_remote_candidate(Candidate candidate, Instant now) {
  now_ = now;
  if (candidate.component != 1) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "ICE: component " + std::to_string(candidate.component) +
                                " (with rtcp-mux and BUNDLE only component 1 is used)");
  }
  if (const auto unusable = unusable_remote_address(candidate.address)) {
    ++stats_.refused_candidates;
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "ICE: remote candidate " + candidate.address.to_string() + " is " + std::string(*unusable) +
                                ", to which no check is sent");
  }
  for (Candidate& known : remote_candidates_) {
    if (known.address != candidate.address || known.protocol != candidate.protocol) continue;
    // Signalled again (a peer that re-sends its candidates after a rolled-back restart,
    // or a signalling channel that repeats): nothing changes.
    if (known.type == candidate.type) return {};
    if (known.type != CandidateType::kPeerReflexive) {
      return base::make_error(base::ErrorCode::kInvalidArgument,
                              "ICE: remote candidate " + candidate.address.to_string() + " is already known");
    }
    // The peer signalled a candidate we had learned as peer-reflexive: take its data.
    known = std::move(candidate);
    recompute_priorities();
    if (can_check()) next_check_at_ = std::min(next_check_at_, now);
    return {};
  }
  if (remote_candidates_.size() >= config_.max_remote_candidates) {
    ++stats_.dropped_candidates;
    return base::make_error(base::ErrorCode::kResourceExhausted,
                            "ICE: more than " + std::to_string(config_.max_remote_candidates) + " remote candidates");
  }
  remote_candidates_.push_back(std::move(candidate));
  last_remote_candidate_at_ = now;
  add_pairs_for_remote(remote_candidates_.size() - 1);
  if (can_check()) next_check_at_ = std::min(next_check_at_, now);
  update_connection_state();
  return {};
}

void Agent::set_remote_end_of_candidates(Instant now) {
  now_ = now;
  remote_end_of_candidates_ = true;
  update_connection_state();
}

void Agent::restart(Instant now, Credentials credentials) {
  now_ = now;
  if (closed_) return;
  if (auto current = selected_pair()) previous_pair_ = std::move(current);
  local_credentials_ = std::move(credentials);
  if (local_credentials_.ufrag.empty()) local_credentials_.ufrag = random_ice_string(random_, 4);
  if (local_credentials_.password.empty()) local_credentials_.password = random_ice_string(random_, 24);
  remote_credentials_.reset();
  remote_end_of_candidates_ = false;
  pairs_.clear();
  triggered_.clear();
  remote_candidates_.clear();
  local_candidates_.clear();
  for (Relay& relay : relays_) relay.candidate.reset();  // re-announced by start_gathering
  server_queries_.clear();
  selected_.reset();
  switching_from_.reset();
  consent_transaction_.reset();
  consent_expired_ = false;
  first_valid_at_.reset();
  next_check_at_ = Instant::max();
  next_consent_at_ = Instant::max();
  gathering_state_ = GatheringState::kNew;
  start_gathering(now);
}

void Agent::close() {
  if (closed_) return;
  closed_ = true;
  for (CandidatePair& pair : pairs_) pair.transaction.reset();
  consent_transaction_.reset();
  server_queries_.clear();
  triggered_.clear();
  next_check_at_ = Instant::max();
  // Free the allocations (Refresh with LIFETIME 0); their answers are not awaited.
  for (Relay& relay : relays_) relay.client.close(now_);
  poll_relays(now_);
  set_connection_state(ConnectionState::kClosed);
}

ReceiveResult Agent::handle_receive(Instant now, const SocketAddress& local, const SocketAddress& remote,
                                    const Inbound& inbound) {
  now_ = now;
  if (closed_) return {Received::kDropped, {}};
  const base::ByteView datagram = inbound.bytes();
  const bool stun = inbound.looks_like_stun();
  const base::TransportProtocol protocol = inbound.protocol();
  for (std::size_t i = 0; i < relays_.size() && protocol == base::TransportProtocol::kUdp; ++i) {
    if (relays_[i].client.local() != local || relays_[i].client.server().address != remote) continue;
    // The TURN server may double as our STUN server: its Binding answers are gathering's.
    const stun::StunMessage* message = inbound.stun();
    if (message && message->method() == stun::StunMethod::kBinding && handle_gathering_response(remote, *message, now)) {
      return {Received::kStun, {}};
    }
    return handle_from_turn(now, i, inbound);
  }
  if (!stun) {
    // Media and data arrive on the selected pair: answer that case without a search.
    if (selected_ && pair_on(pairs_[*selected_], local, remote, protocol)) {
      CandidatePair& pair = pairs_[*selected_];
      pair.last_received = now;
      ++pair.counters.packets_received;
      pair.counters.bytes_received += datagram.size();
      return {Received::kApplicationData, datagram};
    }
    if (previous_pair_ && previous_pair_->local.based_at(local, protocol) && previous_pair_->remote.address == remote) {
      return {Received::kApplicationData, datagram};
    }
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      CandidatePair& pair = pairs_[i];
      if ((pair.state == PairState::kSucceeded || pair.peer_checked) && pair_on(pair, local, remote, protocol)) {
        pair.last_received = now;
        ++pair.counters.packets_received;
        pair.counters.bytes_received += datagram.size();
        maybe_switch_path(now);
        return {Received::kApplicationData, datagram};
      }
    }
    ++stats_.dropped_stranger;
    return {Received::kDropped, {}};
  }
  const stun::StunMessage* message = inbound.stun();
  // A message fills its datagram (or its RFC 4571 frame): bytes after it are no part of
  // what its integrity covers, and no stack sends them.
  if (!message || message->method() != stun::StunMethod::kBinding || message->bytes().size() != datagram.size()) {
    ++stats_.dropped_malformed;
    return {Received::kDropped, {}};
  }
  switch (message->cls()) {
    case stun::StunClass::kRequest: return {handle_request({local, remote, protocol}, *message), {}};
    case stun::StunClass::kSuccessResponse:
    case stun::StunClass::kErrorResponse: return {handle_response(now, {local, remote, protocol}, *message), {}};
    case stun::StunClass::kIndication: return {Received::kStun, {}};  // keepalive: nothing to do
  }
  return {Received::kDropped, {}};
}

void Agent::handle_timeout(Instant now) {
  now_ = now;
  if (closed_) return;
  for (auto query = server_queries_.begin(); query != server_queries_.end();) {
    query->transaction.handle_timeout(now);
    if (query->transaction.state() == stun::TransactionState::kTimedOut) {
      RTC_LOG(kInfo, "ice") << "STUN server " << query->server << " did not answer";
      query = server_queries_.erase(query);
      continue;
    }
    while (auto datagram = query->transaction.poll_transmit()) {
      transmit({local_candidates_[query->host].base, query->server}, *datagram);
    }
    ++query;
  }
  for (Relay& relay : relays_) relay.client.handle_timeout(now);
  poll_relays(now);
  finish_gathering_if_done();
  for (CandidatePair& pair : pairs_) {
    if (!pair.transaction) continue;
    pair.transaction->handle_timeout(now);
    if (pair.transaction->state() == stun::TransactionState::kTimedOut) {
      // An unanswered check fails the pair, a nominating one included: the path is gone.
      pair.transaction.reset();
      if (pair.state == PairState::kInProgress || (pair.nominating && !pair.nominated)) {
        pair.state = PairState::kFailed;
      }
      pair.nominating = false;
      continue;
    }
    (void)transmit_check(pair);
  }
  if (now >= next_check_at_ && can_check()) pace(now);
  maybe_nominate(now);
  update_selection();
  check_consent(now);
  maybe_switch_path(now);
  update_connection_state();
}

Output Agent::poll_output() {
  if (!outputs_.empty()) {
    Output output = std::move(outputs_.front());
    outputs_.pop_front();
    return output;
  }
  Timeout timeout{Instant::max(), TimerReason::kNone};
  if (closed_) return timeout;
  if (can_check() && next_check_at_ < timeout.at) timeout = {next_check_at_, TimerReason::kPacing};
  for (const CandidatePair& pair : pairs_) {
    if (pair.transaction && pair.transaction->poll_timeout() < timeout.at) {
      timeout = {pair.transaction->poll_timeout(), TimerReason::kRetransmission};
    }
  }
  for (const Relay& relay : relays_) {
    if (relay.client.poll_timeout() < timeout.at) timeout = {relay.client.poll_timeout(), TimerReason::kTurn};
  }
  for (const ServerQuery& query : server_queries_) {
    if (query.transaction.poll_timeout() < timeout.at) {
      timeout = {query.transaction.poll_timeout(), TimerReason::kGathering};
    }
  }
  if (selected_ || previous_pair_) {
    Instant consent = std::min(next_consent_at_, last_consent_at_ + config_.consent_expiry);
    if (connection_state_ != ConnectionState::kDisconnected) {
      consent = std::min(consent, last_consent_at_ + config_.disconnected_after);
    }
    if (consent_transaction_) consent = std::min(consent, consent_transaction_->poll_timeout());
    if (consent < timeout.at) timeout = {consent, TimerReason::kConsent};
  }
  if (const auto give_up = give_up_at(); give_up && *give_up < timeout.at && connection_state_ != ConnectionState::kFailed) {
    timeout = {std::max(*give_up, now_), TimerReason::kGiveUp};
  }
  if (role_ == Role::kControlling && first_valid_at_ && !selected_) {
    const bool nominating = std::any_of(pairs_.begin(), pairs_.end(), [](const CandidatePair& p) {
      return p.nominating || p.nominated;
    });
    const Instant deadline = *first_valid_at_ + config_.nomination_delay;
    if (!nominating && deadline < timeout.at) timeout = {std::max(deadline, now_), TimerReason::kNomination};
  }
  return timeout;
}

}  // namespace rtcstack::ice
