#include "ice/turn_client.h"

#include <algorithm>

#include "base/log.h"
#include "stun/channel_data.h"
#include "stun/demux.h"
#include "stun/message_builder.h"

namespace rtcstack::ice {

using base::Duration;
using base::Instant;
using stun::AttributeType;
using stun::StunClass;
using stun::StunMethod;

namespace {

constexpr std::uint8_t kUdp = 17;
constexpr std::uint32_t kRequestedLifetime = 600;                   // seconds, RFC 8656 default
constexpr Duration kPermissionRefresh = Duration::seconds(240);    // permissions last 300 s
constexpr Duration kChannelRefresh = Duration::seconds(540);       // channels last 600 s

// Refresh a minute before expiry, or at half time for short lifetimes.
Duration refresh_after(std::uint32_t lifetime_seconds) {
  const std::int64_t seconds = lifetime_seconds > 120 ? lifetime_seconds - 60 : lifetime_seconds / 2;
  return Duration::seconds(std::max<std::int64_t>(seconds, 1));
}

}  // namespace

std::string_view to_string(TurnState state) {
  switch (state) {
    case TurnState::kNew: return "new";
    case TurnState::kAllocating: return "allocating";
    case TurnState::kAllocated: return "allocated";
    case TurnState::kFailed: return "failed";
    case TurnState::kClosing: return "closing";
    case TurnState::kClosed: return "closed";
  }
  return "new";
}

std::string turn_url(const TurnServer& server) {
  if (server.transport == TurnTransport::kTls) {
    const std::string host = server.host.empty() ? server.address.to_string()
                                                 : server.host + ":" + std::to_string(server.address.port());
    return "turns:" + host + "?transport=tcp";
  }
  return "turn:" + server.address.to_string() + "?transport=" + std::string(to_string(server.transport));
}

TurnClient::TurnClient(base::SocketAddress local, TurnServer server, base::Random& random,
                       stun::TransactionConfig transaction)
    : local_(local), server_(std::move(server)), random_(random), transaction_config_(transaction) {
  // RFC 8489 §6.2.2: over a stream nothing is retransmitted (TCP does it); a request
  // unanswered for kStreamAnswerTime fails.
  if (stream()) transaction_config_ = {kStreamAnswerTime, 1, 1, kStreamAnswerTime};
}

void TurnClient::connection_lost(std::string reason) {
  if (state_ == TurnState::kFailed || state_ == TurnState::kClosed) return;
  fail(0, "the connection to the TURN server ended: " + std::move(reason));
}

void TurnClient::start(Instant now) {
  if (state_ != TurnState::kNew) return;
  state_ = TurnState::kAllocating;
  send_request(now, Purpose::kAllocate, {}, 0, 0);
}

TurnClient::Peer* TurnClient::find_peer(const base::SocketAddress& address) {
  const auto peer = std::find_if(peers_.begin(), peers_.end(), [&](const Peer& p) { return p.address == address; });
  return peer == peers_.end() ? nullptr : &*peer;
}

const TurnClient::Peer* TurnClient::find_peer(const base::SocketAddress& address) const {
  return const_cast<TurnClient*>(this)->find_peer(address);
}

bool TurnClient::has_permission(const base::SocketAddress& peer) const {
  const Peer* p = find_peer(peer);
  return p != nullptr && p->permitted;
}

bool TurnClient::has_channel(const base::SocketAddress& peer) const {
  const Peer* p = find_peer(peer);
  return p != nullptr && p->channel.has_value();
}

void TurnClient::send_request(Instant now, Purpose purpose, const base::SocketAddress& peer,
                              std::uint16_t channel, std::uint32_t lifetime) {
  static constexpr StunMethod kMethods[] = {StunMethod::kAllocate, StunMethod::kRefresh,
                                            StunMethod::kCreatePermission, StunMethod::kChannelBind};
  std::uint8_t buffer[512];
  stun::MessageBuilder builder(buffer, {kMethods[static_cast<int>(purpose)], StunClass::kRequest},
                               stun::TransactionId::random(random_));
  switch (purpose) {
    case Purpose::kAllocate:
      builder.add_requested_transport(kUdp);
      // RFC 8656 §7.1: without it the relayed address is IPv4. A server reached over IPv6
      // relays on IPv6, so the candidate pairs with the peer's IPv6 ones.
      if (!server_.address.ip().is_v4()) {
        builder.add_address_family(AttributeType::kRequestedAddressFamily, base::AddressFamily::kIPv6);
      }
      break;
    case Purpose::kRefresh: builder.add_u32(AttributeType::kLifetime, lifetime); break;
    case Purpose::kPermission: builder.add_xor_address(AttributeType::kXorPeerAddress, peer); break;
    case Purpose::kChannel:
      builder.add_channel_number(channel).add_xor_address(AttributeType::kXorPeerAddress, peer);
      break;
  }
  const bool authenticated = key_.has_value();
  if (authenticated) {
    builder.add_string(AttributeType::kUsername, server_.username)
        .add_string(AttributeType::kRealm, realm_)
        .add_string(AttributeType::kNonce, nonce_)
        .add_message_integrity(*key_);
  }
  builder.add_fingerprint();
  auto transaction = stun::ClientTransaction::start(*builder.finish(), transaction_config_, now);
  pending_.push_back({purpose, peer, channel, lifetime, authenticated, std::move(transaction).value()});
  while (auto datagram = pending_.back().transaction.poll_transmit()) outbox_.emplace_back(*datagram);
}

void TurnClient::fail(int code, std::string reason) {
  RTC_LOG(kWarning, "turn") << server_.address << ": " << reason;
  state_ = TurnState::kFailed;
  error_ = TurnError{code, std::move(reason)};
  pending_.clear();
  refresh_at_ = Instant::max();
}

base::Result<void> TurnClient::add_peer(Instant now, const base::SocketAddress& peer, bool bind_channel) {
  if (state_ != TurnState::kAllocated) {
    return base::make_error(base::ErrorCode::kWrongState,
                            "TURN: no allocation on " + server_.address.to_string() + " (state " +
                                std::string(to_string(state_)) + ")");
  }
  if (find_peer(peer) != nullptr) return {};
  Peer entry;
  entry.address = peer;
  entry.bind_channel = bind_channel;
  if (bind_channel) {
    if (next_channel_ > stun::kMaxChannelNumber) {
      return base::make_error(base::ErrorCode::kResourceExhausted, "TURN: all 4096 channel numbers are in use");
    }
    entry.channel_number = next_channel_++;
    send_request(now, Purpose::kChannel, peer, entry.channel_number, 0);
  } else {
    send_request(now, Purpose::kPermission, peer, 0, 0);
  }
  peers_.push_back(entry);
  return {};
}

base::Result<base::ByteView> TurnClient::wrap(const base::SocketAddress& peer, base::ByteView data,
                                              base::MutableByteView out) {
  const Peer* p = find_peer(peer);
  if (state_ != TurnState::kAllocated || p == nullptr) {
    return base::make_error(base::ErrorCode::kWrongState,
                            "TURN: no permission for " + peer.to_string() + " (call add_peer first)");
  }
  // Over a stream ChannelData must be padded (RFC 8656 §12.5): the length field does not
  // count the padding, and the receiver's framing depends on it.
  if (p->channel) return stun::write_channel_data(out, *p->channel, data, /*pad=*/stream());
  stun::MessageBuilder builder(out, {StunMethod::kSend, StunClass::kIndication}, stun::TransactionId::random(random_));
  builder.add_xor_address(AttributeType::kXorPeerAddress, peer).add(AttributeType::kData, data);
  return builder.finish();
}

std::optional<TurnClient::PeerData> TurnClient::handle_receive(Instant now, const Inbound& datagram) {
  if (stun::looks_like_channel_data(datagram.bytes())) {
    const auto parsed = stun::parse_channel_data(datagram.bytes());
    if (parsed) {
      for (const Peer& peer : peers_) {
        if (peer.channel == parsed->channel) return PeerData{peer.address, parsed->data};
      }
    }
    ++dropped_;
    return std::nullopt;
  }
  const stun::StunMessage* message = datagram.stun();
  if (message == nullptr) {
    ++dropped_;
    return std::nullopt;
  }
  if (message->cls() == StunClass::kSuccessResponse || message->cls() == StunClass::kErrorResponse) {
    handle_response(now, *message);
    return std::nullopt;
  }
  if (message->method() == StunMethod::kData && message->cls() == StunClass::kIndication) {
    const auto peer = message->xor_peer_address();
    const auto data = message->data();
    if (peer && data && find_peer(*peer) != nullptr) return PeerData{*peer, *data};
  }
  ++dropped_;
  return std::nullopt;
}

void TurnClient::handle_response(Instant now, const stun::StunMessage& response) {
  const auto found = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) {
    return p.transaction.id() == response.transaction_id();
  });
  if (found == pending_.end()) {
    ++dropped_;
    return;
  }
  // Answers to authenticated requests carry integrity with our key; a forged one must
  // not move us (RFC 8656 §6.3).
  if (found->authenticated && response.has_message_integrity() && !response.verify_message_integrity(*key_)) {
    ++dropped_;
    return;
  }
  if (!found->transaction.handle_response(now, response)) {
    ++dropped_;
    return;
  }
  const Pending done = std::move(*found);
  pending_.erase(found);
  if (response.cls() == StunClass::kErrorResponse) {
    on_error_response(now, done, response);
  } else {
    on_success_response(now, done, response);
  }
}

