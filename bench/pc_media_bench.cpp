// The media path of one sans-IO PeerConnection, without sockets or threads: two
// connections joined by a wire in this program (every Transmit handed straight to the
// other, time from the steady clock), then
//   pc_rtp_send     send_rtp of a 1200-byte payload: RTP header and mid extension, the
//                   NACK history, SRTP protect, the Transmit taken from poll_output
//   pc_rtp_receive  handle_receive of those datagrams: demux, SRTP unprotect, RTP parse,
//                   transceiver lookup, statistics, the RtpPacketEvent taken
// first with congestion control off (the path alone), then on ("_paced": the pacer, the
// transport-wide sequence number written as the packet leaves, the send history; on
// receipt, the arrival noted for feedback), with an estimate that starts and may stay
// above the rate sent (10 Gbit/s), so that the pacer holds nothing back; then unpaced with
// simulcast ("_simulcast": three encodings by rid, packets sent on each in turn, each
// stamped with its rid and received as its layer, the RtpPacketEvent naming it).
// Prints one JSON object per line, like the Google Benchmark programs.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "dtls/endpoint.h"
#include "pc/peer_connection.h"

namespace {

using namespace rtcstack;
using Clock = std::chrono::steady_clock;

base::Instant now() {
  return base::Instant::from_nanoseconds(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

struct Side {
  Side(const char* ip, std::uint64_t seed, bool paced) : address(*base::IpAddress::parse(ip), 40000), random(seed) {
    pc::Configuration configuration;
    configuration.ice.host_addresses = {address};
    configuration.congestion_control = paced;
    configuration.bitrate.start_bps = configuration.bitrate.max_bps = 10'000'000'000;
    pc = std::move(pc::PeerConnection::create(configuration, random)).value();
  }
  base::SocketAddress address;
  base::SeededRandom random;
  std::unique_ptr<pc::PeerConnection> pc;
  base::Instant timeout = base::Instant::max();
  std::vector<pc::TrackEvent> tracks;
};

// Hands every output of `from` on: datagrams and candidates to `to`, tracks noted.
// Returns whether anything moved.
bool pump(Side& from, Side& to) {
  bool moved = false;
  for (;;) {
    pc::Output output = from.pc->poll_output();
    if (auto* timeout = std::get_if<pc::Timeout>(&output)) {
      from.timeout = timeout->at;
      return moved;
    }
    moved = true;
    if (auto* transmit = std::get_if<pc::Transmit>(&output)) {
      to.pc->handle_receive(now(), transmit->remote, transmit->local, transmit->bytes);
    } else if (auto* candidate = std::get_if<pc::IceCandidateEvent>(&std::get<pc::Event>(output))) {
      (void)to.pc->add_ice_candidate(now(), candidate->candidate);
    } else if (auto* track = std::get_if<pc::TrackEvent>(&std::get<pc::Event>(output))) {
      from.tracks.push_back(*track);
    }
  }
}

bool connect(Side& a, Side& b, pc::TransceiverHandle video) {
  auto offer = a.pc->create_offer();
  if (!offer || !a.pc->set_local_description(now(), *offer) || !b.pc->set_remote_description(now(), *offer)) return false;
  auto answer = b.pc->create_answer();
  if (!answer || !b.pc->set_local_description(now(), *answer) || !a.pc->set_remote_description(now(), *answer)) return false;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    const bool moved = pump(a, b) | pump(b, a);
    if (!moved) {
      for (Side* side : {&a, &b}) {
        if (side->timeout <= now()) side->pc->handle_timeout(now());
      }
    }
    if (a.pc->send_rtp(video, base::as_bytes(std::string_view("warm-up")), 0, false)) return true;
  }
  return false;
}

bool measure(bool paced, bool simulcast) {
  constexpr int kPackets = 200'000;
  constexpr std::size_t kPayload = 1200;
  const std::string suffix = paced ? "_paced" : simulcast ? "_simulcast" : "";
  Side a("192.0.2.1", 1, paced), b("192.0.2.2", 2, paced);
  pc::RtpTransceiverInit init{pc::RtpTransceiverDirection::kSendOnly, {}};
  const char* const rids[] = {"q", "h", "f"};
  if (simulcast) init.send_encodings = {{"q", true, {}, {}}, {"h", true, {}, {}}, {"f", true, {}, {}}};
  const auto video = *a.pc->add_transceiver(pc::MediaKind::kVideo, init);
  if (!connect(a, b, video)) {
    std::printf("{\"benchmark\":\"pc_rtp_send%s\",\"error\":\"the connections did not connect\"}\n", suffix.c_str());
    return false;
  }
  pump(a, b);
  pump(b, a);
  if (!paced && !simulcast) {
    const auto profile = a.pc->dtls()->srtp_profile();
    std::printf("{\"context\":{\"program\":\"pc_media_bench\",\"srtp_profile\":\"%s\",\"payload_bytes\":%zu}}\n",
                profile ? std::string(dtls::to_string(*profile)).c_str() : "none", kPayload);
  }

  const std::vector<std::uint8_t> payload(kPayload, 0x5a);
  std::vector<base::Buffer> wire;
  wire.reserve(kPackets);
  // Sending: the datagrams are kept for the receive measurement (a move, no copy).
  const auto send_start = Clock::now();
  for (int i = 0; i < kPackets; ++i) {
    if (!a.pc->send_rtp(video, payload, static_cast<std::uint32_t>(i / 4 * 3000), i % 4 == 3, simulcast ? rids[i % 3] : "")) {
      return false;
    }
    for (;;) {  // the packet, and now and then an RTCP report; the pacer's timer when due
      pc::Output output = a.pc->poll_output();
      if (auto* timeout = std::get_if<pc::Timeout>(&output)) {
        if (timeout->at > now()) break;
        a.pc->handle_timeout(now());
        continue;
      }
      if (auto* transmit = std::get_if<pc::Transmit>(&output)) wire.push_back(std::move(transmit->bytes));
    }
  }
  const double send_ns = std::chrono::duration<double, std::nano>(Clock::now() - send_start).count() / kPackets;
  std::printf("{\"benchmark\":\"pc_rtp_send%s\",\"packets\":%d,\"ns_per_packet\":%.0f,\"packets_per_second\":%.0f}\n",
              suffix.c_str(), kPackets, send_ns, 1e9 / send_ns);
  if (wire.size() < static_cast<std::size_t>(kPackets)) return false;

  std::size_t received = 0;
  const base::SocketAddress from = a.address, to = b.address;
  const auto receive_start = Clock::now();
  const base::Instant at = now();
  for (const base::Buffer& datagram : wire) {
    b.pc->handle_receive(at, to, from, datagram);
    for (;;) {
      pc::Output output = b.pc->poll_output();
      if (std::holds_alternative<pc::Timeout>(output)) break;
      if (auto* event = std::get_if<pc::Event>(&output)) {
        const auto* rtp = std::get_if<pc::RtpPacketEvent>(event);
        received += rtp != nullptr && rtp->rid.empty() != simulcast;
      }
    }
  }
  const double receive_ns = std::chrono::duration<double, std::nano>(Clock::now() - receive_start).count() / kPackets;
  std::printf("{\"benchmark\":\"pc_rtp_receive%s\",\"packets\":%d,\"delivered\":%zu,\"ns_per_packet\":%.0f,"
              "\"packets_per_second\":%.0f}\n",
              suffix.c_str(), kPackets, received, receive_ns, 1e9 / receive_ns);
  return received == static_cast<std::size_t>(kPackets);
}

}  // namespace

int main() { return measure(false, false) && measure(true, false) && measure(false, true) ? 0 : 1; }
