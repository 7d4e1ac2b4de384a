// A sans-IO TURN client (RFC 8656) for one allocation on one server, reached over UDP, or
// over TCP or TLS (the caller carries the messages on the stream and feeds back what it
// frames; requests are then sent once and ChannelData is padded). Allocate with
// long-term credentials (401 -> realm and nonce -> authenticated retry; 438 -> new nonce,
// retry) - of an IPv6 relayed address (REQUESTED-ADDRESS-FAMILY) when the server is
// reached over IPv6, IPv4 otherwise - Refresh before the lifetime runs out,
// CreatePermission and ChannelBind per peer (and their refreshes), application data
// wrapped as ChannelData when a channel is bound and as Send indications otherwise, Data
// indications and ChannelData unwrapped, and deallocation (Refresh with LIFETIME 0) on
// close. Error responses such as 486 (Allocation Quota Reached) or 508 (Insufficient
// Capacity) end in state kFailed with the server's code and reason.
//
// Drive it like every core: after each input send what poll_transmit() returns (from the
// local socket to the server) and call handle_timeout() at poll_timeout().
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/random.h"
#include "base/result.h"
#include "base/socket_address.h"
#include "base/time.h"
#include "ice/agent_config.h"
#include "ice/inbound.h"
#include "stun/client_transaction.h"
#include "stun/integrity.h"
#include "stun/message.h"

namespace rtcstack::ice {


enum class TurnState : std::uint8_t { kNew, kAllocating, kAllocated, kFailed, kClosing, kClosed };

std::string_view to_string(TurnState state);

struct TurnError {
  int code;            ///< the server's ERROR-CODE, or 0 when it never answered
  std::string reason;  ///< what went wrong, for people
};

class TurnClient {
 public:
  TurnClient(base::SocketAddress local, TurnServer server, base::Random& random,
             stun::TransactionConfig transaction = {base::Duration::milliseconds(500), 7, 2,
                                                    base::Duration::seconds(2)});

  /// How long a request over TCP or TLS waits for its answer (it is sent once).
  static constexpr base::Duration kStreamAnswerTime = base::Duration::seconds(10);

  /// Sends the first Allocate.
  void start(base::Instant now);
  /// Over TCP or TLS: the connection to the server failed or closed, or carried something
  /// other than TURN. The allocation is gone with it: state kFailed, error code 0.
  void connection_lost(std::string reason);
  /// Whether the server is reached over TCP or TLS.
  bool stream() const { return server_.transport != TurnTransport::kUdp; }

  TurnState state() const { return state_; }
  const std::optional<TurnError>& error() const { return error_; }
  const base::SocketAddress& local() const { return local_; }
  const TurnServer& server() const { return server_; }
  /// The relayed transport address peers send to, once allocated.
  const std::optional<base::SocketAddress>& relayed_address() const { return relayed_; }
  /// Our address as the server saw it (a server-reflexive candidate for free).
  const std::optional<base::SocketAddress>& mapped_address() const { return mapped_; }

  /// Installs a permission for `peer` (and binds a channel, unless `bind_channel` is
  /// false) and keeps both refreshed. kWrongState before the allocation exists.
  base::Result<void> add_peer(base::Instant now, const base::SocketAddress& peer, bool bind_channel = true);
  bool has_permission(const base::SocketAddress& peer) const;
  bool has_channel(const base::SocketAddress& peer) const;

  /// Wraps `data` for `peer` into `out`: ChannelData on a bound channel, a Send
  /// indication otherwise. The result goes from local() to server().address.
  base::Result<base::ByteView> wrap(const base::SocketAddress& peer, base::ByteView data,
                                    base::MutableByteView out);

  struct PeerData {
    base::SocketAddress peer;
    base::ByteView data;  ///< a view into the datagram passed to handle_receive
  };
  /// A datagram from the server. Responses are consumed (nullopt); Data indications and
  /// ChannelData give the peer's data. Anything else is dropped and counted.
  std::optional<PeerData> handle_receive(base::Instant now, base::ByteView datagram) {
    return handle_receive(now, Inbound(datagram));
  }
  /// The same for a datagram already looked at (its STUN parse is used).
  std::optional<PeerData> handle_receive(base::Instant now, const Inbound& datagram);

  void handle_timeout(base::Instant now);
  base::Instant poll_timeout() const;
  /// The next datagram for the server.
  std::optional<base::Buffer> poll_transmit();

  /// Deallocates (Refresh with LIFETIME 0); state kClosing, then kClosed.
  void close(base::Instant now);

  std::uint64_t dropped() const { return dropped_; }
  /// How often the server declared our nonce stale (438) and we retried with a new one.
  std::uint64_t nonce_renewals() const { return nonce_renewals_; }

 private:
  enum class Purpose : std::uint8_t { kAllocate, kRefresh, kPermission, kChannel };
  struct Pending {
    Purpose purpose;
    base::SocketAddress peer;
    std::uint16_t channel = 0;
    std::uint32_t lifetime = 0;
    bool authenticated;
    stun::ClientTransaction transaction;
  };
  struct Peer {
    base::SocketAddress address;
    std::optional<std::uint16_t> channel;  ///< bound
    std::uint16_t channel_number = 0;      ///< requested or bound
    bool bind_channel = false;
    bool permitted = false;
    base::Instant permission_refresh_at = base::Instant::max();
    base::Instant channel_refresh_at = base::Instant::max();
  };

  void send_request(base::Instant now, Purpose purpose, const base::SocketAddress& peer,
                    std::uint16_t channel, std::uint32_t lifetime);
  void handle_response(base::Instant now, const stun::StunMessage& response);
  /// A challenge answered with credentials, a refused permission, or the end of the allocation.
  void on_error_response(base::Instant now, const Pending& done, const stun::StunMessage& response);
  void on_success_response(base::Instant now, const Pending& done, const stun::StunMessage& response);
  void fail(int code, std::string reason);
  Peer* find_peer(const base::SocketAddress& address);
  const Peer* find_peer(const base::SocketAddress& address) const;

  base::SocketAddress local_;
  TurnServer server_;
  base::Random& random_;
  stun::TransactionConfig transaction_config_;
  TurnState state_ = TurnState::kNew;
  std::optional<TurnError> error_;
  std::optional<base::SocketAddress> relayed_;
  std::optional<base::SocketAddress> mapped_;
  std::string realm_;
  std::string nonce_;
  std::optional<stun::LongTermKey> key_;
  std::vector<Pending> pending_;
  std::vector<Peer> peers_;
  std::deque<base::Buffer> outbox_;
  base::Instant refresh_at_ = base::Instant::max();
  std::uint16_t next_channel_ = 0x4000;
  std::uint64_t dropped_ = 0;
  std::uint64_t nonce_renewals_ = 0;
};

}  // namespace rtcstack::ice
