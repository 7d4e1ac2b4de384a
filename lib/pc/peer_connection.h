// A sans-IO PeerConnection (W3C webrtc-pc, JSEP RFC 8829): offer and answer with
// rollback, ICE (lib/ice) -> DTLS (lib/dtls) -> SCTP (lib/sctp) for data channels and
// SRTP (lib/srtp) for RTP media of transceivers, all on one BUNDLE transport, RFC 7983
// demultiplexing, the W3C states by name with their events in order. Like every core it
// owns no socket, thread or clock: the caller (lib/net's Runtime, or a test) binds the
// sockets named in the ICE config, feeds datagrams and time in, and drains poll_output().
//
// Calls never call back: everything the W3C API reports through callbacks comes out of
// poll_output() as events, so any call is legal at any time, including right after an
// event (a Runtime may call anything from inside its callbacks).
//
// The API is in the pc namespace by its W3C names, in the headers included below; the
// connection's parts (the transport, the transceivers, the data channels, JSEP) are in
// headers of lib/pc that are not installed, named here by forward declaration only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/buffer_pool.h"
#include "base/random.h"
#include "base/result.h"
#include "base/ring_queue.h"
#include "base/socket_address.h"
#include "ice/candidate.h"
#include "pc/configuration.h"
#include "pc/data_channel.h"
#include "pc/events.h"
#include "pc/output.h"
#include "pc/rtp_encoding.h"
#include "pc/rtp_parameters.h"
#include "pc/states.h"
#include "pc/stats.h"

// The cores a connection drives; their headers are theirs, not this API's.
namespace rtcstack::ice {
class Agent;
class Inbound;
}  // namespace rtcstack::ice
namespace rtcstack::dtls {
class Endpoint;
}  // namespace rtcstack::dtls
namespace rtcstack::sctp {
class Association;
}  // namespace rtcstack::sctp
namespace rtcstack::sdp {
class SessionDescription;
enum class Setup : std::uint8_t;
}  // namespace rtcstack::sdp

namespace rtcstack::pc {

class DataChannels;  // data_channels.h
class Transceivers;  // transceivers.h
class Transport;     // transport.h
struct LocalParameters;   // jsep.h
struct RemoteParameters;  // jsep.h

class PeerConnection {
 public:
  /// kInternal only if no certificate was given and generating one failed.
  static base::Result<std::unique_ptr<PeerConnection>> create(Configuration configuration, base::Random& random);

  // Signaling (JSEP). Errors say what was wrong and change nothing.
  base::Result<SessionDescriptionInit> create_offer();
  base::Result<SessionDescriptionInit> create_answer();
  /// Our offer or answer (as created; `sdp` may be empty to mean the last one created) or
  /// a rollback. Starts gathering.
  base::Result<void> set_local_description(base::Instant now, SessionDescriptionInit description);
  base::Result<void> set_remote_description(base::Instant now, SessionDescriptionInit description);
  /// A trickled candidate ("candidate:..." or "a=candidate:..."); an empty one means the
  /// peer's end of candidates. Candidates that arrive before the remote description wait.
  base::Result<void> add_ice_candidate(base::Instant now, std::string_view candidate);
  /// W3C restartIce(): the next offer this side creates carries new ICE credentials and
  /// restarts ICE (RFC 8445 §9, RFC 8839 §4.4.1.1.1), whoever's description completes it;
  /// there is no negotiationneeded event, so call create_offer() next. When the offer is
  /// set, the agent gathers anew and, once the answer arrives, checks with the new
  /// credentials; the pair in use keeps carrying DTLS, SCTP and SRTP (no new handshake)
  /// until a new pair is selected. A peer's offer with new credentials restarts ICE the
  /// same way (the answer carries new ones of ours). A rolled-back restart offer returns
  /// to the old credentials, and the restart stays requested for the next offer. No
  /// effect on a closed or failed connection (a failed one has ended).
  void restart_ice();
  /// The current local description with the candidates gathered so far (what a
  /// non-trickle peer sends once gathering is complete).
  std::optional<SessionDescriptionInit> local_description() const;
  std::optional<SessionDescriptionInit> remote_description() const;

