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

bool is_pending(PairState state) {
  return state == PairState::kFrozen || state == PairState::kWaiting || state == PairState::kInProgress;
}

}  // namespace

Agent::Agent(AgentConfig config, base::Random& random)
    : config_(std::move(config)),
      random_(random),
      local_credentials_(config_.credentials),
      role_(config_.mode == Mode::kLite ? Role::kControlled : config_.role),
      tie_breaker_(random.next_u64()) {
  if (local_credentials_.ufrag.empty()) local_credentials_.ufrag = random_ice_string(random_, 4);
  if (local_credentials_.password.empty()) local_credentials_.password = random_ice_string(random_, 24);
}

void Agent::start_gathering(Instant now) {
  now_ = now;
  if (gathering_state_ != GatheringState::kNew || closed_) return;
  gathering_state_ = GatheringState::kGathering;
  emit(GatheringStateEvent{gathering_state_});
  for (std::size_t i = 0; i < config_.host_addresses.size(); ++i) {
    const SocketAddress& address = config_.host_addresses[i];
    const bool duplicate = std::any_of(local_candidates_.begin(), local_candidates_.end(),
                                       [&](const Candidate& c) { return c.address == address; });
    if (duplicate || (address.ip().is_loopback() && !config_.allow_loopback)) continue;
    // RFC 8421: prefer IPv6; every address gets its own local preference.
    const auto local_preference = static_cast<std::uint16_t>((address.ip().is_v6() ? 65535 : 32767) - i);
    Candidate candidate;
    candidate.type = CandidateType::kHost;
    candidate.address = address;
    candidate.base = address;
    candidate.priority = candidate_priority(CandidateType::kHost, local_preference, 1);
    candidate.foundation = candidate_foundation(CandidateType::kHost, address.ip(), std::nullopt);
    local_candidates_.push_back(candidate);
    if (!pairs_with(candidate)) continue;  // relay-only: the host stays private
    emit(LocalCandidateEvent{candidate});
    for (std::size_t r = 0; r < remote_candidates_.size(); ++r) add_pair(local_candidates_.size() - 1, r);
  }
  // A lite agent has host candidates only (RFC 8445 §5.1.1); relay-only asks no STUN server.
  const bool lite = config_.mode == Mode::kLite;
  const std::size_t hosts = lite || config_.policy == AgentConfig::TransportPolicy::kRelay ? 0 : local_candidates_.size();
  for (std::size_t host = 0; host < hosts; ++host) {
    for (const SocketAddress& server : config_.stun_servers) {
      if (server.family() != local_candidates_[host].address.family()) continue;
      std::uint8_t buffer[64];
      stun::MessageBuilder builder(buffer, {stun::StunMethod::kBinding, stun::StunClass::kRequest},
                                   stun::TransactionId::random(random_));
      builder.add_fingerprint();
      auto transaction = stun::ClientTransaction::start(*builder.finish(), config_.gathering_transaction, now);
      server_queries_.push_back({host, server, std::move(transaction).value()});
      while (auto datagram = server_queries_.back().transaction.poll_transmit()) {
        transmit(local_candidates_[host].base, server, *datagram);
      }
    }
  }
  for (std::size_t host = 0; host < local_candidates_.size() && !lite; ++host) {
    for (const TurnServer& server : config_.turn_servers) {
      const SocketAddress& base = local_candidates_[host].base;
      if (server.address.family() != base.family()) continue;
      // After a restart the allocation is kept: it may carry the old pair's data.
      const bool exists = std::any_of(relays_.begin(), relays_.end(), [&](const Relay& r) {
        return r.client.local() == base && r.client.server().address == server.address;
      });
      if (exists) continue;
      relays_.push_back({TurnClient(base, server, random_, config_.check_transaction), std::nullopt});
      relays_.back().client.start(now);
    }
  }
  poll_relays(now);
  finish_gathering_if_done();
  if (can_check()) next_check_at_ = std::min(next_check_at_, now);
  update_connection_state();
}

