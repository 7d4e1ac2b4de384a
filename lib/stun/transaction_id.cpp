#include "stun/transaction_id.h"

#include "base/hex.h"

namespace rtcstack::stun {

TransactionId TransactionId::random(base::Random& random) {
  TransactionId id;
  random.fill(id.bytes);
  return id;
}

std::string TransactionId::to_string() const { return base::to_hex(bytes); }

}  // namespace rtcstack::stun