void TurnClient::on_error_response(Instant now, const Pending& done, const stun::StunMessage& response) {
  const auto error = response.error_code();
  const int code = error ? error->code : 0;
  const std::string reason = error ? std::string(error->reason) : "error without ERROR-CODE";
  const bool fresh_nonce = response.nonce().has_value();
  if ((code == 401 && !done.authenticated) || code == 438) {
    // The challenge: take the realm and nonce and try again with credentials.
    if (!fresh_nonce || (code == 401 && !response.realm())) {
      fail(code, "TURN " + std::to_string(code) + " without REALM/NONCE from " + server_.address.to_string());
      return;
    }
    if (code == 438) ++nonce_renewals_;
    if (response.realm()) realm_ = std::string(*response.realm());
    nonce_ = std::string(*response.nonce());
    key_ = stun::long_term_key(stun::PasswordAlgorithmId::kMd5, server_.username, realm_, server_.password);
    RTC_LOG(kDebug, "turn") << server_.address << " asks for credentials (" << code << ", realm \"" << realm_ << "\")";
    send_request(now, done.purpose, done.peer, done.channel, done.lifetime);
    return;
  }
  if (done.purpose == Purpose::kPermission || done.purpose == Purpose::kChannel) {
    // The allocation lives on; only this peer cannot be reached.
    RTC_LOG(kWarning, "turn") << "permission for " << done.peer << " refused: " << code << ' ' << reason;
    std::erase_if(peers_, [&](const Peer& p) { return p.address == done.peer; });
    error_ = TurnError{code, "TURN refused " + done.peer.to_string() + ": " + std::to_string(code) + " " + reason};
    return;
  }
  if (state_ == TurnState::kClosing) {
    state_ = TurnState::kClosed;
    return;
  }
  // The reason is logged: it names no part of the credentials.
  fail(code, code == 401 ? "TURN server " + server_.address.to_string() + " rejected the credentials (401 " + reason + ")"
                         : "TURN server " + server_.address.to_string() + " answered " + std::to_string(code) +
                               " " + reason);
}

