// What an ICE agent is configured with: the caller's sockets, STUN and TURN servers, the
// transport policy, credentials, pacing and the caps a hostile peer meets. Apart from the
// agent so that configuring a connection costs no ICE machinery.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/socket_address.h"
#include "base/time.h"
#include "ice/candidate.h"
#include "ice/states.h"
#include "stun/transaction_config.h"

namespace rtcstack::ice {

struct Credentials {
  std::string ufrag;
  std::string password;
};

struct TurnServer {
  base::SocketAddress address;
  std::string username;
  std::string password;
  TurnTransport transport = TurnTransport::kUdp;
  /// kTcp and kTls: the local address of the caller's connection to the server (lib/net's
  /// Runtime opens it). The agent's messages for the server go out as Transmits from it -
  /// the caller writes their bytes to the stream - and the messages the stream brings
  /// (split by stun::StreamFramer) come back through handle_receive() with it as the
  /// local address. Without one, the server gives no candidate.
  std::optional<base::SocketAddress> connection = {};
  /// kTls: the name the server's certificate must carry, sent as SNI (the IP address when
  /// empty); what the W3C url of its candidates names.
  std::string host = {};
};

/// The server as a URL (RFC 7065): "turn:IP:port?transport=udp|tcp",
/// "turns:host:port?transport=tcp".
std::string turn_url(const TurnServer& server);

struct AgentConfig {
  /// A lite agent (servers with a public address) is always controlled; its peer must be a
  /// full agent, which the caller makes controlling.
  Mode mode = Mode::kFull;
  Role role = Role::kControlling;
  /// Addresses of the UDP sockets the caller has bound; each becomes a host candidate
  /// (duplicates once; loopback addresses only when allow_loopback is set).
  std::vector<base::SocketAddress> host_addresses;
  bool allow_loopback = false;
  /// ICE-TCP (RFC 6544). Addresses of TCP sockets the caller listens on: each a passive
  /// host candidate. The caller accepts connections on them and feeds each RFC 4571 frame
  /// to handle_receive() as a kTcp Inbound, with the listening address as local and the
  /// connection's peer as remote; Transmits to that peer go back over that connection.
  std::vector<base::SocketAddress> tcp_listen_addresses;
  /// Addresses the caller opens TCP connections from: each an active host candidate at
  /// port 9. A kTcp Transmit from one goes over the caller's connection to its remote,
  /// opened when there is none; what that connection brings is fed with the candidate's
  /// address (port 9) as local.
  std::vector<base::IpAddress> tcp_active_addresses;
  /// mDNS names that hide host addresses (draft-ietf-mmusic-mdns-ice-candidates §3.1): a
  /// host candidate on one of these IPs is signalled by its name (Candidate::hostname),
  /// and server-reflexive and relayed candidates give 0.0.0.0 (or ::) port 0 as their
  /// related address, so no description or trickled candidate reveals a local address.
  /// Whoever sets them answers mDNS queries for them (ice::mdns::Responder; net::Runtime
  /// does, with RuntimeOptions::mdns_host_names).
  std::vector<std::pair<base::IpAddress, std::string>> host_names;
  /// STUN servers asked, from every host candidate of the same family, for the address
  /// the outside sees: server-reflexive candidates.
  std::vector<base::SocketAddress> stun_servers;
  /// TURN servers: from every host candidate of the same family, an allocation whose
  /// relayed address becomes a relayed candidate.
  std::vector<TurnServer> turn_servers;
  /// kRelay: only relayed candidates are announced and checked (RTCIceTransportPolicy).
  enum class TransportPolicy : std::uint8_t { kAll, kRelay } policy = TransportPolicy::kAll;
  /// Retransmission of those requests: gathering gives up on a server after ~3.5 s.
  stun::TransactionConfig gathering_transaction = {base::Duration::milliseconds(500), 3, 4,
                                                   base::Duration::seconds(2)};
  /// Local credentials; generated (4-character ufrag, 24-character password) when empty.
  Credentials credentials;
  /// Pacing interval between new checks (RFC 8445 §14.2 allows 5 ms and up; 50 ms is the
  /// traditional value).
  base::Duration ta = base::Duration::milliseconds(50);
  /// Retransmission of each check (RFC 8445 §14.3 computes RTO from Ta and the number of
  /// active pairs; this is its floor).
  stun::TransactionConfig check_transaction = {base::Duration::milliseconds(500), 7, 2,
                                               base::Duration::seconds(2)};
  /// How long the controlling agent waits after the first valid pair for a better one
  /// before it nominates the best pair it has.
  base::Duration nomination_delay = base::Duration::milliseconds(200);
  /// At most this many candidate pairs are kept (RFC 8445 §6.1.2.5).
  std::size_t max_pairs = 100;
  /// Bytes of checks sent to remote addresses that have never answered (nothing
  /// authenticated came from them), at most: signalled candidates are addresses a peer
  /// chose, and without a cap one description of 64 candidates would make us send ~9
  /// times its size to them. Past it, checks to such addresses are not sent and their
  /// pairs fail; addresses that answered are not limited. 48 KiB covers every pair of a
  /// browser's usual 8 candidates times our 4 failing through all retransmissions.
  std::size_t max_unanswered_bytes = 48 * 1024;
  /// At most this many remote candidates, signalled and peer-reflexive together: more
  /// signalled ones are refused (kResourceExhausted), more peer-reflexive sources are
  /// answered but not learned (dropped_candidates counts both).
  std::size_t max_remote_candidates = 64;
  /// Without a=end-of-candidates (browsers never signal it), the agent fails once every
  /// pair has failed and no remote candidate has arrived for this long: a late trickled
  /// candidate may still save the connection, an absent one cannot hold it open forever.
  base::Duration failed_after_all_pairs_failed = base::Duration::seconds(5);
  /// Consent freshness (RFC 7675) on the selected pair: a check every interval, randomised
  /// by ±20%; they double as keepalives.
  base::Duration consent_interval = base::Duration::seconds(5);
  /// Without a consent response for this long the connection is "disconnected"...
  base::Duration disconnected_after = base::Duration::seconds(8);
  /// ...and after this long consent has expired: the pair may no longer carry data and,
  /// with no other nominated pair, the connection has "failed".
  base::Duration consent_expiry = base::Duration::seconds(30);
  /// A selected pair on which nothing has arrived for this long, and whose consent answer
  /// is overdue (none for 1.2 consent intervals + 1 s), gives way to a valid pair on which
  /// the peer's traffic does arrive (its NAT rebound, or it moved): the controlling agent
  /// nominates that pair, the controlled one follows it.
  base::Duration switch_after = base::Duration::milliseconds(2500);
};

}  // namespace rtcstack::ice