bool Agent::pairs_with(const Candidate& local) const {
  if (local.type == CandidateType::kRelayed) return true;
  return local.type == CandidateType::kHost && config_.policy == AgentConfig::TransportPolicy::kAll;
}

void Agent::poll_relays(Instant now) {
  for (Relay& relay : relays_) {
    while (auto datagram = relay.client.poll_transmit()) {
      outputs_.emplace_back(Transmit{relay.client.local(), relay.client.server().address, std::move(*datagram)});
    }
    if (relay.client.state() == TurnState::kFailed && !relay.failure_reported && relay.client.error()) {
      relay.failure_reported = true;
      emit(TurnErrorEvent{relay.client.server().address, *relay.client.error()});
    }
    if (relay.candidate || relay.client.state() != TurnState::kAllocated || gathering_state_ == GatheringState::kNew) {
      continue;
    }
    const auto host = std::find_if(local_candidates_.begin(), local_candidates_.end(), [&](const Candidate& c) {
      return c.type == CandidateType::kHost && c.base == relay.client.local();
    });
    if (host == local_candidates_.end()) continue;
    const auto local_preference = static_cast<std::uint16_t>((host->priority >> 8) & 0xffff);
    const SocketAddress server = relay.client.server().address;
    const SocketAddress host_base = host->base;
    // The allocation's mapped address is a server-reflexive candidate for free.
    const auto mapped = relay.client.mapped_address();
    if (mapped && *mapped != host_base && config_.policy == AgentConfig::TransportPolicy::kAll &&
        std::none_of(local_candidates_.begin(), local_candidates_.end(), [&](const Candidate& c) { return c.address == *mapped; })) {
      Candidate srflx;
      srflx.type = CandidateType::kServerReflexive;
      srflx.address = *mapped;
      srflx.base = host_base;
      srflx.priority = candidate_priority(CandidateType::kServerReflexive, local_preference, 1);
      srflx.foundation = candidate_foundation(CandidateType::kServerReflexive, host_base.ip(), server);
      srflx.related_address = host_base;
      local_candidates_.push_back(srflx);
      emit(LocalCandidateEvent{std::move(srflx)});
    }
    Candidate relayed;
    relayed.type = CandidateType::kRelayed;
    relayed.address = *relay.client.relayed_address();
    relayed.base = relayed.address;  // a relayed candidate is its own base (RFC 8445 §5.1.1.2)
    relayed.priority = candidate_priority(CandidateType::kRelayed, local_preference, 1);
    relayed.foundation = candidate_foundation(CandidateType::kRelayed, host_base.ip(), server);
    relayed.related_address = mapped;
    local_candidates_.push_back(relayed);
    relay.candidate = local_candidates_.size() - 1;
    emit(LocalCandidateEvent{relayed});
    for (std::size_t r = 0; r < remote_candidates_.size(); ++r) add_pair(*relay.candidate, r);
    if (can_check()) next_check_at_ = std::min(next_check_at_, now);
  }
  finish_gathering_if_done();
}

ReceiveResult Agent::handle_from_turn(Instant now, std::size_t relay_index, base::ByteView datagram) {
  auto data = relays_[relay_index].client.handle_receive(now, datagram);
  poll_relays(now);
  if (!data) return {Received::kStun, {}};
  const auto relayed = relays_[relay_index].client.relayed_address();
  // What the peer sent to our relayed address, as if it had arrived there directly.
  return handle_receive(now, *relayed, data->peer, data->data);
}

base::Result<void> Agent::send(base::ByteView data) {
  const auto pair = selected_pair();
  if (!can_send() || !pair) {
    return base::make_error(base::ErrorCode::kWrongState, "ICE: no selected pair (or consent expired)");
  }
  transmit(pair->local.base, pair->remote.address, data);
  return {};
}