void TurnClient::on_success_response(Instant now, const Pending& done, const stun::StunMessage& response) {
  switch (done.purpose) {
    case Purpose::kAllocate:
      relayed_ = response.xor_relayed_address();
      mapped_ = response.xor_mapped_address();
      if (!relayed_) {
        fail(0, "TURN Allocate success without XOR-RELAYED-ADDRESS");
        return;
      }
      state_ = TurnState::kAllocated;
      refresh_at_ = now + refresh_after(response.lifetime().value_or(kRequestedLifetime));
      RTC_LOG(kDebug, "turn") << server_.address << " allocated " << *relayed_;
      break;
    case Purpose::kRefresh:
      if (done.lifetime == 0) {
        state_ = TurnState::kClosed;
        refresh_at_ = Instant::max();
      } else {
        refresh_at_ = now + refresh_after(response.lifetime().value_or(kRequestedLifetime));
      }
      break;
    case Purpose::kPermission:
      if (Peer* peer = find_peer(done.peer)) {
        peer->permitted = true;
        peer->permission_refresh_at = now + kPermissionRefresh;
      }
      break;
    case Purpose::kChannel:
      if (Peer* peer = find_peer(done.peer)) {
        // A channel binding installs (and refreshes) the permission too; the permission
        // lasts 300 s against the channel's 600 s, so it keeps its own refresh timer.
        peer->channel = done.channel;
        peer->permitted = true;
        peer->channel_refresh_at = now + kChannelRefresh;
        peer->permission_refresh_at = now + kPermissionRefresh;
      }
      break;
  }
}

