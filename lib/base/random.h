// Randomness is injected, never global: every core takes a Random& so that production
// uses a CSPRNG and tests replay the same run from a seed.
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.h"

namespace rtcstack::base {

/// A source of random bytes, with helpers for the shapes protocols need.
class Random {
 public:
  virtual ~Random() = default;

  /// Fills `out` with random bytes.
  virtual void fill(MutableByteView out) = 0;

  virtual std::uint64_t next_u64();
  std::uint32_t next_u32() { return static_cast<std::uint32_t>(next_u64() >> 32); }
  /// Uniform in [0, bound), without modulo bias. `bound` must be at least 1.
  std::uint64_t uniform(std::uint64_t bound);
  /// Uniform in [0, 1), with 53 random bits.
  double unit();
  /// True with probability `p` (p <= 0 never, p >= 1 always).
  bool chance(double p);
};

/// Cryptographically secure randomness from OpenSSL's DRBG: ICE credentials,
/// tie-breakers, certificate serials, SCTP verification tags. Use this in production.
class CryptoRandom final : public Random {
 public:
  /// Aborts if OpenSSL cannot produce random bytes: nothing secure could follow.
  void fill(MutableByteView out) override;
};

/// Deterministic randomness from a 64-bit seed (xoshiro256**, seeded through SplitMix64).
/// The same seed gives the same sequence on every machine. For tests and simulations
/// only: it is fast and well distributed, but predictable.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed);

  void fill(MutableByteView out) override;
  std::uint64_t next_u64() override;

 private:
  std::array<std::uint64_t, 4> state_;
};

}  // namespace rtcstack::base
