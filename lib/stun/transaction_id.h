// The 96-bit STUN transaction id (RFC 8489 §6): chosen uniformly at random by the client,
// it matches responses to requests.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>

#include "base/random.h"

namespace rtcstack::stun {

struct TransactionId {
  std::array<std::uint8_t, 12> bytes{};

  /// A fresh id from `random` (use a CryptoRandom in production: ids must be unguessable).
  static TransactionId random(base::Random& random);

  /// 24 lower-case hex digits.
  std::string to_string() const;

  friend auto operator<=>(const TransactionId&, const TransactionId&) = default;
};

}  // namespace rtcstack::stun
