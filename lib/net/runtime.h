// The IO edge of rtcstack: real UDP sockets, an epoll loop on one IO thread, the monotonic
// clock, and PeerConnections driven by them. Many connections share a runtime (and, if
// asked, its sockets: PeerConnection::accepts() routes each datagram).
//
// Threads and callbacks:
// - Every PeerConnectionHandle call is thread-safe: it runs on the calling thread under
//   the process-wide lock and wakes the IO thread, which sends what it produced.
// - Callbacks run on the IO thread, one at a time, and never under a lock: inside any of
//   them every handle call is legal, close() and dropping the last handle included. Do
//   not destroy the Runtime itself from a callback (the IO thread cannot join itself).
// - The sans-IO cores below share usrsctp's process-global state, so all runtimes of a
//   process take one process-wide lock around them - never while a callback runs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/byte_budget.h"
#include "base/result.h"
#include "base/socket_address.h"
#include "net/port_range.h"
#include "pc/peer_connection.h"

namespace rtcstack::net {

/// What a runtime's mDNS endpoint saw (Runtime::mdns_stats()).
struct MdnsStats {
  std::uint64_t received = 0;      ///< datagrams on port 5353
  std::uint64_t malformed = 0;     ///< not DNS, truncated or hostile: dropped
  std::uint64_t unrelated = 0;     ///< queries for others' names, answers to others' questions
  std::uint64_t answered = 0;      ///< queries for our names, answered
  std::uint64_t rate_limited = 0;  ///< queries for our names left unanswered: one answer a second per name
  std::uint64_t queries_sent = 0;  ///< our queries for remote candidates' names
};

struct RuntimeOptions {
  /// Local addresses to open a UDP socket on; empty means every interface address
  /// (net::interface_addresses()) that the filters below let through.
  std::vector<base::IpAddress> addresses;
  /// With `addresses` empty: include 127.0.0.1 and ::1.
  bool include_loopback = false;
  /// With `addresses` empty: only interfaces whose names match one of these ({"eth0",
  /// "wl*"}: a trailing '*' matches any suffix); empty: every interface.
  std::vector<std::string> interfaces;
  /// With `addresses` empty: never interfaces whose names match one of these ({"docker*",
  /// "veth*", "tun*"}), whatever `interfaces` says.
  std::vector<std::string> excluded_interfaces;
  /// false (default): each connection binds its own socket on every address, on a port
  /// the kernel picks. true: the runtime binds one socket per address on `port` and all
  /// connections share them, PeerConnection::accepts() routing each datagram (one port
  /// to open in a firewall; two connections to the same remote address cannot be told
  /// apart then, so give peers distinct addresses).
  bool share_sockets = false;
  /// The port of the shared sockets (0: the kernel picks, or the first free one of
  /// `ports`).
  std::uint16_t port = 0;
  /// Host candidates over UDP: each connection's sockets (or the shared ones).
  bool udp_candidates = true;
  /// ICE-TCP (RFC 6544): each connection also listens on a TCP port per address (a
  /// passive candidate) and offers an active one per address (port 9 in the SDP), from
  /// which it connects to the peer's passive candidates. Every datagram then travels as an
  /// RFC 4571 frame. TCP candidates rank below UDP ones, so a call uses TCP only where UDP
  /// does not get through; with udp_candidates false it offers TCP only (a server behind
  /// a firewall that opens one TCP range). Needs each connection's own sockets: with
  /// share_sockets, create() fails with kInvalidArgument.
  bool tcp_candidates = false;
  /// mDNS candidates (draft-ietf-mmusic-mdns-ice-candidates): a remote candidate named
  /// "<uuid>.local" (how browsers hide their addresses) is resolved by multicast queries
  /// to 224.0.0.251 and ff02::fb, port 5353, on the runtime's interfaces. Nothing waits
  /// for it: the other candidates are checked meanwhile, a name unanswered after three
  /// queries (6 s) is given up, and answers are cached for their TTL. The socket on port
  /// 5353 opens at the first such candidate; where it cannot, those candidates are dropped.
  bool mdns_resolve = true;
  /// Hides each connection's host addresses behind random "<uuid>.local" names (one per
  /// address and connection), which the runtime's mDNS responder answers for - and for
  /// nothing else, at most once a second per name; server-reflexive and relayed
  /// candidates then give 0.0.0.0 as their related address. Off by default: a server on
  /// public addresses gains nothing, and peers without a multicast path to it reach only
  /// its other candidates. create() fails with kInternal when port 5353 cannot be joined.
  bool mdns_host_names = false;
  /// Every socket the runtime binds takes a port in this range (inclusive), for a
  /// firewall that opens only those: {50000, 50999}. Connections with their own sockets
  /// take the free ports in turn; one that finds none fails with kResourceExhausted until
  /// another connection ends and gives its ports back. Empty: the kernel picks. TCP
  /// connections to TURN servers and ICE-TCP listening and connecting sockets take their
  /// local port from it too.
  PortRange ports;
  /// TURN over TCP and TLS (pc::TurnServer::transport kTcp, kTls): each connection opens its
  /// own connection to every such server when it is created, and closes it when it ends.
  /// TLS verifies the server's certificate against the system's CA certificates and, when
  /// given, this PEM file's (how a private CA, or a test's certificate, is trusted), and
  /// checks that it names TurnServer::host (or the server's IP). A file that cannot be
  /// read fails create() with kInvalidArgument.
  std::string tls_ca_file;
  /// Caps on live connections (not yet failed or closed): create_peer_connection() past
  /// them fails with kResourceExhausted. `max_unconnected` counts those that have not
  /// connected yet - what abandoned offers pile up - and is what a server exposed to
  /// anyone sets lowest. Each connection with its own sockets holds one descriptor per
  /// address: keep max_connections times that well under RLIMIT_NOFILE.
  std::size_t max_connections = 10'000;
  std::size_t max_unconnected = 1'000;
  /// The budget for bytes peers can make connections hold (pc::Configuration::
  /// buffer_budget): every connection of this runtime gets it unless its configuration
  /// brings its own. Pass one budget to several runtimes to bound the whole process;
  /// without one, the runtime makes one of `buffered_bytes_limit`.
  std::shared_ptr<base::ByteBudget> buffer_budget;
  std::size_t buffered_bytes_limit = std::size_t{512} << 20;
};

/// The W3C event handlers of one connection. Unset ones are skipped.
struct Callbacks {
  std::function<void(pc::SignalingState)> on_signaling_state_change;
  std::function<void(pc::IceGatheringState)> on_ice_gathering_state_change;
  std::function<void(pc::IceConnectionState)> on_ice_connection_state_change;
  /// `reason` says why for kFailed.
  std::function<void(pc::PeerConnectionState, const std::string& reason)> on_connection_state_change;
  /// onicecandidate; an empty candidate marks the end of gathering.
  std::function<void(const std::string& candidate, const std::string& mid)> on_ice_candidate;
  /// onicecandidateerror: a TURN server refused us or never answered.
  std::function<void(const pc::IceCandidateErrorEvent&)> on_ice_candidate_error;
  /// onselectedcandidatepairchange (the ICE transport's): the pair in use changed.
  std::function<void(const pc::SelectedCandidatePairChangeEvent&)> on_selected_candidate_pair_change;
  std::function<void(pc::ChannelHandle, const pc::DataChannelInit&)> on_data_channel;
  /// onopen / onclosing / onclose of a channel.
  std::function<void(pc::ChannelHandle, pc::DataChannelState)> on_channel_state;
  std::function<void(pc::ChannelHandle, bool binary, base::Buffer data)> on_message;
  std::function<void(pc::ChannelHandle)> on_buffered_amount_low;
  /// ontrack: the peer sends on a transceiver's section.
  std::function<void(const pc::TrackEvent&)> on_track;
  /// An incoming RTP packet of a transceiver, decrypted (RTX restored), with the rid of
  /// its simulcast layer ("" without simulcast).
  std::function<void(pc::TransceiverHandle, base::Buffer packet, const std::string& rid)> on_rtp;
  /// The peer asks for a key frame on what the transceiver sends (PLI, FIR): of the
  /// simulcast encoding `rid` names ("" without simulcast).
  std::function<void(pc::TransceiverHandle, const std::string& rid)> on_key_frame_request;
  /// Congestion control's target for all media of the connection, in bits per second on
  /// the wire (pc::TargetBitrateEvent): encoders follow it.
  std::function<void(std::uint64_t bitrate_bps)> on_target_bitrate;
  /// The peer no longer sends on a transceiver whose track was announced (pc::TrackEndedEvent).
  std::function<void(pc::TransceiverHandle)> on_track_ended;
};

class RuntimeCore;

/// A connection owned by a Runtime. Dropping the last handle closes it (as close() does)
/// and forgets it. Callbacks often hold handles too (a weak_ptr locked for a moment), so
/// which drop is the last is not always known: call close() before freeing what the
/// callbacks use.
class PeerConnectionHandle {
 public:
  ~PeerConnectionHandle();
  PeerConnectionHandle(const PeerConnectionHandle&) = delete;
  PeerConnectionHandle& operator=(const PeerConnectionHandle&) = delete;

