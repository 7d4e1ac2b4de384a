// Connectivity checks (RFC 8445 §6-§8): the checklist, pacing, answering checks,
// processing responses, nomination, selection and the connection state.
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

bool is_pending(PairState state) {
  return state == PairState::kFrozen || state == PairState::kWaiting || state == PairState::kInProgress;
}

}  // namespace

bool Agent::can_check() const {
  return !closed_ && config_.mode == Mode::kFull && remote_credentials_.has_value() && !pairs_.empty();
}

std::string Agent::pair_foundation(const CandidatePair& pair) const {
  return local_candidates_[pair.local].foundation + '/' + remote_candidates_[pair.remote].foundation;
}

void Agent::add_pairs_for_remote(std::size_t remote_index) {
  for (std::size_t l = 0; l < local_candidates_.size(); ++l) {
    if (pairs_with(local_candidates_[l])) add_pair(l, remote_index);
  }
}

void Agent::add_pair(std::size_t local_index, std::size_t remote_index) {
  const Candidate& local = local_candidates_[local_index];
  const Candidate& remote = remote_candidates_[remote_index];
  if (!can_pair(local, remote)) return;
  // Redundant when another pair already goes from the same base to the same address.
  if (find_pair({local.base, remote.address, local.protocol})) return;
  if (local.type == CandidateType::kRelayed && !permit(local.address, remote.address)) return;
  CandidatePair pair;
  pair.local = local_index;
  pair.remote = remote_index;
  pair.priority = role_ == Role::kControlling ? pair_priority(local.priority, remote.priority)
                                              : pair_priority(remote.priority, local.priority);
  const std::string foundation = local.foundation + '/' + remote.foundation;
  const bool foundation_active = std::any_of(pairs_.begin(), pairs_.end(), [&](const CandidatePair& other) {
    return (other.state == PairState::kWaiting || other.state == PairState::kInProgress) &&
           pair_foundation(other) == foundation;
  });
  pair.state = foundation_active ? PairState::kFrozen : PairState::kWaiting;
  if (pairs_.size() >= config_.max_pairs) {
    // Keep the list bounded: replace the lowest-priority pair not yet checked, if lower.
    auto lowest = std::min_element(pairs_.begin(), pairs_.end(), [](const CandidatePair& a, const CandidatePair& b) {
      const bool a_free = a.state == PairState::kFrozen || a.state == PairState::kWaiting;
      const bool b_free = b.state == PairState::kFrozen || b.state == PairState::kWaiting;
      if (a_free != b_free) return a_free;
      return a.priority < b.priority;
    });
    const bool replaceable = lowest != pairs_.end() &&
                             (lowest->state == PairState::kFrozen || lowest->state == PairState::kWaiting) &&
                             lowest->priority < pair.priority;
    if (!replaceable) return;
    const auto index = static_cast<std::size_t>(lowest - pairs_.begin());
    std::erase(triggered_, index);
    *lowest = std::move(pair);
    return;
  }
  pairs_.push_back(std::move(pair));
}

void Agent::recompute_priorities() {
  for (CandidatePair& pair : pairs_) {
    const std::uint32_t local = local_candidates_[pair.local].priority;
    const std::uint32_t remote = remote_candidates_[pair.remote].priority;
    pair.priority = role_ == Role::kControlling ? pair_priority(local, remote) : pair_priority(remote, local);
  }
}

std::optional<std::size_t> Agent::find_pair(const Path& path) const {
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    if (pair_on(pairs_[i], path.local, path.remote, path.protocol)) return i;
  }
  return std::nullopt;
}

std::uint32_t Agent::peer_reflexive_priority(std::size_t local_index) const {
  const Candidate& local = local_candidates_[local_index];
  const auto local_preference = static_cast<std::uint16_t>((local.priority >> 8) & 0xffff);
  return candidate_priority(CandidateType::kPeerReflexive, local_preference, local.component, local.protocol);
}

void Agent::enqueue_triggered(std::size_t pair_index, bool nomination) {
  const auto queued = std::find(triggered_.begin(), triggered_.end(), pair_index);
  if (nomination && queued != triggered_.end()) triggered_.erase(queued);
  if (nomination) {
    triggered_.push_front(pair_index);
  } else if (queued == triggered_.end()) {
    triggered_.push_back(pair_index);
  }
  if (can_check()) next_check_at_ = std::min(next_check_at_, now_);
}

