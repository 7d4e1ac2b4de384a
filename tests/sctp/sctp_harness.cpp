#include "sctp_harness.h"

#include "base/crc32.h"
#include "base/endian.h"
#include "sctp/packet_check.h"

namespace rtcstack::testing {

SctpPeer::SctpPeer(SimNetwork& network, base::SocketAddress self, base::SocketAddress remote, sctp::Config config)
    : network_(network), self_(self), remote_(remote), association_(std::make_unique<sctp::Association>(config)) {
  network_.attach(self_.ip(), *this);
}

void SctpPeer::on_datagram(base::Instant now, const base::SocketAddress&, const base::SocketAddress&,
                           base::ByteView datagram) {
  association_->handle_packet(now, datagram);
  drain();
}

void SctpPeer::on_timeout(base::Instant now) {
  association_->handle_timeout(now);
  drain();
}

void SctpPeer::drain() {
  drain_self();
  if (other_ != nullptr) other_->drain_self();
}

void SctpPeer::drain_self() {
  for (;;) {
    sctp::Output output = association_->poll_output();
    if (auto* timeout = std::get_if<sctp::Timeout>(&output)) {
      next_timeout_ = timeout->at;
      return;
    }
    if (auto* packet = std::get_if<sctp::Packet>(&output)) {
      largest_packet = std::max(largest_packet, packet->bytes.size());
      // The checksum on_output wrote must be RFC 9260's CRC32c, least significant byte first.
      base::Buffer copy(packet->bytes);
      std::uint32_t stored = 0;
      for (int i = 0; i < 4; ++i) stored |= std::uint32_t{copy.data()[8 + i]} << (8 * i);
      for (int i = 0; i < 4; ++i) copy.data()[8 + i] = 0;
      if (base::crc32c(copy) != stored) ++bad_checksums;
      if (!sctp::check_packet(packet->bytes)) ++failed_check;  // usrsctp's own packets must pass
      wire_ports.emplace(base::load_be16(packet->bytes.data()), base::load_be16(packet->bytes.data() + 2));
      network_.send(self_, remote_, packet->bytes);
      continue;
    }
    const auto& event = std::get<sctp::Event>(output);
    if (const auto* state = std::get_if<sctp::StateEvent>(&event)) states.push_back(state->state);
    if (const auto* channel = std::get_if<sctp::ChannelStateEvent>(&event)) {
      channel_states[channel->id].push_back(channel->state);
    }
    if (const auto* in = std::get_if<sctp::IncomingChannelEvent>(&event)) incoming[in->id] = in->init;
    if (const auto* message = std::get_if<sctp::MessageEvent>(&event)) messages[message->id].push_back(message->data);
    if (const auto* low = std::get_if<sctp::BufferedAmountLowEvent>(&event)) ++low_events[low->id];
    if (on_event) on_event(event);
  }
}

bool SctpPeer::is(std::uint16_t id, sctp::ChannelState state) const {
  const auto found = channel_states.find(id);
  return found != channel_states.end() && !found->second.empty() && found->second.back() == state;
}

namespace {
base::SocketAddress address(const char* ip) { return base::SocketAddress(*base::IpAddress::parse(ip), 5000); }
sctp::Config with_role(sctp::Config config, bool client) {
  config.dtls_client = client;
  return config;
}
}  // namespace

SctpPair::SctpPair(std::uint64_t seed, sctp::Config a_config, sctp::Config b_config)
    : network(seed),
      clock([this] { return network.now(); }),
      a(network, address("192.0.2.1"), address("192.0.2.2"), with_role(a_config, true)),
      b(network, address("192.0.2.2"), address("192.0.2.1"), with_role(b_config, false)) {
  a.set_other(&b);
  b.set_other(&a);
  a.association().start(network.now());
  b.association().start(network.now());
  a.drain();
}

bool SctpPair::run(const std::function<bool()>& done, base::Duration limit) {
  return network.run_until(done, network.now() + limit);
}

}  // namespace rtcstack::testing