  base::Result<pc::SessionDescriptionInit> create_offer();
  base::Result<pc::SessionDescriptionInit> create_answer();
  base::Result<void> set_local_description(pc::SessionDescriptionInit description);
  base::Result<void> set_remote_description(pc::SessionDescriptionInit description);
  base::Result<void> add_ice_candidate(const std::string& candidate);
  /// W3C restartIce(): the next create_offer() restarts ICE (pc::PeerConnection::restart_ice).
  void restart_ice();
  std::optional<pc::SessionDescriptionInit> local_description();
  std::optional<pc::SessionDescriptionInit> remote_description();

  base::Result<pc::ChannelHandle> create_data_channel(const pc::DataChannelInit& init);
  base::Result<void> send(pc::ChannelHandle channel, base::ByteView data, bool binary);
  base::Result<void> send(pc::ChannelHandle channel, std::string_view text) {
    return send(channel, base::as_bytes(text), false);
  }
  base::Result<void> close_data_channel(pc::ChannelHandle channel);
  std::size_t buffered_amount(pc::ChannelHandle channel);
  void set_buffered_amount_low_threshold(pc::ChannelHandle channel, std::size_t threshold);
  std::optional<pc::DataChannelState> channel_state(pc::ChannelHandle channel);
  // Media: see pc::PeerConnection.
  base::Result<pc::TransceiverHandle> add_transceiver(pc::MediaKind kind,
                                                      pc::RtpTransceiverDirection direction = pc::RtpTransceiverDirection::kSendRecv);
  base::Result<pc::TransceiverHandle> add_transceiver(pc::MediaKind kind, const pc::RtpTransceiverInit& init);
  base::Result<pc::TransceiverHandle> add_track(pc::MediaKind kind);
  base::Result<void> set_direction(pc::TransceiverHandle transceiver, pc::RtpTransceiverDirection direction);
  base::Result<void> stop_transceiver(pc::TransceiverHandle transceiver);
  std::optional<pc::CodecParameters> send_codec(pc::TransceiverHandle transceiver);
  std::vector<pc::CodecParameters> negotiated_codecs(pc::TransceiverHandle transceiver);
  base::Result<void> set_codec_preferences(pc::TransceiverHandle transceiver, std::vector<pc::CodecParameters> codecs);
  std::vector<pc::RtpEncodingParameters> send_encodings(pc::TransceiverHandle transceiver);
  base::Result<void> set_send_encodings(pc::TransceiverHandle transceiver, std::vector<pc::RtpEncodingParameters> encodings);
  std::vector<std::string> receive_rids(pc::TransceiverHandle transceiver);
  base::Result<void> send_rtp(pc::TransceiverHandle transceiver, base::ByteView payload, std::uint32_t timestamp,
                              bool marker, std::string_view rid = {});
  base::Result<void> request_key_frame(pc::TransceiverHandle transceiver, std::string_view rid = {});
  base::Result<void> send_nack(pc::TransceiverHandle transceiver, std::span<const std::uint16_t> lost,
                               std::string_view rid = {});