void Agent::send_check(Instant now, std::size_t pair_index) {
  CandidatePair& pair = pairs_[pair_index];
  const Candidate& local = local_candidates_[pair.local];
  const Candidate& remote = remote_candidates_[pair.remote];
  const bool nominate = role_ == Role::kControlling && pair.nominating;
  std::uint8_t buffer[kMaxCheckSize];
  const auto request = build_check_request(
      buffer, stun::TransactionId::random(random_),
      {remote_credentials_->ufrag, local_credentials_.ufrag, remote_credentials_->password,
       peer_reflexive_priority(pair.local), role_, tie_breaker_, nominate});
  auto transaction = stun::ClientTransaction::start(*request, config_.check_transaction, now);
  pair.transaction.emplace(std::move(transaction).value());
  pair.transaction_nominates = nominate;
  if (pair.state != PairState::kSucceeded) pair.state = PairState::kInProgress;
  RTC_LOG(kTrace, "ice") << (nominate ? "nominating check " : "check ") << local.to_string() << " -> " << remote.to_string();
  if (transmit_check(pair)) ++stats_.checks_sent;
}

bool Agent::remote_answered(std::size_t remote_index) const {
  return std::any_of(pairs_.begin(), pairs_.end(), [&](const CandidatePair& p) {
    return p.remote == remote_index && (p.peer_checked || p.state == PairState::kSucceeded);
  });
}

bool Agent::transmit_check(CandidatePair& pair) {
  const Path path = path_of(pair);
  std::optional<bool> answered;  // asked only when a transmission is due (most wake-ups have none)
  while (auto datagram = pair.transaction->poll_transmit()) {
    if (!answered) answered = remote_answered(pair.remote);
    if (!*answered) {
      if (stats_.unanswered_bytes + datagram->size() > config_.max_unanswered_bytes) {
        // Withheld: the pair fails as if the check had timed out.
        ++stats_.checks_withheld;
        pair.transaction.reset();
        pair.state = PairState::kFailed;
        pair.nominating = false;
        return false;
      }
      stats_.unanswered_bytes += datagram->size();
    }
    ++pair.counters.requests_sent;
    transmit(path, *datagram);
  }
  return true;
}

void Agent::pace(Instant now) {
  std::optional<std::size_t> next;
  while (!triggered_.empty() && !next) {
    const std::size_t candidate = triggered_.front();
    triggered_.pop_front();
    const CandidatePair& pair = pairs_[candidate];
    const bool wanted = pair.state != PairState::kSucceeded || (pair.nominating && !pair.nominated);
    if (wanted && !pair.transaction) next = candidate;
  }
  auto best_in = [&](PairState state) -> std::optional<std::size_t> {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      if (pairs_[i].state == state && (!best || pairs_[i].priority > pairs_[*best].priority)) best = i;
    }
    return best;
  };
  if (!next) next = best_in(PairState::kWaiting);
  if (!next) {
    next = best_in(PairState::kFrozen);
    if (next) pairs_[*next].state = PairState::kWaiting;
  }
  if (next) {
    send_check(now, *next);
    next_check_at_ = now + config_.ta;
  } else {
    next_check_at_ = Instant::max();  // woken again by new pairs or triggered checks
  }
}

void Agent::maybe_nominate(Instant now) {
  if (role_ != Role::kControlling || closed_) return;
  for (const CandidatePair& pair : pairs_) {
    if (pair.nominated || pair.nominating) return;
  }
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    if (pairs_[i].state == PairState::kSucceeded && (!best || pairs_[i].priority > pairs_[*best].priority)) best = i;
  }
  if (!best) return;
  const bool better_pending = std::any_of(pairs_.begin(), pairs_.end(), [&](const CandidatePair& pair) {
    return is_pending(pair.state) && pair.priority > pairs_[*best].priority;
  });
  if (better_pending && first_valid_at_ && now < *first_valid_at_ + config_.nomination_delay) return;
  pairs_[*best].nominating = true;
  RTC_LOG(kDebug, "ice") << "nominating " << local_candidates_[pairs_[*best].local].to_string() << " -> "
                         << remote_candidates_[pairs_[*best].remote].to_string();
  enqueue_triggered(*best, true);
}