void Agent::finish_gathering_if_done() {
  const bool relays_pending = std::any_of(relays_.begin(), relays_.end(), [](const Relay& r) {
    return r.client.state() == TurnState::kNew || r.client.state() == TurnState::kAllocating;
  });
  if (gathering_state_ != GatheringState::kGathering || !server_queries_.empty() || relays_pending) return;
  gathering_state_ = GatheringState::kComplete;
  emit(GatheringStateEvent{gathering_state_});
}

bool Agent::handle_gathering_response(const SocketAddress& remote, const stun::StunMessage& response,
                                      Instant now) {
  const auto query = std::find_if(server_queries_.begin(), server_queries_.end(), [&](const ServerQuery& q) {
    return q.transaction.id() == response.transaction_id();
  });
  if (query == server_queries_.end() || remote != query->server) return false;
  if (!query->transaction.handle_response(now, response)) return false;
  const std::size_t host = query->host;
  const SocketAddress server = query->server;
  server_queries_.erase(query);
  const auto mapped = response.xor_mapped_address();
  const bool is_new = mapped && std::none_of(local_candidates_.begin(), local_candidates_.end(),
                                             [&](const Candidate& c) { return c.address == *mapped; });
  if (response.cls() == stun::StunClass::kSuccessResponse && is_new) {
    const Candidate& base = local_candidates_[host];
    Candidate candidate;
    candidate.type = CandidateType::kServerReflexive;
    candidate.address = *mapped;
    candidate.base = base.base;
    candidate.priority = candidate_priority(CandidateType::kServerReflexive,
                                            static_cast<std::uint16_t>((base.priority >> 8) & 0xffff), 1);
    candidate.foundation = candidate_foundation(CandidateType::kServerReflexive, base.base.ip(), server);
    candidate.related_address = base.base;
    local_candidates_.push_back(candidate);
    emit(LocalCandidateEvent{std::move(candidate)});
  }
  finish_gathering_if_done();
  update_connection_state();
  return true;
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
  for (Candidate& known : remote_candidates_) {
    if (known.address != candidate.address) continue;
    if (known.type != CandidateType::kPeerReflexive) {
      return base::make_error(base::ErrorCode::kInvalidArgument,
                              "ICE: remote candidate " + candidate.address.to_string() + " is already known");
    }
    // The peer signalled a candidate we had learned as peer-reflexive: take its data.
    known = std::move(candidate);
    recompute_priorities();
    return {};
  }
  remote_candidates_.push_back(std::move(candidate));
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
  if (local.address.family() != remote.address.family()) return;
  // Redundant when another pair already goes from the same base to the same address.
  if (find_pair(local.base, remote.address)) return;
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

std::optional<std::size_t> Agent::find_pair(const SocketAddress& local, const SocketAddress& remote) const {
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    if (local_candidates_[pairs_[i].local].base == local && remote_candidates_[pairs_[i].remote].address == remote) {
      return i;
    }
  }
  return std::nullopt;
}

std::uint32_t Agent::peer_reflexive_priority(std::size_t local_index) const {
  const Candidate& local = local_candidates_[local_index];
  const auto local_preference = static_cast<std::uint16_t>((local.priority >> 8) & 0xffff);
  return candidate_priority(CandidateType::kPeerReflexive, local_preference, local.component);
}

void Agent::transmit(const SocketAddress& local, const SocketAddress& remote, base::ByteView bytes) {
  for (Relay& relay : relays_) {
    if (relay.client.relayed_address() != local) continue;
    // From a relayed candidate: through the TURN server, binding a channel on first use.
    if (!relay.client.has_channel(remote)) (void)relay.client.add_peer(now_, remote);
    base::Buffer wrapped(bytes.size() + 64);
    const auto framed = relay.client.wrap(remote, bytes, wrapped.mutable_view());
    if (framed) {
      wrapped.resize(framed->size());
      outputs_.emplace_back(Transmit{relay.client.local(), relay.client.server().address, std::move(wrapped)});
    }
    poll_relays(now_);
    return;
  }
  outputs_.emplace_back(Transmit{local, remote, base::Buffer(bytes)});
}

