#include "ice/check_messages.h"

#include <string>

#include "stun/message_builder.h"

namespace rtcstack::ice {

using stun::AttributeType;
using stun::MessageBuilder;
using stun::StunClass;
using stun::StunMethod;

base::Result<base::ByteView> build_check_request(base::MutableByteView out,
                                                 const stun::TransactionId& id,
                                                 const CheckRequest& request) {
  MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kRequest}, id);
  std::string username;
  username.reserve(request.remote_ufrag.size() + 1 + request.local_ufrag.size());
  username.append(request.remote_ufrag).append(1, ':').append(request.local_ufrag);
  builder.add_string(AttributeType::kUsername, username)
      .add_u32(AttributeType::kPriority, request.priority)
      .add_u64(request.role == Role::kControlling ? AttributeType::kIceControlling
                                                  : AttributeType::kIceControlled,
               request.tie_breaker);
  if (request.use_candidate) builder.add_flag(AttributeType::kUseCandidate);
  builder.add_message_integrity(base::as_bytes(request.remote_password)).add_fingerprint();
  return builder.finish();
}

base::Result<base::ByteView> build_check_success(base::MutableByteView out,
                                                 const stun::TransactionId& id,
                                                 const base::SocketAddress& mapped,
                                                 std::string_view local_password) {
  MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kSuccessResponse}, id);
  builder.add_xor_address(AttributeType::kXorMappedAddress, mapped)
      .add_message_integrity(base::as_bytes(local_password))
      .add_fingerprint();
  return builder.finish();
}

base::Result<base::ByteView> build_check_error(base::MutableByteView out,
                                               const stun::TransactionId& id, int code,
                                               std::string_view reason,
                                               std::string_view local_password) {
  MessageBuilder builder(out, {StunMethod::kBinding, StunClass::kErrorResponse}, id);
  builder.add_error_code(code, reason)
      .add_message_integrity(base::as_bytes(local_password))
      .add_fingerprint();
  return builder.finish();
}

}  // namespace rtcstack::ice
