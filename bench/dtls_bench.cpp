// Full DTLS 1.2 handshakes per second, both ends in one process (ECDSA P-256, the
// WebRTC default), datagrams passed directly with no loss.
#include <benchmark/benchmark.h>

#include <variant>

#include "dtls/endpoint.h"

namespace {

using namespace rtcstack;

// Moves one endpoint's datagrams into the other; true if any moved.
bool pump(dtls::Endpoint& from, dtls::Endpoint& to, base::Instant now) {
  bool moved = false;
  while (true) {
    dtls::Output output = from.poll_output();
    if (std::holds_alternative<dtls::Timeout>(output)) return moved;
    if (auto* datagram = std::get_if<dtls::Datagram>(&output)) {
      to.handle_receive(now, datagram->bytes);
      moved = true;
    }
  }
}

void dtls_handshake(benchmark::State& state) {
  const auto client_cert = *dtls::Certificate::generate();
  const auto server_cert = *dtls::Certificate::generate();
  for (auto _ : state) {
    dtls::Config client_config;
    client_config.role = dtls::Role::kClient;
    client_config.certificate = client_cert;
    client_config.remote_fingerprint = *server_cert->fingerprint();
    dtls::Config server_config;
    server_config.role = dtls::Role::kServer;
    server_config.certificate = server_cert;
    server_config.remote_fingerprint = *client_cert->fingerprint();
    dtls::Endpoint client(client_config);
    dtls::Endpoint server(server_config);
    const base::Instant now{};
    client.start(now);
    server.start(now);
    while (pump(client, server, now) | pump(server, client, now)) {
    }
    if (client.state() != dtls::State::kConnected || server.state() != dtls::State::kConnected) {
      state.SkipWithError("handshake did not complete");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(dtls_handshake)->Unit(benchmark::kMicrosecond);
