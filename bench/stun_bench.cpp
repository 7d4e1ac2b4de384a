// STUN on the ICE hot path: a connectivity check as browsers send it (USERNAME,
// GOOG-NETWORK-INFO-like optional attribute, ICE-CONTROLLING, USE-CANDIDATE, PRIORITY,
// MESSAGE-INTEGRITY, FINGERPRINT; 108 bytes). Reports messages per second on one core.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "base/random.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace {

using namespace rtcstack;
using namespace rtcstack::stun;

constexpr std::string_view kPassword = "0tURo7h3swu7L3DN4KgXLW";

struct Check {
  std::uint8_t bytes[256];
  std::size_t size = 0;
};

std::size_t build_check(std::uint8_t* out, std::size_t capacity, const TransactionId& id) {
  static const std::uint8_t kNetworkInfo[] = {0x00, 0x01, 0x00, 0x0a};
  MessageBuilder builder({out, capacity}, {StunMethod::kBinding, StunClass::kRequest}, id);
  builder.add_string(AttributeType::kUsername, "yYZs:Ab3dEfGh")
      .add(static_cast<AttributeType>(0xC057), kNetworkInfo)
      .add_u64(AttributeType::kIceControlling, 0x1234567890abcdefULL)
      .add_flag(AttributeType::kUseCandidate)
      .add_u32(AttributeType::kPriority, 1853824767)
      .add_message_integrity(base::as_bytes(kPassword))
      .add_fingerprint();
  return builder.finish()->size();
}

Check make_check() {
  base::SeededRandom random(1);
  Check check;
  check.size = build_check(check.bytes, sizeof check.bytes, TransactionId::random(random));
  return check;
}

void stun_parse(benchmark::State& state) {
  const Check check = make_check();
  for (auto _ : state) {
    auto message = StunMessage::parse({check.bytes, check.size});
    benchmark::DoNotOptimize(message);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(check.size);
}

void stun_parse_and_verify(benchmark::State& state) {
  const Check check = make_check();
  for (auto _ : state) {
    auto message = StunMessage::parse({check.bytes, check.size});
    auto verified = message->verify_message_integrity(base::as_bytes(kPassword));
    benchmark::DoNotOptimize(verified);
  }
  state.SetItemsProcessed(state.iterations());
}

void stun_build(benchmark::State& state) {
  base::SeededRandom random(2);
  std::uint8_t out[256];
  const TransactionId id = TransactionId::random(random);
  for (auto _ : state) {
    benchmark::DoNotOptimize(build_check(out, sizeof out, id));
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(stun_parse);
BENCHMARK(stun_parse_and_verify);
BENCHMARK(stun_build);
