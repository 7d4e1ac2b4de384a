#include "base/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rtcstack::base {

std::uint64_t Random::next_u64() {
  std::uint8_t bytes[8];
  fill(bytes);
  std::uint64_t value;
  std::memcpy(&value, bytes, sizeof value);
  return value;
}

std::uint64_t Random::uniform(std::uint64_t bound) {
  if (bound <= 1) return 0;
  // Reject the top sliver of the 64-bit range that would make some residues more likely.
  const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
  std::uint64_t value;
  do {
    value = next_u64();
  } while (value >= limit);
  return value % bound;
}

double Random::unit() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

bool Random::chance(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return unit() < p;
}

void CryptoRandom::fill(MutableByteView out) {
  // RAND_bytes takes an int length; ask in chunks so any span size works.
  while (!out.empty()) {
    const std::size_t chunk = std::min<std::size_t>(out.size(), INT_MAX);
    if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) {
      std::fputs("rtcstack: OpenSSL RAND_bytes failed; refusing to continue\n", stderr);
      std::abort();
    }
    out = out.subspan(chunk);
  }
}

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t rotate_left(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

SeededRandom::SeededRandom(std::uint64_t seed) {
  // SplitMix64 spreads any seed (even 0) into a state that is never all zero.
  for (auto& word : state_) word = splitmix64(seed);
}

std::uint64_t SeededRandom::next_u64() {
  const std::uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

void SeededRandom::fill(MutableByteView out) {
  while (!out.empty()) {
    const std::uint64_t value = next_u64();
    const std::size_t n = std::min(out.size(), sizeof value);
    std::memcpy(out.data(), &value, n);
    out = out.subspan(n);
  }
}

}  // namespace rtcstack::base