void TurnClient::handle_timeout(Instant now) {
  for (auto pending = pending_.begin(); pending != pending_.end();) {
    pending->transaction.handle_timeout(now);
    if (pending->transaction.state() == stun::TransactionState::kTimedOut) {
      const Purpose purpose = pending->purpose;
      const base::SocketAddress peer = pending->peer;
      pending = pending_.erase(pending);
      if (state_ == TurnState::kClosing) {
        state_ = TurnState::kClosed;
      } else if (purpose == Purpose::kAllocate || purpose == Purpose::kRefresh) {
        fail(0, "no answer from TURN server " + server_.address.to_string());
        return;
      } else {
        std::erase_if(peers_, [&](const Peer& p) { return p.address == peer; });
      }
      continue;
    }
    while (auto datagram = pending->transaction.poll_transmit()) outbox_.emplace_back(*datagram);
    ++pending;
  }
  if (state_ != TurnState::kAllocated) return;
  if (now >= refresh_at_) {
    refresh_at_ = Instant::max();  // until the answer sets the next one
    send_request(now, Purpose::kRefresh, {}, 0, kRequestedLifetime);
  }
  for (Peer& peer : peers_) {
    if (now >= peer.channel_refresh_at) {
      peer.channel_refresh_at = Instant::max();
      send_request(now, Purpose::kChannel, peer.address, *peer.channel, 0);
    }
    if (now >= peer.permission_refresh_at) {
      peer.permission_refresh_at = Instant::max();
      send_request(now, Purpose::kPermission, peer.address, 0, 0);
    }
  }
}

Instant TurnClient::poll_timeout() const {
  Instant at = Instant::max();
  for (const Pending& pending : pending_) at = std::min(at, pending.transaction.poll_timeout());
  if (state_ == TurnState::kAllocated) {
    at = std::min(at, refresh_at_);
    for (const Peer& peer : peers_) at = std::min({at, peer.permission_refresh_at, peer.channel_refresh_at});
  }
  return at;
}

std::optional<base::Buffer> TurnClient::poll_transmit() {
  if (outbox_.empty()) return std::nullopt;
  base::Buffer datagram = std::move(outbox_.front());
  outbox_.pop_front();
  return datagram;
}

void TurnClient::close(Instant now) {
  if (state_ != TurnState::kAllocated) {
    if (state_ != TurnState::kClosing) state_ = TurnState::kClosed;
    pending_.clear();
    return;
  }
  pending_.clear();
  peers_.clear();
  state_ = TurnState::kClosing;
  send_request(now, Purpose::kRefresh, {}, 0, 0);
}

}  // namespace rtcstack::ice
