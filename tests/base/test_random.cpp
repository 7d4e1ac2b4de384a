#include <catch2/catch.hpp>

#include <array>
#include <set>

#include "base/random.h"

using rtcstack::base::CryptoRandom;
using rtcstack::base::SeededRandom;

TEST_CASE("SeededRandom is a pure function of its seed", "[base][random]") {
  SeededRandom a(1234);
  SeededRandom b(1234);
  SeededRandom c(1235);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t x = a.next_u64();
    REQUIRE(x == b.next_u64());
    differs = differs || x != c.next_u64();
  }
  CHECK(differs);
}

TEST_CASE("SeededRandom follows the xoshiro256** and SplitMix64 definitions", "[base][random]") {
  // Seed 0 through SplitMix64 gives the state {0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4,
  // 0x06c45d188009454f, 0xf88bb8a8724c81ec} (SplitMix64's well-known first outputs); the
  // values below were computed from the xoshiro256** definition by an independent script.
  // Pinned so that a refactor cannot silently change every simulated trace.
  SeededRandom random(0);
  CHECK(random.next_u64() == 0x99ec5f36cb75f2b4ULL);
  CHECK(random.next_u64() == 0xbf6e1f784956452aULL);
  CHECK(random.next_u64() == 0x1a5f849d4933e6e0ULL);
}

TEST_CASE("fill covers every byte for any length", "[base][random]") {
  SeededRandom random(9);
  for (std::size_t length : {0u, 1u, 7u, 8u, 9u, 33u}) {
    std::array<std::uint8_t, 40> bytes{};
    bytes.fill(0xAA);
    random.fill(std::span(bytes).first(length));
    for (std::size_t i = length; i < bytes.size(); ++i) REQUIRE(bytes[i] == 0xAA);
  }
}

TEST_CASE("uniform stays in range and is roughly flat", "[base][random]") {
  SeededRandom random(5);
  std::array<int, 6> counts{};
  constexpr int kDraws = 60'000;
  for (int i = 0; i < kDraws; ++i) {
    const std::uint64_t value = random.uniform(6);
    REQUIRE(value < 6);
    ++counts[value];
  }
  for (int count : counts) CHECK(count == Approx(kDraws / 6).epsilon(0.05));
  CHECK(random.uniform(1) == 0);
  CHECK(random.uniform(0) == 0);
}

TEST_CASE("unit and chance follow their probabilities", "[base][random]") {
  SeededRandom random(77);
  int hits = 0;
  for (int i = 0; i < 100'000; ++i) {
    const double u = random.unit();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    if (random.chance(0.25)) ++hits;
  }
  CHECK(hits == Approx(25'000).epsilon(0.03));
  CHECK_FALSE(random.chance(0.0));
  CHECK(random.chance(1.0));
}

TEST_CASE("CryptoRandom yields distinct values", "[base][random]") {
  CryptoRandom random;
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(random.next_u64());
  CHECK(seen.size() == 1000);
  std::array<std::uint8_t, 64> a{};
  std::array<std::uint8_t, 64> b{};
  random.fill(a);
  random.fill(b);
  CHECK(a != b);
}
