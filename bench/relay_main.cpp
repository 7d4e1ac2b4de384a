// bench_relay RTT_MS LOSS SECONDS [SEED [RATE_BPS QUEUE_MS [SERVER]]]: the impairment relay
// (impairment_relay.h) as a process of its own, for the peers of bench/compare.py's
// scenarios and the browser congestion test. RATE_BPS and QUEUE_MS make each direction a
// bottleneck (0: off); SERVER (IP:PORT) is peer b, known in advance - a server that sends
// nothing before it is reached through the relay. Prints one JSON line with its two
// aliases' ports, then relays for SECONDS (jitter RTT/20) and exits.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

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
  std::fprintf(stderr, "relay: forwarded %llu, dropped %llu\n", static_cast<unsigned long long>(relay.forwarded()),
               static_cast<unsigned long long>(relay.dropped()));
  return 0;
}