void Agent::maybe_switch_path(Instant now) {
  if (!selected_ || closed_ || config_.mode == Mode::kLite) return;
  const bool nominating = std::any_of(pairs_.begin(), pairs_.end(),
                                      [](const CandidatePair& pair) { return pair.nominating && !pair.nominated; });
  if (nominating) return;     // a nomination (one that replaces it, maybe) is on its way
  switching_from_.reset();    // a replacement whose nomination failed: look again
  const CandidatePair& current = pairs_[*selected_];
  // Only a path that has gone quiet and let an answer to our consent checks (every 4-6 s)
  // become overdue: a peer that merely pings a backup pair moves nothing.
  const base::Duration overdue = config_.consent_interval * 6 / 5 + base::Duration::seconds(1);
  if (now - current.last_received < config_.switch_after || now - last_consent_at_ < overdue) return;
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    const CandidatePair& pair = pairs_[i];
    if (i == *selected_ || pair.state != PairState::kSucceeded || now - pair.last_received >= config_.switch_after) continue;
    if (!best || pair.priority > pairs_[*best].priority) best = i;
  }
  if (!best) return;
  RTC_LOG(kInfo, "ice") << "nothing from " << remote_candidates_[current.remote].to_string() << " for "
                        << (now - current.last_received).as_seconds() << " s; moving to "
                        << local_candidates_[pairs_[*best].local].to_string() << " -> "
                        << remote_candidates_[pairs_[*best].remote].to_string();
  switching_from_ = *selected_;
  if (role_ == Role::kControlling) {
    // The peer learns of the move from the nomination; the old pair stays in use until it succeeds.
    pairs_[*best].nominating = true;
    enqueue_triggered(*best, true);
  } else {
    // The controlling peer nominates what it sees working; here the pair it uses is followed.
    pairs_[*best].nominated = true;
    finish_switch();
  }
}

void Agent::finish_switch() {
  CandidatePair& old = pairs_[*switching_from_];
  old.state = PairState::kFailed;
  old.nominated = false;
  switching_from_.reset();
  update_selection();
}

void Agent::on_pair_succeeded(Instant now, std::size_t pair_index) {
  CandidatePair& pair = pairs_[pair_index];
  pair.state = PairState::kSucceeded;
  pair.last_received = now;
  if (pair.transaction_nominates || pair.remote_nominated) pair.nominated = true;
  if (pair.nominated && switching_from_ && *switching_from_ != pair_index) {
    finish_switch();
    return;
  }
  const std::string foundation = pair_foundation(pair);
  for (CandidatePair& other : pairs_) {
    if (other.state == PairState::kFrozen && pair_foundation(other) == foundation) other.state = PairState::kWaiting;
  }
  if (!first_valid_at_) first_valid_at_ = now;
  update_selection();
  maybe_switch_path(now);
}

void Agent::update_selection() {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    const CandidatePair& pair = pairs_[i];
    if (pair.nominated && pair.state == PairState::kSucceeded && (!best || pair.priority > pairs_[*best].priority)) {
      best = i;
    }
  }
  // A selected pair that failed (its path broke) gives way to the next nominated one, or
  // to none: the connection is then disconnected until another pair is nominated.
  if (best != selected_) {
    selected_ = best;
    consent_transaction_.reset();
    if (best) {
      previous_pair_.reset();  // a restart, if any, is over
      // The check that made the pair valid is the first proof of consent.
      last_consent_at_ = now_;
      // A lite agent sends no checks; the full peer's consent checks refresh it instead.
      next_consent_at_ = config_.mode == Mode::kFull ? now_ + jittered_consent_interval() : Instant::max();
      RTC_LOG(kDebug, "ice") << "selected " << local_candidates_[pairs_[*best].local].to_string() << " -> "
                             << remote_candidates_[pairs_[*best].remote].to_string();
      emit(SelectedPairEvent{local_candidates_[pairs_[*best].local], remote_candidates_[pairs_[*best].remote]});
    } else {
      next_consent_at_ = Instant::max();
    }
  }
  update_connection_state();
}

std::optional<SelectedPairEvent> Agent::selected_pair() const {
  if (!selected_) return previous_pair_;
  return SelectedPairEvent{local_candidates_[pairs_[*selected_].local], remote_candidates_[pairs_[*selected_].remote]};
}

