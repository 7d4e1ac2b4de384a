// The STUN messages of ICE connectivity checks (RFC 8445 §7.2, §7.3): the Binding request
// a checking agent sends and the responses it gets back, built into caller buffers.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/socket_address.h"
#include "ice/states.h"
#include "stun/transaction_id.h"

namespace rtcstack::ice {

/// Enough for any message below.
inline constexpr std::size_t kMaxCheckSize = 256;

struct CheckRequest {
  std::string_view remote_ufrag;
  std::string_view local_ufrag;
  std::string_view remote_password;  ///< keys MESSAGE-INTEGRITY
  std::uint32_t priority;            ///< of a peer-reflexive candidate from this base
  Role role;
  std::uint64_t tie_breaker;
  bool use_candidate;
};

/// Binding request: USERNAME "remote:local", PRIORITY, ICE-CONTROLLING or ICE-CONTROLLED,
/// USE-CANDIDATE when nominating, MESSAGE-INTEGRITY, FINGERPRINT.
base::Result<base::ByteView> build_check_request(base::MutableByteView out,
                                                 const stun::TransactionId& id,
                                                 const CheckRequest& request);

/// Binding success response carrying the source address seen (XOR-MAPPED-ADDRESS),
/// signed with the local password.
base::Result<base::ByteView> build_check_success(base::MutableByteView out,
                                                 const stun::TransactionId& id,
                                                 const base::SocketAddress& mapped,
                                                 std::string_view local_password);

/// Binding error response (487 Role Conflict, 400 Bad Request, ...), signed with the
/// local password.
base::Result<base::ByteView> build_check_error(base::MutableByteView out,
                                               const stun::TransactionId& id, int code,
                                               std::string_view reason,
                                               std::string_view local_password);

}  // namespace rtcstack::ice
