// Feeds arbitrary SCTP packets into an established association: no crash, no leak, no
// hang. (Whether a forged but well-formed chunk may end the association or a channel is
// SCTP's business; our side must only never break.)
//
// Input: a list of operations.
//   0x00 len16 bytes            a raw packet; its ports and verification tag are set to the
//                               association's own, so it reaches chunk processing
//   0x01 index count (pos16 val)*  a packet the peer really sent during setup (DATA with
//                               DCEP and messages, SACKs, a stream reset), with bytes
//                               overwritten at the given positions
//   anything else               time passes (10 ms)
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "base/endian.h"
#include "sctp/association.h"

namespace {

using namespace rtcstack;

struct Pair {
  sctp::Association a{config(true)};
  sctp::Association b{config(false)};
  base::Instant now = base::Instant::from_nanoseconds(0);
  std::vector<std::vector<std::uint8_t>> recorded;  // a -> b packets

  static sctp::Config config(bool client) {
    sctp::Config config;
    config.dtls_client = client;
    return config;
  }

  // Moves packets both ways until both are quiet; records what a sent.
  void pump(bool record) {
    for (int round = 0; round < 1000; ++round) {
      bool moved = false;
      for (;;) {
        auto output = a.poll_output();
        if (std::holds_alternative<sctp::Timeout>(output)) break;
        if (auto* packet = std::get_if<sctp::Packet>(&output)) {
          if (record) recorded.emplace_back(packet->bytes.data(), packet->bytes.data() + packet->bytes.size());
          b.handle_packet(now, packet->bytes);
          moved = true;
        }
      }
      for (;;) {
        auto output = b.poll_output();
        if (std::holds_alternative<sctp::Timeout>(output)) break;
        if (auto* packet = std::get_if<sctp::Packet>(&output)) {
          a.handle_packet(now, packet->bytes);
          moved = true;
        }
      }
      if (!moved) return;
    }
  }

  void tick() {
    now = now + base::Duration::milliseconds(10);
    a.handle_timeout(now);
    b.handle_timeout(now);
    pump(false);
  }
};

// Each input gets a fresh pair, on a clock that keeps running across inputs so usrsctp's
// timers (including those that free closed associations) keep firing.
base::Instant g_clock = base::Instant::from_nanoseconds(0);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Pair pair;
  pair.now = g_clock;
  pair.a.start(pair.now);
  pair.b.start(pair.now);
  pair.pump(true);
  sctp::ChannelInit init;
  init.label = "fuzz";
  const auto id = pair.a.open_channel(init);
  if (!id.ok()) std::abort();
  pair.pump(true);
  (void)pair.a.send(*id, "small");
  (void)pair.a.send(*id, std::vector<std::uint8_t>(3000, 7), true);
  pair.pump(true);
  const auto closing = pair.a.open_channel(init);
  pair.pump(true);
  if (closing.ok()) (void)pair.a.close_channel(*closing);
  pair.pump(true);
  if (pair.recorded.empty() || pair.a.state() != sctp::State::kConnected) std::abort();
  const std::vector<std::uint8_t>& header = pair.recorded.front();  // ports and b's tag

  std::size_t at = 0;
  for (int op = 0; op < 64 && at < size; ++op) {
    const std::uint8_t kind = data[at++];
    std::vector<std::uint8_t> packet;
    if (kind == 0x00 && at + 2 <= size) {
      const std::size_t length = std::min<std::size_t>(base::load_be16(data + at), size - at - 2);
      packet.assign(data + at + 2, data + at + 2 + length);
      at += 2 + length;
      if (packet.size() >= 8) std::copy(header.begin(), header.begin() + 8, packet.begin());
    } else if (kind == 0x01 && at + 2 <= size) {
      packet = pair.recorded[data[at] % pair.recorded.size()];
      const std::size_t count = data[at + 1];
      at += 2;
      for (std::size_t i = 0; i < count && at + 3 <= size; ++i, at += 3) {
        if (!packet.empty()) packet[base::load_be16(data + at) % packet.size()] = data[at + 2];
      }
    } else {
      pair.tick();
      continue;
    }
    pair.b.handle_packet(pair.now, base::MutableByteView(packet));
    pair.pump(false);
  }
  g_clock = pair.now + base::Duration::seconds(1);
  pair.a.handle_timeout(g_clock);
  return 0;
}
