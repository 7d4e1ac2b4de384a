// A sans-IO ICE agent (RFC 8445), DESIGN.md §1: it owns no socket, thread or clock.
// The caller binds the UDP sockets, passes their addresses in the config, feeds every
// datagram to handle_receive(), calls handle_timeout() at poll_timeout(), and drains
// poll_output() (datagrams to send, events) after each input.
//
// What this agent does today: host candidates from the caller's sockets (IPv4 and IPv6),
// server-reflexive candidates through STUN servers,
// trickle in both directions (remote candidates and credentials in any order, before or
// during checks), pairing with pruning of redundant pairs, the frozen/waiting/in-progress/
// succeeded/failed pair states with foundations, checks paced by Ta with a triggered-check
// queue, retransmission on the RFC 8489 schedule, peer-reflexive candidates on both sides,
// role conflicts (487 and tie-breakers), regular nomination by the controlling side and
// acceptance of USE-CANDIDATE, pair selection, the W3C gathering and connection states,
// and gatekeeping: application data is passed up only from the remote address of a
// succeeded pair; bad credentials, integrity or fingerprint and unknown transactions are
// dropped and counted; consent freshness (RFC 7675) on the selected pair; ICE-lite mode
// (RFC 8445 §2.5: host candidates only, no checks of its own, the pair the full peer
// nominates is selected, the peer's consent checks keep it alive). Relayed candidates
// through TURN servers (RFC 8656) with the relay-only policy; ICE restart.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/buffer_pool.h"
#include "base/bytes.h"
#include "base/random.h"
#include "base/ring_queue.h"
#include "base/socket_address.h"
#include "base/time.h"
#include "base/transmit.h"
#include "ice/agent_config.h"
#include "ice/candidate.h"
#include "ice/inbound.h"
#include "ice/states.h"
#include "ice/turn_client.h"
#include "stun/client_transaction.h"
#include "stun/message.h"