void Agent::set_connection_state(ConnectionState state) {
  if (state == connection_state_) return;
  // W3C order: a connection is reported connected before it is completed.
  if (state == ConnectionState::kCompleted && connection_state_ == ConnectionState::kChecking) {
    connection_state_ = ConnectionState::kConnected;
    emit(ConnectionStateEvent{connection_state_});
  }
  connection_state_ = state;
  RTC_LOG(kDebug, "ice") << "connection state " << to_string(state);
  emit(ConnectionStateEvent{state});
}

std::optional<Instant> Agent::give_up_at() const {
  if (selected_ || previous_pair_ || consent_expired_ || config_.mode == Mode::kLite || !can_check() ||
      gathering_state_ != GatheringState::kComplete || !triggered_.empty()) {
    return std::nullopt;
  }
  const bool all_failed = std::all_of(pairs_.begin(), pairs_.end(), [](const CandidatePair& p) {
    return p.state == PairState::kFailed && !p.transaction;
  });
  if (!all_failed) return std::nullopt;
  return remote_end_of_candidates_ ? Instant{} : last_remote_candidate_at_ + config_.failed_after_all_pairs_failed;
}

void Agent::update_connection_state() {
  if (closed_) return;
  if (!selected_ && previous_pair_) {
    // Restarting: the old pair still carries data, until its last consent is too old.
    if (now_ - last_consent_at_ >= config_.disconnected_after) set_connection_state(ConnectionState::kDisconnected);
    return;
  }
  const bool any_pending = !triggered_.empty() || std::any_of(pairs_.begin(), pairs_.end(), [](const CandidatePair& p) {
    return is_pending(p.state);
  });
  if (selected_) {
    if (now_ - last_consent_at_ >= config_.disconnected_after) {
      set_connection_state(ConnectionState::kDisconnected);
      return;
    }
    // A lite agent checks nothing itself: the nominated pair is all there is to complete.
    const bool done = config_.mode == Mode::kLite ||
                      (!any_pending && remote_end_of_candidates_ && gathering_state_ == GatheringState::kComplete);
    set_connection_state(done ? ConnectionState::kCompleted : ConnectionState::kConnected);
    return;
  }
  if (consent_expired_) {
    // Failed for good: without an ICE restart no pair may carry data again.
    set_connection_state(ConnectionState::kFailed);
    return;
  }
  if (config_.mode == Mode::kLite) {
    const bool checked = std::any_of(pairs_.begin(), pairs_.end(), [](const CandidatePair& p) { return p.peer_checked; });
    if (connection_state_ == ConnectionState::kConnected || connection_state_ == ConnectionState::kCompleted ||
        connection_state_ == ConnectionState::kDisconnected) {
      set_connection_state(ConnectionState::kDisconnected);
    } else if (checked) {
      set_connection_state(ConnectionState::kChecking);
    }
    return;
  }
  if (!can_check() || gathering_state_ == GatheringState::kNew) return;
  if (const auto give_up = give_up_at(); give_up && now_ >= *give_up) {
    set_connection_state(ConnectionState::kFailed);
  } else if (connection_state_ == ConnectionState::kConnected || connection_state_ == ConnectionState::kCompleted ||
             connection_state_ == ConnectionState::kDisconnected) {
    set_connection_state(ConnectionState::kDisconnected);
  } else {
    set_connection_state(ConnectionState::kChecking);
  }
}

bool Agent::request_authenticated(const SocketAddress& remote, const stun::StunMessage& request) {
  const auto username = request.username();
  const std::string& ufrag = local_credentials_.ufrag;
  if (username && username->size() > ufrag.size() && username->substr(0, ufrag.size()) == ufrag &&
      (*username)[ufrag.size()] == ':' && request.verify_message_integrity(base::as_bytes(local_credentials_.password)) &&
      request.priority()) {
    return true;
  }
  ++stats_.dropped_bad_credentials;
  // Neither password nor integrity value in the log: the USERNAME is public.
  RTC_LOG(kDebug, "ice") << "dropped a Binding request from " << remote << " (USERNAME \""
                         << username.value_or("") << "\"): wrong username, integrity or no PRIORITY";
  return false;
}

