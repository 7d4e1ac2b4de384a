// bench_relay RTT_MS LOSS SECONDS [SEED [RATE_BPS QUEUE_MS [SERVER]]]: the impairment relay
// (impairment_relay.h) as a process of its own, for the peers of bench/compare.py's
// scenarios and the browser congestion test. RATE_BPS and QUEUE_MS make each direction a
// bottleneck (0: off); SERVER (IP:PORT) is peer b, known in advance - a server that sends
// nothing before it is reached through the relay. Prints one JSON line with its two
// aliases' ports, then relays for SECONDS (jitter RTT/20) and exits.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "impairment_relay.h"

int main(int argc, char** argv) {
  if (argc < 4 || argc > 8 || argc == 6) {
    std::fprintf(stderr, "usage: bench_relay RTT_MS LOSS SECONDS [SEED [RATE_BPS QUEUE_MS [SERVER]]]\n");
    return 2;
  }
  const double rtt = std::atof(argv[1]);
  const double seconds = std::atof(argv[3]);
  if (rtt < 0 || seconds <= 0 || seconds > 3600) {
    std::fprintf(stderr, "RTT_MS must be 0 or more, SECONDS between 0 and 3600\n");
    return 2;
  }
  rtcstack::bench::Impairment impairment{.rtt_ms = rtt,
                                         .jitter_ms = rtt / 20,
                                         .loss = std::atof(argv[2]),
                                         .seed = argc >= 5 ? std::strtoull(argv[4], nullptr, 10) : 7};
  if (argc >= 7) {
    impairment.rate_bps = std::strtoull(argv[5], nullptr, 10);
    impairment.queue_ms = std::atof(argv[6]);
  }
  if (argc == 8) {
    const auto server = rtcstack::base::SocketAddress::parse(argv[7]);
    if (!server) {
      std::fprintf(stderr, "SERVER must be IP:PORT\n");
      return 2;
    }
    impairment.b = *server;
  }
  rtcstack::bench::ImpairmentRelay relay(impairment);
  std::printf("{\"alias_a\":%u,\"alias_b\":%u}\n", relay.alias_of_a().port(), relay.alias_of_b().port());
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  relay.stop();
  std::fprintf(stderr, "relay: forwarded %llu, dropped %llu\n", static_cast<unsigned long long>(relay.forwarded()),
               static_cast<unsigned long long>(relay.dropped()));
  if (impairment.rate_bps != 0) {
    // The offerer's direction (a to b) as the congestion comparison reads it.
    const auto& figures = relay.figures(1);
    // Queue waits over the whole run, and from 10 s on (once a controller has settled).
    const auto p95 = [&](float from_s) {
      std::vector<float> queued;
      for (const auto& wait : figures.waits) {
        if (wait.at_s >= from_s) queued.push_back(wait.queued_ms);
      }
      std::sort(queued.begin(), queued.end());
      return queued.empty() ? 0.0 : queued[static_cast<std::size_t>(0.95 * static_cast<double>(queued.size() - 1))];
    };
    std::printf("{\"relay\":\"a_to_b\",\"rate_bps\":%llu,\"taken\":%zu,\"queue_dropped\":%llu,\"queue_p95_ms\":%.1f,"
                "\"queue_p95_ms_after_10s\":%.1f,\"bytes_per_second\":[",
                static_cast<unsigned long long>(impairment.rate_bps), figures.waits.size(),
                static_cast<unsigned long long>(figures.queue_dropped), p95(0), p95(10));
    for (std::size_t i = 0; i < figures.bytes_per_second.size(); ++i) {
      std::printf("%s%llu", i == 0 ? "" : ",", static_cast<unsigned long long>(figures.bytes_per_second[i]));
    }
    std::printf("]}\n");
  }
  return 0;
}