void Agent::enqueue_triggered(std::size_t pair_index) {
  if (std::find(triggered_.begin(), triggered_.end(), pair_index) == triggered_.end()) {
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
  while (auto datagram = pair.transaction->poll_transmit()) transmit(local.base, remote.address, *datagram);
  ++stats_.checks_sent;
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
  enqueue_triggered(*best);
}

void Agent::on_pair_succeeded(Instant now, std::size_t pair_index) {
  CandidatePair& pair = pairs_[pair_index];
  pair.state = PairState::kSucceeded;
  if (pair.transaction_nominates || pair.remote_nominated) pair.nominated = true;
  const std::string foundation = pair_foundation(pair);
  for (CandidatePair& other : pairs_) {
    if (other.state == PairState::kFrozen && pair_foundation(other) == foundation) other.state = PairState::kWaiting;
  }
  if (!first_valid_at_) first_valid_at_ = now;
  update_selection();
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
      emit(SelectedPairEvent{local_candidates_[pairs_[*best].local], remote_candidates_[pairs_[*best].remote]});
    } else {
      next_consent_at_ = Instant::max();
    }
  }
  update_connection_state();
}

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
       peer_reflexive_priority(pair.local), role_, tie_breaker_, false});
  // One transmission per consent check; the next check comes at the next interval.
  stun::TransactionConfig once{config_.check_transaction.rto, 1, 2, config_.check_transaction.rto};
  consent_transaction_.emplace(stun::ClientTransaction::start(*request, once, now).value());
  while (auto datagram = consent_transaction_->poll_transmit()) {
    transmit(local_candidates_[pair.local].base, remote_candidates_[pair.remote].address, *datagram);
  }
}

void Agent::check_consent(Instant now) {
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
  emit(ConnectionStateEvent{state});
}

void Agent::update_connection_state() {
  if (closed_) return;
  if (!selected_ && previous_pair_) return;  // restarting: the old pair still works
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
  const bool all_failed = std::all_of(pairs_.begin(), pairs_.end(), [](const CandidatePair& p) {
    return p.state == PairState::kFailed;
  });
  if (all_failed && !any_pending && remote_end_of_candidates_) {
    set_connection_state(ConnectionState::kFailed);
  } else if (connection_state_ == ConnectionState::kConnected || connection_state_ == ConnectionState::kCompleted ||
             connection_state_ == ConnectionState::kDisconnected) {
    set_connection_state(ConnectionState::kDisconnected);
  } else {
    set_connection_state(ConnectionState::kChecking);
  }
}

ReceiveResult Agent::handle_receive(Instant now, const SocketAddress& local, const SocketAddress& remote,
                                    base::ByteView datagram) {
  now_ = now;
  if (closed_) return {Received::kDropped, {}};
  const bool stun = stun::looks_like_stun(datagram);
  for (std::size_t i = 0; i < relays_.size(); ++i) {
    if (relays_[i].client.local() != local || relays_[i].client.server().address != remote) continue;
    // The TURN server may double as our STUN server: its Binding answers are gathering's.
    if (stun) {
      const auto message = stun::StunMessage::parse(datagram);
      if (message && message->method() == stun::StunMethod::kBinding &&
          handle_gathering_response(remote, *message, now)) {
        return {Received::kStun, {}};
      }
    }
    return handle_from_turn(now, i, datagram);
  }
  if (!stun) {
    if (previous_pair_ && previous_pair_->local.base == local && previous_pair_->remote.address == remote) {
      return {Received::kApplicationData, datagram};
    }
    for (const CandidatePair& pair : pairs_) {
      if ((pair.state == PairState::kSucceeded || pair.peer_checked) &&
          local_candidates_[pair.local].base == local && remote_candidates_[pair.remote].address == remote) {
        return {Received::kApplicationData, datagram};
      }
    }
    ++stats_.dropped_stranger;
    return {Received::kDropped, {}};
  }
  const auto message = stun::StunMessage::parse(datagram);
  if (!message || message->method() != stun::StunMethod::kBinding) {
    ++stats_.dropped_malformed;
    return {Received::kDropped, {}};
  }
  switch (message->cls()) {
    case stun::StunClass::kRequest: return {handle_request(local, remote, *message), {}};
    case stun::StunClass::kSuccessResponse:
    case stun::StunClass::kErrorResponse: return {handle_response(now, local, remote, *message), {}};
    case stun::StunClass::kIndication: return {Received::kStun, {}};  // keepalive: nothing to do
  }
  return {Received::kDropped, {}};
}

