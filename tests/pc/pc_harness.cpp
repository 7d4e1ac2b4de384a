#include "pc_harness.h"

#include <catch2/catch.hpp>

namespace rtcstack::testing {

PcEndpoint::PcEndpoint(SimNetwork& network, const char* ip, std::uint64_t seed, pc::Configuration configuration)
    : network_(network), address_(*base::IpAddress::parse(ip), 40000), random_(seed) {
  if (configuration.ice.host_addresses.empty()) configuration.ice.host_addresses = {address_};
  for (const base::SocketAddress& host : configuration.ice.host_addresses) {
    if (host.ip() != address_.ip()) network_.attach(host.ip(), *this);
  }
  pc_ = std::move(pc::PeerConnection::create(configuration, random_)).value();
  network_.attach(address_.ip(), *this);
}

void PcEndpoint::on_datagram(base::Instant now, const base::SocketAddress& local, const base::SocketAddress& remote,
                             base::ByteView datagram) {
  pc_->handle_receive(now, local, remote, datagram);
  drain();
}

void PcEndpoint::on_timeout(base::Instant now) {
  pc_->handle_timeout(now);
  drain();
}

void PcEndpoint::drain() {
  for (;;) {
    pc::Output output = pc_->poll_output();
    if (auto* timeout = std::get_if<pc::Timeout>(&output)) {
      next_timeout_ = timeout->at;
      break;
    }
    if (auto* transmit = std::get_if<pc::Transmit>(&output)) {
      network_.send(transmit->local, transmit->remote, transmit->bytes);
      continue;
    }
    const auto& event = std::get<pc::Event>(output);
    if (const auto* s = std::get_if<pc::SignalingStateEvent>(&event)) signaling.emplace_back(to_string(s->state));
    if (const auto* s = std::get_if<pc::ConnectionStateEvent>(&event)) {
      connection.emplace_back(to_string(s->state));
      if (!s->reason.empty()) failure_reason = s->reason;
    }
    if (const auto* s = std::get_if<pc::IceConnectionStateEvent>(&event)) ice_connection.emplace_back(to_string(s->state));
    if (const auto* s = std::get_if<pc::IceGatheringStateEvent>(&event)) gathering.emplace_back(to_string(s->state));
    if (const auto* c = std::get_if<pc::IceCandidateEvent>(&event); c && trickle && peer_) {
      REQUIRE(peer_->pc().add_ice_candidate(network_.now(), c->candidate).ok());
      peer_->drain();
    }
    if (const auto* d = std::get_if<pc::DataChannelEvent>(&event)) incoming[d->channel] = d->init;
    if (const auto* d = std::get_if<pc::DataChannelStateEvent>(&event)) channel_states[d->channel].push_back(d->state);
    if (const auto* m = std::get_if<pc::MessageEvent>(&event)) messages[m->channel].push_back(m->data);
    if (on_event) on_event(event);
  }
}

bool PcEndpoint::is(pc::ChannelHandle channel, pc::DataChannelState state) const {
  const auto found = channel_states.find(channel);
  return found != channel_states.end() && !found->second.empty() && found->second.back() == state;
}

PcPair::PcPair(std::uint64_t seed, pc::Configuration a_configuration, pc::Configuration b_configuration)
    : network(seed),
      clock([this] { return network.now(); }),
      a(network, "192.0.2.1", seed * 2 + 1, std::move(a_configuration)),
      b(network, "192.0.2.2", seed * 2 + 2, std::move(b_configuration)) {
  a.set_peer(&b);
  b.set_peer(&a);
}

void PcPair::negotiate(PcEndpoint& offerer) { testing::negotiate(offerer, &offerer == &a ? b : a); }

void negotiate(PcEndpoint& offerer, PcEndpoint& answerer, const std::function<std::string(const std::string&)>& rewrite_offer,
               const std::function<std::string(const std::string&)>& rewrite_answer) {
  const base::Instant now = offerer.now();
  auto offer = offerer.pc().create_offer();
  REQUIRE(offer.ok());
  REQUIRE(offerer.pc().set_local_description(now, *offer).ok());
  if (rewrite_offer) offer->sdp = rewrite_offer(offer->sdp);
  REQUIRE(answerer.pc().set_remote_description(now, *offer).ok());
  auto answer = answerer.pc().create_answer();
  REQUIRE(answer.ok());
  REQUIRE(answerer.pc().set_local_description(now, *answer).ok());
  if (rewrite_answer) answer->sdp = rewrite_answer(answer->sdp);
  REQUIRE(offerer.pc().set_remote_description(now, *answer).ok());
  offerer.drain();
  answerer.drain();
}

bool PcPair::run(const std::function<bool()>& done, base::Duration limit) {
  return network.run_until(done, network.now() + limit);
}

}  // namespace rtcstack::testing