bool Agent::answered_role_conflict(const Path& path, const stun::StunMessage& request) {
  // RFC 8445 §7.3.1.1: the larger tie-breaker keeps or takes control. A lite agent is
  // controlled whatever happens; its full peer must adapt.
  const auto their_controlling = request.ice_controlling();
  const auto their_controlled = config_.mode == Mode::kLite ? std::nullopt : request.ice_controlled();
  const bool conflict = (role_ == Role::kControlling && their_controlling) || (role_ == Role::kControlled && their_controlled);
  if (!conflict) return false;
  ++stats_.role_conflicts;
  const bool we_win = role_ == Role::kControlling ? tie_breaker_ >= *their_controlling : tie_breaker_ < *their_controlled;
  if (we_win) {
    // We keep our role; the peer is told to switch (487).
    std::uint8_t buffer[kMaxCheckSize];
    transmit(path, *build_check_error(buffer, request.transaction_id(), 487, "Role Conflict",
                                      local_credentials_.password));
    return true;
  }
  role_ = role_ == Role::kControlling ? Role::kControlled : Role::kControlling;
  recompute_priorities();
  emit(RoleChangeEvent{role_});
  return false;
}

void Agent::learn_peer_reflexive(std::size_t local_index, const SocketAddress& remote, std::uint32_t priority) {
  // A source we do not know is a peer-reflexive candidate (RFC 8445 §7.3.1.3). Over TCP
  // it is the peer's end of a connection to our passive candidate: an active one (RFC
  // 6544 §7.2.1).
  const base::TransportProtocol protocol = local_candidates_[local_index].protocol;
  const bool known = std::any_of(remote_candidates_.begin(), remote_candidates_.end(),
                                 [&](const Candidate& c) { return c.address == remote && c.protocol == protocol; });
  if (known) return;
  if (remote_candidates_.size() >= config_.max_remote_candidates) {
    ++stats_.dropped_candidates;
    return;
  }
  Candidate candidate;
  candidate.type = CandidateType::kPeerReflexive;
  candidate.address = remote;
  candidate.base = remote;
  candidate.priority = priority;
  candidate.protocol = protocol;
  candidate.tcp_type = TcpType::kActive;
  candidate.foundation = "prflx" + std::to_string(next_remote_foundation_++);
  remote_candidates_.push_back(std::move(candidate));
  last_remote_candidate_at_ = now_;
  add_pair(local_index, remote_candidates_.size() - 1);
}

void Agent::on_peer_check(std::size_t pair_index, bool use_candidate) {
  CandidatePair& pair = pairs_[pair_index];
  pair.peer_checked = true;
  pair.last_received = now_;
  if (use_candidate && role_ == Role::kControlled) pair.remote_nominated = true;
  if (config_.mode == Mode::kLite) {
    // RFC 8445 §7.3.1.5: a check that arrives is the lite agent's proof of the pair; the
    // peer's later checks on the selected pair are its consent.
    if (selected_ && *selected_ == pair_index) last_consent_at_ = now_;
    if (pair.remote_nominated) {
      pair.state = PairState::kSucceeded;
      pair.nominated = true;
      update_selection();
    }
  } else if (pair.state == PairState::kSucceeded) {
    if (pair.remote_nominated && !pair.nominated) {
      pair.nominated = true;
      update_selection();
    }
  } else if (pair.state != PairState::kInProgress) {
    pair.state = PairState::kWaiting;
    enqueue_triggered(pair_index);
  }
  update_connection_state();
}

Received Agent::handle_request(const Path& path, const stun::StunMessage& request) {
  const SocketAddress& remote = path.remote;
  ++stats_.requests_received;
  if (!request_authenticated(remote, request)) return Received::kDropped;
  std::optional<std::size_t> local_index;
  for (std::size_t i = 0; i < local_candidates_.size() && !local_index; ++i) {
    if (pairs_with(local_candidates_[i]) && local_candidates_[i].based_at(path.local, path.protocol)) local_index = i;
  }
  if (!local_index) {
    ++stats_.dropped_stranger;
    return Received::kDropped;
  }
  if (answered_role_conflict(path, request)) return Received::kStun;
  std::uint8_t buffer[kMaxCheckSize];
  transmit(path, *build_check_success(buffer, request.transaction_id(), remote, local_credentials_.password));
  learn_peer_reflexive(*local_index, remote, *request.priority());
  // Without a pair (the list is full of better ones) the answer was all there was to do.
  if (const auto pair_index = find_pair(path)) {
    ++pairs_[*pair_index].counters.requests_received;
    ++pairs_[*pair_index].counters.responses_sent;
    on_peer_check(*pair_index, request.use_candidate());
  }
  return Received::kStun;
}