Received Agent::handle_request(const SocketAddress& local, const SocketAddress& remote,
                               const stun::StunMessage& request) {
  ++stats_.requests_received;
  const auto username = request.username();
  const std::string& ufrag = local_credentials_.ufrag;
  if (!username || username->size() <= ufrag.size() || username->substr(0, ufrag.size()) != ufrag ||
      (*username)[ufrag.size()] != ':' ||
      !request.verify_message_integrity(base::as_bytes(local_credentials_.password)) || !request.priority()) {
    ++stats_.dropped_bad_credentials;
    return Received::kDropped;
  }
  const auto local_index = [&]() -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < local_candidates_.size(); ++i) {
      if (pairs_with(local_candidates_[i]) && local_candidates_[i].base == local) return i;
    }
    return std::nullopt;
  }();
  if (!local_index) {
    ++stats_.dropped_stranger;
    return Received::kDropped;
  }

  std::uint8_t buffer[kMaxCheckSize];
  // Role conflict (RFC 8445 §7.3.1.1): the larger tie-breaker keeps or takes control. A
  // lite agent is controlled whatever happens; its full peer must adapt.
  const auto their_controlling = request.ice_controlling();
  const auto their_controlled = config_.mode == Mode::kLite ? std::nullopt : request.ice_controlled();
  if (role_ == Role::kControlling && their_controlling) {
    ++stats_.role_conflicts;
    if (tie_breaker_ >= *their_controlling) {
      transmit(local, remote, *build_check_error(buffer, request.transaction_id(), 487, "Role Conflict",
                                                 local_credentials_.password));
      return Received::kStun;
    }
    role_ = Role::kControlled;
    recompute_priorities();
    emit(RoleChangeEvent{role_});
  } else if (role_ == Role::kControlled && their_controlled) {
    ++stats_.role_conflicts;
    if (tie_breaker_ >= *their_controlled) {
      role_ = Role::kControlling;
      recompute_priorities();
      emit(RoleChangeEvent{role_});
    } else {
      transmit(local, remote, *build_check_error(buffer, request.transaction_id(), 487, "Role Conflict",
                                                 local_credentials_.password));
      return Received::kStun;
    }
  }
  transmit(local, remote, *build_check_success(buffer, request.transaction_id(), remote, local_credentials_.password));

  // A source we do not know is a peer-reflexive candidate (RFC 8445 §7.3.1.3).
  const bool known = std::any_of(remote_candidates_.begin(), remote_candidates_.end(),
                                 [&](const Candidate& c) { return c.address == remote; });
  if (!known) {
    Candidate candidate;
    candidate.type = CandidateType::kPeerReflexive;
    candidate.address = remote;
    candidate.base = remote;
    candidate.priority = *request.priority();
    candidate.foundation = "prflx" + std::to_string(next_remote_foundation_++);
    remote_candidates_.push_back(std::move(candidate));
    add_pair(*local_index, remote_candidates_.size() - 1);
  }
  const auto pair_index = find_pair(local, remote);
  if (!pair_index) return Received::kStun;  // the list is full of better pairs
  CandidatePair& pair = pairs_[*pair_index];
  pair.peer_checked = true;
  if (request.use_candidate() && role_ == Role::kControlled) pair.remote_nominated = true;
  if (config_.mode == Mode::kLite) {
    // RFC 8445 §7.3.1.5: a check that arrives is the lite agent's proof of the pair; the
    // peer's later checks on the selected pair are its consent.
    if (selected_ && *selected_ == *pair_index) last_consent_at_ = now_;
    if (pair.remote_nominated) {
      pair.state = PairState::kSucceeded;
      pair.nominated = true;
      update_selection();
    }
    update_connection_state();
    return Received::kStun;
  }
  if (pair.state == PairState::kSucceeded) {
    if (pair.remote_nominated && !pair.nominated) {
      pair.nominated = true;
      update_selection();
    }
  } else if (pair.state != PairState::kInProgress) {
    pair.state = PairState::kWaiting;
    enqueue_triggered(*pair_index);
  }
  update_connection_state();
  return Received::kStun;
}