namespace rtcstack::ice {

using base::Transmit;

struct LocalCandidateEvent { Candidate candidate; };
struct GatheringStateEvent { GatheringState state; };
struct ConnectionStateEvent { ConnectionState state; };
struct RoleChangeEvent { Role role; };
struct SelectedPairEvent {
  Candidate local;
  Candidate remote;
};
/// A TURN server refused or never answered (401 with wrong credentials, 486 Allocation
/// Quota Reached, 508 Insufficient Capacity, ...): no relayed candidate from it.
struct TurnErrorEvent {
  base::SocketAddress server;
  std::string url;            ///< the server as a URL (turn_url())
  base::SocketAddress local;  ///< the socket the requests went from
  TurnError error;
};
using Event = std::variant<LocalCandidateEvent, GatheringStateEvent, ConnectionStateEvent,
                           RoleChangeEvent, SelectedPairEvent, TurnErrorEvent>;

/// Why the agent wants to wake up (for traces).
enum class TimerReason : std::uint8_t {
  kNone, kPacing, kRetransmission, kNomination, kConsent, kGathering, kTurn,
  kGiveUp,  ///< every pair failed: fail once the grace for new candidates is over
};
struct Timeout {
  base::Instant at;
  TimerReason why;
};
using Output = std::variant<Transmit, Event, Timeout>;

/// What handle_receive() did with a datagram.
enum class Received : std::uint8_t {
  kStun,             ///< an ICE or TURN message, consumed
  kApplicationData,  ///< from a validated remote address: the caller passes `payload` up (DTLS, ...)
  kDropped,          ///< malformed, unauthenticated, unknown or from a stranger; counted
};

struct ReceiveResult {
  Received what;
  /// For kApplicationData: the application's bytes - the datagram itself, or what a TURN
  /// server relayed, unwrapped (a view into the datagram either way).
  base::ByteView payload;
  friend bool operator==(const ReceiveResult& result, Received what) { return result.what == what; }
};

enum class PairState : std::uint8_t { kFrozen, kWaiting, kInProgress, kSucceeded, kFailed };

/// What went over one candidate pair (W3C RTCIceCandidatePairStats): application data
/// while it was selected, and the checks - connectivity and consent - in both directions.
struct PairCounters {
  std::uint64_t packets_sent = 0, bytes_sent = 0;
  std::uint64_t packets_received = 0, bytes_received = 0;
  std::uint64_t requests_sent = 0;          ///< every transmission of a check, consent checks included
  std::uint64_t consent_requests_sent = 0;
  std::uint64_t requests_received = 0;      ///< authenticated checks from the peer
  std::uint64_t responses_sent = 0;
  std::uint64_t responses_received = 0;     ///< authenticated answers to our checks
  /// Round trips of answered checks sent once (a retransmitted one's is ambiguous).
  base::Duration total_round_trip_time = base::Duration::zero();
  std::uint64_t round_trips = 0;
  std::optional<base::Duration> current_round_trip_time;
  void note_round_trip(std::optional<base::Duration> rtt) {
    if (!rtt) return;
    total_round_trip_time += *rtt;
    ++round_trips;
    current_round_trip_time = rtt;
  }
};

struct CandidatePair {
  std::size_t local;   ///< index into local_candidates()
  std::size_t remote;  ///< index into remote_candidates()
  std::uint64_t priority = 0;
  PairState state = PairState::kFrozen;
  bool nominated = false;          ///< both sides agree to use it
  bool remote_nominated = false;   ///< the controlled side saw USE-CANDIDATE
  bool nominating = false;         ///< the controlling side's next check carries USE-CANDIDATE
  /// The peer sent an authenticated check on this pair: its address is proven.
  bool peer_checked = false;
  std::optional<stun::ClientTransaction> transaction;
  bool transaction_nominates = false;
  /// When anything (data or an authenticated check or answer) last arrived on it.
  base::Instant last_received;
  PairCounters counters;
};

/// Counters of what arrived and what was done with it.
struct AgentStats {
  std::uint64_t checks_sent = 0;
  std::uint64_t requests_received = 0;
  std::uint64_t responses_received = 0;
  std::uint64_t dropped_malformed = 0;
  std::uint64_t dropped_bad_credentials = 0;
  std::uint64_t dropped_unknown_transaction = 0;
  std::uint64_t dropped_stranger = 0;
  std::uint64_t role_conflicts = 0;
  std::uint64_t dropped_candidates = 0;  ///< remote candidates beyond max_remote_candidates
  std::uint64_t refused_candidates = 0;  ///< signalled at addresses no check may go to
  std::uint64_t unanswered_bytes = 0;    ///< of checks sent to addresses that never answered
  std::uint64_t checks_withheld = 0;     ///< not sent: max_unanswered_bytes was reached
};

class Agent {
 public:
  /// `pool`: where buffers come from and go back to (it must outlive the agent); the
  /// connection that owns the agent hands one pool to all its layers. None: a pool of
  /// its own.
  Agent(AgentConfig config, base::Random& random, base::BufferPool* pool = nullptr);

  const Credentials& local_credentials() const { return local_credentials_; }
  Role role() const { return role_; }
  std::uint64_t tie_breaker() const { return tie_breaker_; }
  GatheringState gathering_state() const { return gathering_state_; }
  ConnectionState connection_state() const { return connection_state_; }
  /// Failed because the peer stopped answering consent checks on the pair in use, not
  /// because no pair ever worked.
  bool consent_expired() const { return consent_expired_; }