  // Data channels.
  base::Result<ChannelHandle> create_data_channel(const DataChannelInit& init);
  base::Result<void> send(ChannelHandle channel, base::ByteView data, bool binary);
  base::Result<void> send(ChannelHandle channel, std::string_view text) { return send(channel, base::as_bytes(text), false); }
  base::Result<void> close_data_channel(ChannelHandle channel);
  std::size_t buffered_amount(ChannelHandle channel) const;
  void set_buffered_amount_low_threshold(ChannelHandle channel, std::size_t threshold);
  /// The SCTP stream id, once known.
  std::optional<std::uint16_t> channel_id(ChannelHandle channel) const;
  std::optional<DataChannelState> channel_state(ChannelHandle channel) const;
  const DataChannelInit* channel_init(ChannelHandle channel) const;

  // Media (RTCRtpTransceiver). A remote offer's audio and video sections take a
  // transceiver of their kind not yet negotiated, or get a new recvonly one.
  /// A transceiver that will offer (or answer) a section of `kind`; the next offer
  /// carries it (renegotiate to add it to a live connection).
  base::Result<TransceiverHandle> add_transceiver(MediaKind kind, RtpTransceiverDirection direction = RtpTransceiverDirection::kSendRecv);
  /// W3C addTransceiver(kind, init): with sendEncodings, up to three simulcast encodings
  /// of video named by rids (pc/rtp_encoding.h), offered with a=rid and a=simulcast.
  /// kInvalidArgument for encodings W3C refuses (check_send_encodings).
  base::Result<TransceiverHandle> add_transceiver(MediaKind kind, const RtpTransceiverInit& init);
  /// W3C addTrack: a transceiver of `kind` that a remote offer made and that has never
  /// been given anything to send gains send in its direction (recvonly becomes sendrecv,
  /// inactive sendonly); without one, a new sendrecv transceiver. Renegotiate to apply.
  base::Result<TransceiverHandle> add_track(MediaKind kind);
  /// What the transceiver wants; takes effect with the next offer or answer.
  /// kWrongState for a stopped transceiver.
  base::Result<void> set_direction(TransceiverHandle transceiver, RtpTransceiverDirection direction);
  /// W3C RTCRtpTransceiver.stop(): sending and receiving end at once (an RTCP BYE tells
  /// the peer when media flowed), and the next offer or answer rejects its section (port
  /// 0, keeping its place). A stopped transceiver cannot be restarted. A peer's
  /// description that rejects the section stops it the same way.
  base::Result<void> stop_transceiver(TransceiverHandle transceiver);
  bool transceiver_stopped(TransceiverHandle transceiver) const;
  std::optional<std::string> transceiver_mid(TransceiverHandle transceiver) const;
  std::optional<MediaKind> transceiver_kind(TransceiverHandle transceiver) const;
  /// The codec the transceiver sends with, once negotiated: the answer's first (RFC 3264
  /// §6.1), with the peer's fmtp (its receive parameters, which govern how we send).
  /// media::VideoSender takes it through pc::video_codec() and payload_options(), Opus
  /// through pc::opus_encoder_config(); "red" means Opus in RED (media::RedEncoder).
  std::optional<CodecParameters> send_codec(TransceiverHandle transceiver) const;
  /// RTCRtpTransceiver's negotiated codecs (getParameters().codecs): what the peer may send
  /// with, each payload type mapped to its codec (with the peer's fmtp); empty before
  /// negotiation.
  std::vector<CodecParameters> negotiated_codecs(TransceiverHandle transceiver) const;
  /// W3C RTCRtpTransceiver.setCodecPreferences: the next offer or answer lists only these
  /// codecs, in this order (RTX entries are accepted and follow their codecs); an empty
  /// list restores rtcstack's own. kInvalidArgument for a codec codec_capabilities() does
  /// not list (matched by name, clock rate, channels and H.264 profile and mode), and
  /// nothing changes; kWrongState for a stopped transceiver.
  base::Result<void> set_codec_preferences(TransceiverHandle transceiver, std::vector<CodecParameters> codecs);
  /// RTCRtpSender/RTCRtpReceiver.getCapabilities(kind).codecs: what rtcstack can send and
  /// receive, in its order of preference.
  static std::vector<CodecParameters> codec_capabilities(MediaKind kind);
  /// RTCRtpSender.getParameters().encodings: what the application gave (defaults filled
  /// in), less the simulcast encodings an answer did not take (a peer that does not do
  /// simulcast leaves the first); a sender a simulcast offer made has the offer's rids.
  std::vector<RtpEncodingParameters> send_encodings(TransceiverHandle transceiver) const;
  /// RTCRtpSender.setParameters(): the same encodings with other values (active,
  /// maxBitrate, scaleResolutionDownBy); kInvalidArgument when their number or rids differ.
  base::Result<void> set_send_encodings(TransceiverHandle transceiver, std::vector<RtpEncodingParameters> encodings);
  /// The rids of the simulcast layers the peer sends on the transceiver, as negotiated
  /// (RtpPacketEvent::rid names them); empty without simulcast.
  std::vector<std::string> receive_rids(TransceiverHandle transceiver) const;
  /// Sends one RTP packet of the negotiated codec: the PeerConnection adds SSRC, sequence
  /// number, payload type and the mid extension, keeps the packet for NACKs (answered by
  /// RTX when negotiated) and protects it with SRTP. kWrongState until the connection
  /// has SRTP keys and the section sends; kInvalidArgument for a payload over 1400 bytes.
  /// Simulcast: `rid` names the encoding ("" the first), which has its own SSRC; its
  /// packets carry the rid extension. kInvalidArgument for a rid the sender does not
  /// have, kWrongState for an inactive encoding or one the answer did not take.
  base::Result<void> send_rtp(TransceiverHandle transceiver, base::ByteView payload, std::uint32_t timestamp, bool marker,
                              std::string_view rid = {});
  /// Asks the peer for a key frame on the transceiver's incoming stream (PLI), of the
  /// simulcast layer `rid` names ("" the first).
  base::Result<void> request_key_frame(TransceiverHandle transceiver, std::string_view rid = {});
  /// Asks the peer to retransmit these packets of the incoming stream (generic NACK), of
  /// the simulcast layer `rid` names.
  base::Result<void> send_nack(TransceiverHandle transceiver, std::span<const std::uint16_t> lost, std::string_view rid = {});

