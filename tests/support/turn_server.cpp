#include "turn_server.h"

#include <algorithm>

#include "stun/channel_data.h"
#include "stun/demux.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace rtcstack::testing {

using stun::AttributeType;
using stun::StunClass;
using stun::StunMethod;

TurnServerEndpoint::TurnServerEndpoint(SimNetwork& network, base::SocketAddress listen, base::IpAddress relay_ip)
    : network_(network), listen_(listen), relay_ip_(relay_ip) {
  network_.attach(listen.ip(), *this);
  network_.attach(relay_ip, *this);
}

TurnServerEndpoint::Allocation* TurnServerEndpoint::by_client(const base::SocketAddress& client) {
  const auto found = std::find_if(allocations_.begin(), allocations_.end(),
                                  [&](const Allocation& a) { return a.client == client; });
  return found == allocations_.end() ? nullptr : &*found;
}

void TurnServerEndpoint::on_datagram(base::Instant now, const base::SocketAddress& local,
                                     const base::SocketAddress& remote, base::ByteView datagram) {
  now_ = now;
  if (local == listen_) {
    from_client(remote, datagram);
  } else if (local.ip() == relay_ip_) {
    from_peer(local, remote, datagram);
  }
}

void TurnServerEndpoint::relay_to_peer(Allocation& allocation, const base::SocketAddress& peer, base::ByteView data) {
  if (std::find(allocation.permissions.begin(), allocation.permissions.end(), peer.ip()) == allocation.permissions.end()) {
    return;  // no permission: dropped, as RFC 8656 §9 requires
  }
  ++relayed;
  network_.send(allocation.relayed, peer, data);
}

void TurnServerEndpoint::from_client(const base::SocketAddress& client, base::ByteView datagram) {
  Allocation* allocation = by_client(client);
  if (stun::looks_like_channel_data(datagram)) {
    const auto frame = stun::parse_channel_data(datagram);
    if (!frame || allocation == nullptr) return;
    const auto channel = allocation->channels.find(frame->channel);
    if (channel != allocation->channels.end()) relay_to_peer(*allocation, channel->second, frame->data);
    return;
  }
  const auto message = stun::StunMessage::parse(datagram);
  if (!message) return;
  if (message->cls() == StunClass::kIndication && message->method() == StunMethod::kSend) {
    if (allocation && message->xor_peer_address() && message->data()) {
      relay_to_peer(*allocation, *message->xor_peer_address(), *message->data());
    }
    return;
  }
  if (message->cls() != StunClass::kRequest) return;
  const bool permission = message->method() == StunMethod::kCreatePermission || message->method() == StunMethod::kChannelBind;
  if (permission && permission_delay > base::Duration::zero() && !replaying_) {
    delayed_.push_back({now_ + permission_delay, client, {datagram.begin(), datagram.end()}});
    return;
  }
  ++requests[message->method()];
  std::uint8_t out[256];
  if (message->method() == StunMethod::kAllocate && refuse_allocations) {
    stun::MessageBuilder error(out, {StunMethod::kAllocate, StunClass::kErrorResponse}, message->transaction_id());
    error.add_error_code(*refuse_allocations, *refuse_allocations == 486 ? "Allocation Quota Reached"
                                                                         : "Insufficient Capacity");
    network_.send(listen_, client, *error.add_fingerprint().finish());
    return;
  }
  stun::MessageBuilder response(out, {message->method(), StunClass::kSuccessResponse}, message->transaction_id());
  switch (message->method()) {
    case StunMethod::kAllocate:
      if (allocation == nullptr) {
        allocations_.push_back({client, {relay_ip_, next_port_++}, {}, {}});
        allocation = &allocations_.back();
      }
      response.add_xor_address(AttributeType::kXorRelayedAddress, allocation->relayed)
          .add_xor_address(AttributeType::kXorMappedAddress, client)
          .add_u32(AttributeType::kLifetime, 600);
      break;
    case StunMethod::kRefresh:
      if (message->lifetime() == 0u) {
        std::erase_if(allocations_, [&](const Allocation& a) { return a.client == client; });
      }
      response.add_u32(AttributeType::kLifetime, message->lifetime().value_or(600));
      break;
    case StunMethod::kCreatePermission:
    case StunMethod::kChannelBind: {
      const auto peer = message->xor_peer_address();
      if (allocation == nullptr || !peer) return;
      allocation->permissions.push_back(peer->ip());
      permission_refreshes.push_back(now_);
      if (message->method() == StunMethod::kChannelBind && message->channel_number()) {
        allocation->channels[*message->channel_number()] = *peer;
      }
      break;
    }
    default:
      return;
  }
  network_.send(listen_, client, *response.add_fingerprint().finish());
}

base::Instant TurnServerEndpoint::next_timeout() const {
  base::Instant next = base::Instant::max();
  for (const Delayed& delayed : delayed_) next = std::min(next, delayed.due);
  return next;
}

void TurnServerEndpoint::on_timeout(base::Instant now) {
  now_ = now;
  std::vector<Delayed> due;
  std::erase_if(delayed_, [&](Delayed& delayed) {
    if (delayed.due > now) return false;
    due.push_back(std::move(delayed));
    return true;
  });
  replaying_ = true;
  for (const Delayed& delayed : due) from_client(delayed.client, delayed.request);
  replaying_ = false;
}

void TurnServerEndpoint::from_peer(const base::SocketAddress& relayed_address, const base::SocketAddress& peer,
                                   base::ByteView datagram) {
  const auto allocation = std::find_if(allocations_.begin(), allocations_.end(),
                                       [&](const Allocation& a) { return a.relayed == relayed_address; });
  if (allocation == allocations_.end()) return;
  if (std::find(allocation->permissions.begin(), allocation->permissions.end(), peer.ip()) ==
      allocation->permissions.end()) {
    return;
  }
  ++relayed;
  for (const auto& [channel, address] : allocation->channels) {
    if (address != peer) continue;
    std::uint8_t frame[2048];
    network_.send(listen_, allocation->client, *stun::write_channel_data(frame, channel, datagram, false));
    return;
  }
  std::uint8_t out[2048];
  stun::MessageBuilder indication(out, {StunMethod::kData, StunClass::kIndication}, stun::TransactionId{});
  indication.add_xor_address(AttributeType::kXorPeerAddress, peer).add(AttributeType::kData, datagram);
  network_.send(listen_, allocation->client, *indication.finish());
}

}  // namespace rtcstack::testing