  /// W3C getStats(): the connection's stats objects (pc/stats.h), stamped now; empty once
  /// its runtime is gone.
  std::vector<pc::Stats> get_stats();
  pc::SignalingState signaling_state();
  pc::PeerConnectionState connection_state();
  pc::IceGatheringState ice_gathering_state();
  /// Closes the connection. No callback of it starts afterwards; called from outside
  /// every runtime's IO thread, close() also waits for one that is running to return
  /// (from a callback it never waits, so callbacks of two runtimes cannot wait for each
  /// other). Queries still work.
  void close();

 private:
  friend class Runtime;
  PeerConnectionHandle(std::shared_ptr<RuntimeCore> core, std::uint64_t id) : core_(std::move(core)), id_(id) {}
  template <class R, class F>
  R with_connection(R fallback, F&& function);

  std::shared_ptr<RuntimeCore> core_;
  std::uint64_t id_;
};

class Runtime {
 public:
  /// Opens the sockets and starts the IO thread. kInternal when no socket could be bound.
  static base::Result<std::unique_ptr<Runtime>> create(RuntimeOptions options = {});
  /// Closes every connection and stops the IO thread.
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// A new connection whose host candidates are its sockets (the ICE config's
  /// host_addresses are replaced). kResourceExhausted past the caps of RuntimeOptions, or
  /// when the process is out of descriptors (EMFILE, ENFILE): nothing else changes, and
  /// a later call succeeds once connections have ended.
  ///
  /// A connection that fails or closes (pc::PeerConnection::ended()) gives its sockets,
  /// timers and buffers back at once, while its handle keeps answering queries; it no
  /// longer counts against the caps.
  base::Result<std::shared_ptr<PeerConnectionHandle>> create_peer_connection(pc::Configuration configuration,
                                                                            Callbacks callbacks);
  /// The shared sockets' addresses (empty unless RuntimeOptions::share_sockets).
  std::vector<base::SocketAddress> local_addresses() const;
  /// Connections not yet forgotten (their handles alive), ended ones included.
  std::size_t connection_count() const;
  /// Live connections (not failed or closed), and those among them not yet connected.
  struct Load {
    std::size_t live = 0, unconnected = 0;
  };
  Load load() const;
  /// What the mDNS endpoint saw (zeros until it opened).
  MdnsStats mdns_stats() const;

 private:
  explicit Runtime(std::shared_ptr<RuntimeCore> core) : core_(std::move(core)) {}
  std::shared_ptr<RuntimeCore> core_;
};

}  // namespace rtcstack::net