  /// Ends everything (DTLS close_notify, SCTP abort); every state becomes closed, no
  /// events follow.
  void close();

  // The end of a connection. When it fails (setup timeout, ICE, consent, DTLS) or the
  // peer closes it (DTLS close_notify), it ends at once: an SCTP ABORT and a close_notify
  // go out where they still can, open channels close (with their events), and the
  // transports, SRTP sessions and retransmission histories are freed; poll_output() then
  // asks for no more timeouts and handle_receive() ignores everything. Queries and
  // get_stats() keep answering with what was known.
  //
  // States follow the W3C aggregation rules (pc/states.h), with one addition: a peer's
  // close_notify ends the one BUNDLE transport, so the connection reports kClosed (cause
  // kPeerClosed, ICE kClosed, signaling kClosed) at once, where the rules would keep
  // saying "connected" until consent expired 30 s later.
  /// Why the connection failed or closed; kNone while it lives.
  EndCause end_cause() const { return end_cause_; }
  /// Whether the connection has ended (failed or closed) and freed its transports.
  bool ended() const { return released_; }

  // IO.
  /// Whether a datagram arriving on a socket shared by many connections is this one's: a
  /// STUN check for our ICE username, or anything from an address we have paired with.
  /// (A runtime indexes connections by local_ufrag() and ice::Inbound::addressed_ufrag().)
  bool accepts(const base::SocketAddress& remote, const ice::Inbound& datagram) const;
  /// Our ICE ufrag: the configuration's, until an ICE restart replaces it (a runtime that
  /// indexes connections by it looks again after each call).
  const std::string& local_ufrag() const;
  void handle_receive(base::Instant now, const base::SocketAddress& local, const base::SocketAddress& remote,
                      base::ByteView datagram);
  /// The same for a datagram already looked at: its one STUN parse serves the ICE agent.
  void handle_receive(base::Instant now, const base::SocketAddress& local, const base::SocketAddress& remote,
                      const ice::Inbound& datagram);
  /// The caller's TCP or TLS connection to a TURN server (pc::TurnServer::connection, from
  /// `local` to `server`) failed or closed, or the stream carried something other than
  /// TURN: an IceCandidateErrorEvent (701), and the other candidates carry on.
  void handle_connection_lost(base::Instant now, const base::SocketAddress& local, const base::SocketAddress& server,
                              std::string reason);
  /// What the name of an MdnsQueryEvent resolved to (empty: it did not): the candidates
  /// waiting for it join the agent, one per address, or are dropped.
  void handle_mdns_resolution(base::Instant now, std::string_view name, const std::vector<base::IpAddress>& addresses);
  void handle_timeout(base::Instant now);
  Output poll_output();
  /// Hands back the bytes of a Transmit once sent, or of an RtpPacketEvent or MessageEvent
  /// once used: the connection fills them again instead of allocating (optional; lib/net
  /// does it for Transmits).
  void recycle(base::Buffer buffer);