Received Agent::handle_response(Instant now, const SocketAddress& local, const SocketAddress& remote,
                                const stun::StunMessage& response) {
  ++stats_.responses_received;
  if (handle_gathering_response(remote, response, now)) return Received::kStun;
  if (consent_transaction_ && consent_transaction_->id() == response.transaction_id()) {
    const CandidatePair& pair = pairs_[*selected_];
    if (!response.verify_message_integrity(base::as_bytes(remote_credentials_->password)) ||
        !consent_transaction_->handle_response(now, response)) {
      ++stats_.dropped_bad_credentials;
      return Received::kDropped;
    }
    consent_transaction_.reset();
    if (response.cls() == stun::StunClass::kSuccessResponse && remote == remote_candidates_[pair.remote].address &&
        local == local_candidates_[pair.local].base) {
      last_consent_at_ = now;
      update_connection_state();
    }
    return Received::kStun;
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
  pair.transaction.reset();
  const Candidate& local_candidate = local_candidates_[pair.local];
  // Responses must come back on the path the request took (RFC 8445 §7.2.5.2.1).
  if (remote != remote_candidates_[pair.remote].address || local != local_candidate.base) {
    pair.state = PairState::kFailed;
    update_selection();
    return Received::kStun;
  }
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
  const bool known = std::any_of(local_candidates_.begin(), local_candidates_.end(),
                                 [&](const Candidate& c) { return c.address == *mapped; });
  if (!known) {
    // Our address as the peer sees it is new: a local peer-reflexive candidate (§7.2.5.3.1).
    Candidate candidate;
    candidate.type = CandidateType::kPeerReflexive;
    candidate.address = *mapped;
    candidate.base = local_candidate.base;
    candidate.priority = peer_reflexive_priority(pair.local);
    candidate.foundation = candidate_foundation(CandidateType::kPeerReflexive, local_candidate.base.ip(), std::nullopt);
    candidate.related_address = local_candidate.base;
    local_candidates_.push_back(std::move(candidate));
  }
  pair.transaction_nominates = nominating;
  on_pair_succeeded(now, *pair_index);
  pair.transaction_nominates = false;
  maybe_nominate(now);
  return Received::kStun;
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
      transmit(local_candidates_[query->host].base, query->server, *datagram);
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
    while (auto datagram = pair.transaction->poll_transmit()) {
      transmit(local_candidates_[pair.local].base, remote_candidates_[pair.remote].address, *datagram);
    }
  }
  if (now >= next_check_at_ && can_check()) pace(now);
  maybe_nominate(now);
  update_selection();
  check_consent(now);
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
  if (selected_) {
    Instant consent = std::min(next_consent_at_, last_consent_at_ + config_.consent_expiry);
    if (connection_state_ != ConnectionState::kDisconnected) {
      consent = std::min(consent, last_consent_at_ + config_.disconnected_after);
    }
    if (consent_transaction_) consent = std::min(consent, consent_transaction_->poll_timeout());
    if (consent < timeout.at) timeout = {consent, TimerReason::kConsent};
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
