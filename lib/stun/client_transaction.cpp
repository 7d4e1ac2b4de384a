#include "stun/client_transaction.h"

#include <algorithm>

namespace rtcstack::stun {

base::Result<ClientTransaction> ClientTransaction::start(base::ByteView request,
                                                         TransactionConfig config,
                                                         base::Instant now) {
  auto message = StunMessage::parse(request);
  if (!message) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "transaction request does not parse: " + message.error().message);
  }
  if (message->cls() != StunClass::kRequest) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "a transaction needs a request, not a " +
                                std::string(to_string(message->cls())));
  }
  if (config.rto <= base::Duration::zero() || config.max_transmissions < 1 ||
      config.final_wait_factor < 1 || config.max_interval < config.rto) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "transaction config: RTO must be positive, Rc and Rm at least 1, "
                            "and the interval cap at least the RTO");
  }
  return ClientTransaction(base::Buffer(message->bytes()), message->transaction_id(),
                           message->method(), config, now);
}

ClientTransaction::ClientTransaction(base::Buffer request, const TransactionId& id,
                                     StunMethod method, TransactionConfig config,
                                     base::Instant now)
    : request_(std::move(request)),
      id_(id),
      method_(method),
      config_(config),
      interval_(config.rto),
      first_sent_at_(now),
      next_event_(now + (config.max_transmissions > 1 ? config.rto
                                                      : config.rto * config.final_wait_factor)) {}

std::optional<base::ByteView> ClientTransaction::poll_transmit() {
  if (!pending_ || state_ != TransactionState::kWaiting) return std::nullopt;
  pending_ = false;
  ++sent_;
  return request_.view();
}

base::Instant ClientTransaction::poll_timeout() const {
  return state_ == TransactionState::kWaiting ? next_event_ : base::Instant::max();
}

void ClientTransaction::handle_timeout(base::Instant now) {
  if (state_ != TransactionState::kWaiting || now < next_event_) return;
  if (scheduled_ >= config_.max_transmissions) {
    state_ = TransactionState::kTimedOut;
    pending_ = false;
    return;
  }
  ++scheduled_;
  pending_ = true;
  interval_ = std::min(interval_ * 2, config_.max_interval);
  next_event_ = now + (scheduled_ < config_.max_transmissions
                           ? interval_
                           : config_.rto * config_.final_wait_factor);
}

bool ClientTransaction::handle_response(base::Instant now, const StunMessage& response) {
  if (state_ != TransactionState::kWaiting || response.transaction_id() != id_ ||
      response.method() != method_ ||
      (response.cls() != StunClass::kSuccessResponse && response.cls() != StunClass::kErrorResponse)) {
    return false;
  }
  state_ = TransactionState::kAnswered;
  pending_ = false;
  if (scheduled_ == 1) rtt_ = now - first_sent_at_;
  return true;
}

}  // namespace rtcstack::stun