  /// Emits the host candidates (trickle) and completes gathering.
  void start_gathering(base::Instant now);
  /// The peer's ufrag and password; checks start once they and a remote candidate exist.
  base::Result<void> set_remote_credentials(Credentials credentials, base::Instant now);
  /// A remote candidate (trickled or from the SDP); one known already with its type
  /// changes nothing. kInvalidArgument for a component other than 1, a known address of
  /// another type, or an address no check may go to (multicast, broadcast,
  /// unspecified, port 0: unusable_remote_address(), counted in refused_candidates);
  /// kResourceExhausted beyond max_remote_candidates.
  base::Result<void> add_remote_candidate(Candidate candidate, base::Instant now);
  /// The peer will send no more candidates (a=end-of-candidates): pairs can now fail for good.
  void set_remote_end_of_candidates(base::Instant now);

  /// Feeds a datagram that arrived on the socket `local` from `remote`.
  ReceiveResult handle_receive(base::Instant now, const base::SocketAddress& local,
                               const base::SocketAddress& remote, base::ByteView datagram) {
    return handle_receive(now, local, remote, Inbound(datagram));
  }
  /// The same for a datagram the caller has looked at already (its STUN parse is used).
  ReceiveResult handle_receive(base::Instant now, const base::SocketAddress& local,
                               const base::SocketAddress& remote, const Inbound& datagram);
  /// Queues application data on the selected pair (wrapped for the TURN server when the
  /// pair is relayed). kWrongState when nothing may be sent (see can_send()).
  base::Result<void> send(base::ByteView data);
  /// The same for bytes in a buffer of buffer_pool(): it becomes the Transmit's (no copy)
  /// unless the pair is relayed; either way the pool gets it back.
  base::Result<void> send(base::Buffer&& data);
  void handle_timeout(base::Instant now);
  /// Next output; a Timeout means nothing else is pending.
  Output poll_output();
  /// Where the agent takes the buffers of its Transmits from. Give a Transmit's bytes back
  /// after sending them (recycle) and the send path stops allocating; its owner may take
  /// buffers for its own outputs from it too.
  base::BufferPool& buffer_pool() { return *pool_; }

  /// ICE restart (RFC 8445 §9): new local credentials (generated unless given), the
  /// remote credentials and candidates forgotten, gathering from scratch. The pair in use
  /// keeps carrying data - selected_pair(), can_send() and incoming data - and the state
  /// stays as it was, until checks with the new credentials select a pair. Consent checks
  /// pause meanwhile (the peer's old password is gone), but the old pair's consent still
  /// ages: no answer for disconnected_after makes the state disconnected, and if no new pair
  /// is selected within consent_expiry of the last answer the old pair stops carrying data
  /// and the state is failed.
  void restart(base::Instant now, Credentials credentials = {});

  /// The caller's TCP or TLS connection to a TURN server (TurnServer::connection, from
  /// `local` to `server`) failed, closed, or carried something other than TURN: that
  /// allocation is gone (a TurnErrorEvent, code 0), pairs on its relayed candidate fail,
  /// and the other candidates carry on. A connection lost before gathering starts (a TLS
  /// handshake can fail first) is remembered, and that server is reported at gathering.
  void handle_connection_lost(base::Instant now, const base::SocketAddress& local, const base::SocketAddress& server,
                              std::string reason);

  /// Stops checking; state closed. Nothing more is sent.
  void close();

  const std::vector<Candidate>& local_candidates() const { return local_candidates_; }
  const std::vector<Candidate>& remote_candidates() const { return remote_candidates_; }
  const std::vector<CandidatePair>& pairs() const { return pairs_; }
  /// The pair application data uses, once one is selected.
  std::optional<SelectedPairEvent> selected_pair() const;
  /// Whether application data may be sent now: a pair is selected and the peer's consent
  /// (RFC 7675) has not expired.
  bool can_send() const { return selected_.has_value() || previous_pair_.has_value(); }
  const AgentStats& stats() const { return stats_; }

