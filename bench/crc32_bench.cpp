// Checksum throughput at the sizes that matter: a STUN binding request (~100 B), a
// full-MTU datagram (1200 B) and a large SCTP packet batch (64 KiB).
#include <benchmark/benchmark.h>

#include <vector>

#include "base/crc32.h"
#include "base/random.h"

namespace {

template <std::uint32_t (*Checksum)(rtcstack::base::ByteView, std::uint32_t)>
void checksum_throughput(benchmark::State& state) {
  std::vector<std::uint8_t> data(static_cast<std::size_t>(state.range(0)));
  rtcstack::base::SeededRandom(1).fill(data);
  for (auto _ : state) {
    benchmark::DoNotOptimize(Checksum(data, 0));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK(checksum_throughput<rtcstack::base::crc32>)->Name("crc32")->Arg(100)->Arg(1200)->Arg(65536);
BENCHMARK(checksum_throughput<rtcstack::base::crc32c>)->Name("crc32c")->Arg(100)->Arg(1200)->Arg(65536);
BENCHMARK(checksum_throughput<rtcstack::base::crc32c_portable>)
    ->Name("crc32c_portable")->Arg(100)->Arg(1200)->Arg(65536);
