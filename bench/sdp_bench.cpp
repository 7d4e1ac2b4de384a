// SDP parse and serialize of a real Chromium offer with audio, video and a data channel
// (tests/data/sdp/chromium-offer-av-data.sdp, 6 KB), per second on one core.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sdp/session_description.h"

namespace {

std::string load(const char* name) {
  std::ifstream file(std::string(RTCSTACK_TEST_DATA_DIR) + "/sdp/" + name, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

const std::string& offer() {
  static const std::string text = load(RTCSTACK_BENCH_SDP);
  return text;
}

void sdp_parse(benchmark::State& state) {
  if (!rtcstack::sdp::SessionDescription::parse(offer()).ok()) {
    state.SkipWithError("the offer does not parse");
    return;
  }
  for (auto _ : state) {
    auto session = rtcstack::sdp::SessionDescription::parse(offer());
    benchmark::DoNotOptimize(session);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(offer().size()));
}

void sdp_serialize(benchmark::State& state) {
  const auto session = rtcstack::sdp::SessionDescription::parse(offer());
  if (!session.ok()) {
    state.SkipWithError("the offer does not parse");
    return;
  }
  for (auto _ : state) {
    std::string text = session->to_string();
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(sdp_parse);
BENCHMARK(sdp_serialize);