 private:
  /// Where a datagram went or came: our base, the peer's address, and the transport (over
  /// TCP, the connection between the two).
  struct Path {
    base::SocketAddress local, remote;
    base::TransportProtocol protocol = base::TransportProtocol::kUdp;
  };
  Path path_of(const CandidatePair& pair) const {
    const Candidate& local = local_candidates_[pair.local];
    return {local.base, remote_candidates_[pair.remote].address, local.protocol};
  }
  bool pair_on(const CandidatePair& pair, const base::SocketAddress& local, const base::SocketAddress& remote,
               base::TransportProtocol protocol) const {
    return local_candidates_[pair.local].based_at(local, protocol) && remote_candidates_[pair.remote].address == remote;
  }
  /// The request names our ufrag, passes MESSAGE-INTEGRITY with our password and has PRIORITY.
  bool request_authenticated(const base::SocketAddress& remote, const stun::StunMessage& request);
  /// Resolves a role conflict the request shows (RFC 8445 §7.3.1.1); true when it was
  /// answered with 487 and nothing more is to be done with it.
  bool answered_role_conflict(const Path& path, const stun::StunMessage& request);
  void learn_peer_reflexive(std::size_t local_index, const base::SocketAddress& remote, std::uint32_t priority);
  /// The peer checked this pair (and nominated it, with USE-CANDIDATE).
  void on_peer_check(std::size_t pair_index, bool use_candidate);
  Received handle_request(const Path& path, const stun::StunMessage& request);
  /// The answer to our consent check on the selected pair (RFC 7675).
  Received handle_consent_response(base::Instant now, const Path& path, const stun::StunMessage& response);
  /// A check's XOR-MAPPED-ADDRESS we do not have as a candidate becomes a local
  /// peer-reflexive one on the pair's base.
  void learn_local_peer_reflexive(std::size_t local_index, const base::SocketAddress& mapped);
  Received handle_response(base::Instant now, const Path& path, const stun::StunMessage& response);
  void add_pairs_for_remote(std::size_t remote_index);
  void add_pair(std::size_t local_index, std::size_t remote_index);
  void recompute_priorities();
  void send_check(base::Instant now, std::size_t pair_index);
  /// Sends the transmissions a check's transaction has due, counting what goes to an
  /// address that never answered; false (the pair has failed) when the cap withholds it.
  bool transmit_check(CandidatePair& pair);
  bool remote_answered(std::size_t remote_index) const;
  void pace(base::Instant now);
  void maybe_nominate(base::Instant now);
  // Moves off a selected pair that has gone quiet while another valid one hears the peer.
  void maybe_switch_path(base::Instant now);
  void finish_switch();  // the replacement is nominated: the old pair fails, the new one is selected
  void on_pair_succeeded(base::Instant now, std::size_t pair_index);
  void update_selection();
  void update_connection_state();
  /// Every pair failed and nothing is pending: the instant the agent fails unless a new
  /// candidate arrives (now with end-of-candidates), or nullopt while a pair may succeed.
  std::optional<base::Instant> give_up_at() const;
  void set_connection_state(ConnectionState state);
  /// Queues a triggered check. A nomination goes first: it is what completes the
  /// connection, and behind another triggered check it would wait a pacing interval (Ta)
  /// - as it would, over ICE-TCP, behind the check each accepted connection triggers.
  void enqueue_triggered(std::size_t pair_index, bool nomination = false);
  void send_consent_check(base::Instant now);
  bool handle_gathering_response(const base::SocketAddress& remote, const stun::StunMessage& response,
                                 base::Instant now);
  ReceiveResult handle_from_turn(base::Instant now, std::size_t relay, const Inbound& datagram);
  void poll_relays(base::Instant now);
  bool pairs_with(const Candidate& local) const;
  void add_host_candidate(const base::SocketAddress& address, base::TransportProtocol protocol, TcpType tcp_type,
                          std::uint16_t local_preference);
  /// Applies AgentConfig::host_names to a local candidate about to be announced.
  void hide_address(Candidate& candidate) const;
  void finish_gathering_if_done();
  void check_consent(base::Instant now);
  base::Duration jittered_consent_interval();
  std::uint32_t peer_reflexive_priority(std::size_t local_index) const;
  std::optional<std::size_t> find_pair(const Path& path) const;
  bool can_check() const;
  std::string pair_foundation(const CandidatePair& pair) const;
  void emit(Event event) { outputs_.emplace_back(std::move(event)); }
  /// Where application data goes: the selected pair (whose counters it adds to), or the
  /// previous one during a restart; nullopt when nothing may be sent.
  std::optional<Path> data_path(std::size_t bytes);
  void transmit(const Path& path, base::Buffer&& bytes);
  void transmit(const Path& path, base::ByteView bytes);

