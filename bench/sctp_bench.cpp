// Data channel throughput: one reliable ordered channel carrying 64 KiB messages between
// two sctp::Association instances in one process, packets passed directly (no sockets,
// no loss); then the same with each association over a dtls::Endpoint (AES-GCM records).
// bench/usrsctp_bench.cpp measures bare usrsctp the same way: the ceiling for the ratio.
#include <benchmark/benchmark.h>

#include <chrono>
#include <functional>
#include <variant>
#include <vector>

#include "dtls/endpoint.h"
#include "sctp/association.h"

namespace {

using namespace rtcstack;

constexpr std::size_t kMessage = 64 * 1024;
constexpr std::size_t kInFlight = 2 * 1024 * 1024;  // what the sender keeps ahead of the receiver

base::Instant clock_now() {
  return base::Instant::from_nanoseconds(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

// One side: an association, and how its packets reach the other side's association.
struct Side {
  explicit Side(bool client) : association(config(client)) {}
  static sctp::Config config(bool client) {
    sctp::Config config;
    config.dtls_client = client;
    return config;
  }
  sctp::Association association;
  std::function<void(base::ByteView)> deliver;  // an outgoing SCTP packet, to the peer
  base::Instant next_timeout = base::Instant::max();
  std::size_t received = 0;
  bool open = false;

  // Handles due timers and drains outputs; true if a packet moved.
  bool pump(base::Instant now) {
    if (now >= next_timeout) association.handle_timeout(now);
    bool moved = false;
    for (;;) {
      sctp::Output output = association.poll_output();
      if (auto* timeout = std::get_if<sctp::Timeout>(&output)) {
        next_timeout = timeout->at;
        return moved;
      }
      if (auto* packet = std::get_if<sctp::Packet>(&output)) {
        deliver(packet->bytes);
        moved = true;
      } else if (auto* event = std::get_if<sctp::Event>(&output)) {
        if (auto* message = std::get_if<sctp::MessageEvent>(event)) received += message->data.size();
        if (auto* state = std::get_if<sctp::ChannelStateEvent>(event)) open = state->state == sctp::ChannelState::kOpen;
      }
    }
  }
};

// Sends 64 KiB messages from a to b for as long as the benchmark runs.
void run_transfer(benchmark::State& state, Side& a, Side& b, const std::function<bool()>& pump_all) {
  a.association.start(clock_now());
  b.association.start(clock_now());
  sctp::ChannelInit init;
  init.label = "bench";
  const auto id = a.association.open_channel(init);
  for (int i = 0; i < 100000 && !(a.open && b.open); ++i) pump_all();
  if (!id.ok() || !a.open || !b.open) {
    state.SkipWithError("the channel did not open");
    return;
  }
  const std::vector<std::uint8_t> message(kMessage, 0x5a);
  std::size_t sent = 0;
  for (auto _ : state) {
    while (!a.association.send(*id, message, true).ok()) pump_all();
    sent += kMessage;
    while (sent - b.received > kInFlight) pump_all();
  }
  while (b.received < sent) pump_all();
  state.SetBytesProcessed(static_cast<std::int64_t>(sent));
  state.SetItemsProcessed(state.iterations());
}

void sctp_association_throughput(benchmark::State& state) {
  Side a(true), b(false);
  a.deliver = [&](base::ByteView packet) { b.association.handle_packet(clock_now(), packet); };
  b.deliver = [&](base::ByteView packet) { a.association.handle_packet(clock_now(), packet); };
  run_transfer(state, a, b, [&] {
    const base::Instant now = clock_now();
    return a.pump(now) | b.pump(now);
  });
}

// A DTLS endpoint under each association: SCTP packets become application data records.
struct DtlsSide {
  DtlsSide(dtls::Role role, std::shared_ptr<const dtls::Certificate> mine, const dtls::Fingerprint& theirs)
      : endpoint(config(role, std::move(mine), theirs)) {}
  static dtls::Config config(dtls::Role role, std::shared_ptr<const dtls::Certificate> mine,
                             const dtls::Fingerprint& theirs) {
    dtls::Config config;
    config.role = role;
    config.certificate = std::move(mine);
    config.remote_fingerprint = theirs;
    return config;
  }
  dtls::Endpoint endpoint;
  std::function<void(base::ByteView)> on_data;  // decrypted application data (SCTP packets)
  DtlsSide* peer = nullptr;

  bool pump(base::Instant now) {
    bool moved = false;
    for (;;) {
      dtls::Output output = endpoint.poll_output();
      if (std::holds_alternative<dtls::Timeout>(output)) return moved;
      if (auto* datagram = std::get_if<dtls::Datagram>(&output)) {
        peer->endpoint.handle_receive(now, datagram->bytes);
        moved = true;
      } else if (auto* event = std::get_if<dtls::Event>(&output)) {
        if (auto* data = std::get_if<dtls::ApplicationDataEvent>(event)) on_data(data->data);
      }
    }
  }
};

void sctp_over_dtls_throughput(benchmark::State& state) {
  const auto client_cert = *dtls::Certificate::generate();
  const auto server_cert = *dtls::Certificate::generate();
  DtlsSide client(dtls::Role::kClient, client_cert, *server_cert->fingerprint());
  DtlsSide server(dtls::Role::kServer, server_cert, *client_cert->fingerprint());
  client.peer = &server;
  server.peer = &client;
  Side a(true), b(false);
  client.on_data = [&](base::ByteView packet) { a.association.handle_packet(clock_now(), packet); };
  server.on_data = [&](base::ByteView packet) { b.association.handle_packet(clock_now(), packet); };
  a.deliver = [&](base::ByteView packet) { (void)client.endpoint.send(packet); };
  b.deliver = [&](base::ByteView packet) { (void)server.endpoint.send(packet); };
  client.endpoint.start(clock_now());
  server.endpoint.start(clock_now());
  while (client.pump(clock_now()) | server.pump(clock_now())) {
  }
  if (client.endpoint.state() != dtls::State::kConnected || server.endpoint.state() != dtls::State::kConnected) {
    state.SkipWithError("DTLS did not connect");
    return;
  }
  run_transfer(state, a, b, [&] {
    const base::Instant now = clock_now();
    bool moved = a.pump(now) | b.pump(now);
    moved |= client.pump(now) | server.pump(now);
    return moved;
  });
}

}  // namespace

BENCHMARK(sctp_association_throughput)->Unit(benchmark::kMicrosecond)->MinTime(2.0);
BENCHMARK(sctp_over_dtls_throughput)->Unit(benchmark::kMicrosecond)->MinTime(2.0);
