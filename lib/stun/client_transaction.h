// A sans-IO STUN client transaction over UDP (RFC 8489 §6.2.1): it holds the request,
// says when to (re)send it, matches the response by transaction id and reports a timeout
// as an outcome. Retransmissions start after RTO and double each time; after Rc
// transmissions it waits Rm times the initial RTO for a last chance. With the defaults
// (RTO 500 ms, Rc 7, Rm 16) requests go out at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s and
// the transaction times out at 39.5 s.
//
// Drive it like every core: after construction and after each handle_timeout(), send
// what poll_transmit() returns; call handle_timeout() at poll_timeout().
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "stun/transaction_config.h"
#include "stun/message.h"
#include "stun/transaction_id.h"

namespace rtcstack::stun {

enum class TransactionState : std::uint8_t { kWaiting, kAnswered, kTimedOut };

class ClientTransaction {
 public:
  /// Starts a transaction for `request`, which must be a STUN request (its id and method
  /// are taken from it). The first transmission is due at once. kInvalidArgument when
  /// `request` is not a parseable request or `config` is out of range.
  static base::Result<ClientTransaction> start(base::ByteView request, TransactionConfig config,
                                               base::Instant now);

  const TransactionId& id() const { return id_; }
  StunMethod method() const { return method_; }
  TransactionState state() const { return state_; }

  /// The request, once for each transmission that is due; std::nullopt otherwise.
  std::optional<base::ByteView> poll_transmit();
  /// When handle_timeout() should next run; Instant::max() once finished.
  base::Instant poll_timeout() const;
  void handle_timeout(base::Instant now);

  /// Offers a received message. Returns true when it is the response to this request
  /// (same transaction id and method, success or error class) and the transaction was
  /// still waiting; it is then answered. Anything else changes nothing.
  bool handle_response(base::Instant now, const StunMessage& response);

  /// Transmissions so far (counting only those taken with poll_transmit()).
  int transmissions() const { return sent_; }
  /// Round-trip time, when answered after exactly one transmission (Karn's rule: with
  /// retransmissions, which one was answered is unknown).
  std::optional<base::Duration> rtt() const { return rtt_; }

 private:
  ClientTransaction(base::Buffer request, const TransactionId& id, StunMethod method,
                    TransactionConfig config, base::Instant now);

  base::Buffer request_;
  TransactionId id_;
  StunMethod method_;
  TransactionConfig config_;
  TransactionState state_ = TransactionState::kWaiting;
  int scheduled_ = 1;  // transmissions decided so far, the pending one included
  int sent_ = 0;
  bool pending_ = true;
  base::Duration interval_;
  base::Instant first_sent_at_;
  base::Instant next_event_;
  std::optional<base::Duration> rtt_;
};

}  // namespace rtcstack::stun