  /// The W3C stats objects that exist so far (pc/stats.h), stamped with `now`.
  std::vector<Stats> get_stats(base::Instant now) const;

  SignalingState signaling_state() const { return signaling_; }
  PeerConnectionState connection_state() const { return connection_; }
  IceConnectionState ice_connection_state() const;
  IceGatheringState ice_gathering_state() const;
  /// W3C RTCDtlsTransport.state of the BUNDLE transport.
  DtlsTransportState dtls_transport_state() const { return dtls_state_; }
  /// The transports themselves, for tests and tools that look inside (null before they
  /// start and once the connection has ended).
  const dtls::Endpoint* dtls() const;
  const sctp::Association* sctp() const;

  ~PeerConnection();
  PeerConnection(const PeerConnection&) = delete;
  PeerConnection& operator=(const PeerConnection&) = delete;
  const dtls::Certificate& certificate() const { return *configuration_.certificate; }

 private:
  PeerConnection(Configuration configuration, base::Random& random);

  // One of our descriptions as built: lib/sdp's model, with the version and DTLS role it
  // settled (read from here, never from our own SDP text). The model is shared by the
  // copies (created, then pending, then current): one per description, not three.
  struct OwnDescription {
    SdpType type = SdpType::kOffer;
    std::shared_ptr<const sdp::SessionDescription> model;
    std::uint64_t version = 0;
    sdp::Setup setup{};  // value 0: actpass
    ice::Credentials ice;  // what it says in a=ice-ufrag and a=ice-pwd
  };
  // The peer's descriptions as parsed; the text remote_description() gives back is the
  // model's (lossless, with CRLF line ends).
  struct PeerDescription {
    SdpType type = SdpType::kOffer;
    std::shared_ptr<const sdp::SessionDescription> model;
  };