Received Agent::handle_consent_response(Instant now, const Path& path, const stun::StunMessage& response) {
  CandidatePair& pair = pairs_[*selected_];
  if (!response.verify_message_integrity(base::as_bytes(remote_credentials_->password)) ||
      !consent_transaction_->handle_response(now, response)) {
    ++stats_.dropped_bad_credentials;
    return Received::kDropped;
  }
  const auto rtt = consent_transaction_->rtt();
  consent_transaction_.reset();
  if (response.cls() == stun::StunClass::kSuccessResponse && pair_on(pair, path.local, path.remote, path.protocol)) {
    last_consent_at_ = now;
    pair.last_received = now;
    ++pair.counters.responses_received;
    pair.counters.note_round_trip(rtt);
    update_connection_state();
  }
  return Received::kStun;
}

void Agent::learn_local_peer_reflexive(std::size_t local_index, const SocketAddress& mapped) {
  // Over TCP the peer sees the port the kernel gave our connection: no candidate anyone
  // could connect to.
  if (local_candidates_[local_index].protocol == base::TransportProtocol::kTcp) return;
  const bool known = std::any_of(local_candidates_.begin(), local_candidates_.end(),
                                 [&](const Candidate& c) { return c.address == mapped; });
  if (known) return;
  // Our address as the peer sees it is new: a local peer-reflexive candidate (§7.2.5.3.1).
  const SocketAddress base = local_candidates_[local_index].base;
  Candidate candidate;
  candidate.type = CandidateType::kPeerReflexive;
  candidate.address = mapped;
  candidate.base = base;
  candidate.priority = peer_reflexive_priority(local_index);
  candidate.foundation = candidate_foundation(CandidateType::kPeerReflexive, base.ip(), std::nullopt);
  candidate.related_address = base;
  local_candidates_.push_back(std::move(candidate));
}

Received Agent::handle_response(Instant now, const Path& path, const stun::StunMessage& response) {
  ++stats_.responses_received;
  if (path.protocol == base::TransportProtocol::kUdp && handle_gathering_response(path.remote, response, now)) {
    return Received::kStun;
  }
  if (consent_transaction_ && consent_transaction_->id() == response.transaction_id()) {
    return handle_consent_response(now, path, response);
  }
  std::optional<std::size_t> pair_index;
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    if (pairs_[i].transaction && pairs_[i].transaction->id() == response.transaction_id()) pair_index = i;
  }
  if (!pair_index) {
    ++stats_.dropped_unknown_transaction;
    return Received::kDropped;
  }
  CandidatePair& pair = pairs_[*pair_index];
  if (!response.verify_message_integrity(base::as_bytes(remote_credentials_->password)) ||
      !pair.transaction->handle_response(now, response)) {
    ++stats_.dropped_bad_credentials;
    return Received::kDropped;
  }
  const bool nominating = pair.transaction_nominates;
  const auto rtt = pair.transaction->rtt();
  pair.transaction.reset();
  // Responses must come back on the path the request took (RFC 8445 §7.2.5.2.1).
  if (!pair_on(pair, path.local, path.remote, path.protocol)) {
    pair.state = PairState::kFailed;
    update_selection();
    return Received::kStun;
  }
  ++pair.counters.responses_received;
  pair.counters.note_round_trip(rtt);
  if (response.cls() == stun::StunClass::kErrorResponse) {
    if (response.error_code() && response.error_code()->code == 487) {
      ++stats_.role_conflicts;
      role_ = role_ == Role::kControlling ? Role::kControlled : Role::kControlling;
      recompute_priorities();
      emit(RoleChangeEvent{role_});
      if (pair.state != PairState::kSucceeded) pair.state = PairState::kWaiting;
      enqueue_triggered(*pair_index);
    } else {
      pair.state = PairState::kFailed;
    }
    update_selection();
    return Received::kStun;
  }
  const auto mapped = response.xor_mapped_address();
  if (!mapped) {
    pair.state = PairState::kFailed;
    update_selection();
    return Received::kStun;
  }
  learn_local_peer_reflexive(pair.local, *mapped);
  pair.transaction_nominates = nominating;
  on_pair_succeeded(now, *pair_index);
  pair.transaction_nominates = false;
  maybe_nominate(now);
  return Received::kStun;
}

}  // namespace rtcstack::ice