  AgentConfig config_;
  base::Random& random_;
  Credentials local_credentials_;
  std::optional<Credentials> remote_credentials_;
  Role role_;
  std::uint64_t tie_breaker_;
  GatheringState gathering_state_ = GatheringState::kNew;
  ConnectionState connection_state_ = ConnectionState::kNew;
  bool remote_end_of_candidates_ = false;
  base::Instant last_remote_candidate_at_;  // a signalled or peer-reflexive one
  bool closed_ = false;

  std::vector<Candidate> local_candidates_;
  std::vector<Candidate> remote_candidates_;
  std::vector<CandidatePair> pairs_;
  std::deque<std::size_t> triggered_;
  std::optional<std::size_t> selected_;
  // During a restart, the pair that was selected before it.
  std::optional<SelectedPairEvent> previous_pair_;
  std::optional<base::Instant> first_valid_at_;
  std::optional<std::size_t> switching_from_;  // the selected pair a nomination in flight replaces
  base::Instant next_check_at_ = base::Instant::max();
  base::Instant now_;
  std::uint64_t next_remote_foundation_ = 0;
  // Server-reflexive gathering: one Binding transaction per host candidate and server.
  struct ServerQuery {
    std::size_t host;
    base::SocketAddress server;
    stun::ClientTransaction transaction;
  };
  std::vector<ServerQuery> server_queries_;
  // TURN allocations, and the local candidate each one's relayed address became.
  struct Relay {
    TurnClient client;
    std::optional<std::size_t> candidate;
    bool failure_reported = false;
    // Datagrams for peers whose permission the server has not confirmed yet: sent once it
    // has, since the server drops them until then.
    struct Held {
      base::SocketAddress peer;
      base::Buffer bytes;
    };
    std::vector<Held> held = {};
  };
  /// Datagrams a relay holds at most (beyond, they are dropped as the network would).
  static constexpr std::size_t kMaxHeld = 16;
  /// Sends what `relay` holds for peers that now have a permission (all of it is dropped
  /// once the allocation has failed).
  void release_held(Relay& relay);
  /// Wraps `bytes` for `peer` and queues the datagram to the relay's server.
  void send_through(Relay& relay, const base::SocketAddress& peer, base::ByteView bytes);
  std::vector<Relay> relays_;
  // Connections to TURN servers over TCP or TLS that ended before their allocation began.
  struct LostConnection {
    base::SocketAddress local, server;
    std::string reason;
  };
  std::vector<LostConnection> lost_connections_;
  void flush_relay(Relay& relay);
  /// Asks the TURN server of our relayed address for a permission (and channel) for `peer`;
  /// false when that allocation is gone (no pair should use the candidate any more).
  bool permit(const base::SocketAddress& relayed, const base::SocketAddress& peer);
  /// The allocation's relayed address (and, over UDP, its mapped one) as local candidates.
  void announce_relayed(base::Instant now, Relay& relay);
  // Consent freshness on the selected pair.
  std::optional<stun::ClientTransaction> consent_transaction_;
  base::Instant next_consent_at_ = base::Instant::max();
  base::Instant last_consent_at_;
  bool consent_expired_ = false;
  base::RingQueue<Output> outputs_;
  base::BufferPool own_pool_;
  base::BufferPool* pool_;
  AgentStats stats_;
};

}  // namespace rtcstack::ice