  // signaling (peer_connection.cpp)
  /// kWrongState when the connection is closed or has failed; nullopt while it lives.
  std::optional<base::Error> ended_error() const;
  LocalParameters local_parameters(bool offer) const;
  /// Builds the description `local` says (kInvalidArgument when it cannot be written).
  base::Result<OwnDescription> own_description(SdpType type, const LocalParameters& local) const;
  base::Result<SessionDescriptionInit> create_description(SdpType type);
  void apply_remote_ice(base::Instant now);
  /// A trickled candidate for a remote description not yet set, kept until one is.
  void keep_early(std::string_view candidate);
  // mDNS candidates (peer_connection_mdns.cpp)
  /// Gives the agent a remote candidate; one named by mDNS waits for its name (asked for
  /// with an MdnsQueryEvent) unless the name has resolved already.
  base::Result<void> add_remote_candidate(base::Instant now, ice::Candidate candidate);
  /// Candidates waiting for their names, and names resolved, at most.
  static constexpr std::size_t kMaxMdnsCandidates = 16;
  // ICE restarts (peer_connection_restart.cpp)
  /// A ufrag and password of ice-chars (RFC 8839 §5.4), long enough that the ufrags of
  /// thousands of connections sharing a socket do not collide.
  static ice::Credentials new_credentials(base::Random& random);
  /// The agent's credentials, or the configuration's before it exists.
  const ice::Credentials& local_credentials() const;
  /// Restarts the agent with `credentials`, remembering the
  /// candidates the peer signalled so that undo_ice_restart() can give them back.
  void restart_agent(base::Instant now, ice::Credentials credentials);
  /// A rolled-back description restarted ICE: the agent returns to the current local
  /// description's credentials and the peer's, with the candidates it had. False (nothing
  /// done) when the agent still has the current description's credentials.
  bool undo_ice_restart(base::Instant now);
  void set_signaling(SignalingState state);
  void emit(Event event) { outputs_.emplace_back(std::move(event)); }

  // the transport's life (peer_connection_io.cpp)
  void start_transports(base::Instant now);
  void start_sctp(base::Instant now);  // once DTLS is up and a data section is negotiated
  void pump(base::Instant now);

  // lifecycle (peer_connection_lifecycle.cpp)
  void update_connection_state();
  /// Records why the connection ends; the first cause given wins.
  void set_end_cause(EndCause cause, std::string reason);
  void on_ice_state(IceConnectionState state);
  void on_dtls_state(base::Instant now, DtlsTransportState state, bool certificate_rejected, const std::string& reason);
  void check_setup_deadline(base::Instant now);
  /// Says goodbye (ABORT, close_notify, TURN deallocation) and frees the transports;
  /// `announce`: open channels report kClosed.
  void release(bool announce);

  Configuration configuration_;
  base::Random& random_;
  base::BufferPool pool_;  // every layer's buffers; declared first among them, so it outlives them
  base::RingQueue<Output> outputs_;
  std::unique_ptr<DataChannels> channels_;
  std::unique_ptr<Transceivers> media_;
  std::unique_ptr<Transport> transport_;

  SignalingState signaling_ = SignalingState::kStable;
  PeerConnectionState connection_ = PeerConnectionState::kNew;
  bool closed_ = false;
  // The transports' states as reported (the agent's own stops counting once it is freed).
  IceConnectionState ice_state_ = IceConnectionState::kNew;
  DtlsTransportState dtls_state_ = DtlsTransportState::kNew;
  EndCause end_cause_ = EndCause::kNone;
  std::string end_reason_;
  bool release_pending_ = false;  // ended: pump() frees the transports once its loop is done
  bool released_ = false;
  base::Instant setup_deadline_ = base::Instant::max();  // until connected the first time
  bool gathering_started_ = false;
  std::string session_id_;
  std::uint64_t version_ = 0;
  std::optional<OwnDescription> last_offer_, last_answer_;  // created, not yet set
  std::optional<OwnDescription> current_local_, pending_local_;
  std::optional<PeerDescription> current_remote_, pending_remote_;
  std::shared_ptr<const sdp::SessionDescription> remote_parsed_;  // of pending or current remote
  std::shared_ptr<const RemoteParameters> remote_;                // from the remote description in use
  bool we_offered_ = false;                                       // in the last completed exchange
  std::vector<std::string> early_candidates_;                     // before a remote description
  std::string remote_ice_applied_;                                // the remote ufrag the agent has
  bool ice_restart_requested_ = false;                            // restart_ice(): the next offer restarts
  std::optional<ice::Credentials> restart_credentials_;           // what that offer carries
  std::vector<ice::Candidate> candidates_before_restart_;         // the peer's, for undo_ice_restart()
  std::vector<ice::Candidate> unresolved_;                        // remote, waiting for their mDNS names
  std::vector<std::pair<std::string, std::vector<base::IpAddress>>> resolved_names_;  // what names resolved to
  base::Instant now_;  // the latest time passed in
};

}  // namespace rtcstack::pc
