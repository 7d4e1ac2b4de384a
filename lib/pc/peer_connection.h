// A sans-IO PeerConnection (W3C webrtc-pc, JSEP RFC 8829): offer and answer with
// rollback, ICE (lib/ice) -> DTLS (lib/dtls) -> SCTP (lib/sctp) for data channels and
// SRTP (lib/srtp) for RTP media of transceivers, all on one BUNDLE transport, RFC 7983
// demultiplexing, the W3C states by name with their events in order. Like every core it owns no socket, thread or clock: the caller (lib/net's
// Runtime, or a test) binds the sockets named in the ICE config, feeds datagrams and
// time in, and drains poll_output().
//
// Calls never call back: everything the W3C API reports through callbacks comes out of
// poll_output() as events, so any call is legal at any time, including right after an
// event (a Runtime may call anything from inside its callbacks).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "base/random.h"
#include "base/ring_queue.h"
#include "dtls/endpoint.h"
#include "ice/agent.h"
#include "media/rtp_session.h"
#include "pc/configuration.h"
#include "pc/events.h"
#include "pc/jsep.h"
#include "pc/media_section.h"
#include "pc/states.h"
#include "pc/stats.h"
#include "sctp/association.h"
#include "sdp/session_description.h"
#include "srtp/session.h"

namespace rtcstack::pc {

/// RTCSessionDescriptionInit.
struct SessionDescription {
  SdpType type = SdpType::kOffer;
  std::string sdp;
};

using Transmit = ice::Transmit;
/// Which layer wants the connection woken up (for traces): the earliest of them.
enum class TimerReason : std::uint8_t { kNone, kIce, kDtls, kSctp, kRtcp, kSetupDeadline };
std::string_view to_string(TimerReason reason);
struct Timeout {
  base::Instant at;
  TimerReason reason = TimerReason::kNone;
};
using Output = std::variant<Transmit, Event, Timeout>;

class PeerConnection {
 public:
  /// kInternal only if no certificate was given and generating one failed.
  static base::Result<std::unique_ptr<PeerConnection>> create(Configuration configuration, base::Random& random);

  // Signaling (JSEP). Errors say what was wrong and change nothing.
  base::Result<SessionDescription> create_offer();
  base::Result<SessionDescription> create_answer();
  /// Our offer or answer (as created; `sdp` may be empty to mean the last one created) or
  /// a rollback. Starts gathering.
  base::Result<void> set_local_description(base::Instant now, SessionDescription description);
  base::Result<void> set_remote_description(base::Instant now, SessionDescription description);
  /// A trickled candidate ("candidate:..." or "a=candidate:..."); an empty one means the
  /// peer's end of candidates. Candidates that arrive before the remote description wait.
  base::Result<void> add_ice_candidate(base::Instant now, std::string_view candidate);
  /// The current local description with the candidates gathered so far (what a
  /// non-trickle peer sends once gathering is complete).
  std::optional<SessionDescription> local_description() const;
  std::optional<SessionDescription> remote_description() const;

  // Data channels.
  base::Result<ChannelHandle> create_data_channel(const sctp::ChannelInit& init);
  base::Result<void> send(ChannelHandle channel, base::ByteView data, bool binary);
  base::Result<void> send(ChannelHandle channel, std::string_view text) { return send(channel, base::as_bytes(text), false); }
  base::Result<void> close_data_channel(ChannelHandle channel);
  std::size_t buffered_amount(ChannelHandle channel) const;
  void set_buffered_amount_low_threshold(ChannelHandle channel, std::size_t threshold);
  /// The SCTP stream id, once known.
  std::optional<std::uint16_t> channel_id(ChannelHandle channel) const;
  std::optional<sctp::ChannelState> channel_state(ChannelHandle channel) const;
  const sctp::ChannelInit* channel_init(ChannelHandle channel) const;

  // Media (RTCRtpTransceiver). A remote offer's audio and video sections take a
  // transceiver of their kind not yet negotiated, or get a new recvonly one.
  /// A transceiver that will offer (or answer) a section of `kind`; the next offer
  /// carries it (renegotiate to add it to a live connection).
  base::Result<TransceiverHandle> add_transceiver(MediaKind kind, sdp::Direction direction = sdp::Direction::kSendRecv);
  /// W3C addTrack: a transceiver of `kind` that a remote offer made and that has never
  /// been given anything to send gains send in its direction (recvonly becomes sendrecv,
  /// inactive sendonly); without one, a new sendrecv transceiver. Renegotiate to apply.
  base::Result<TransceiverHandle> add_track(MediaKind kind);
  /// What the transceiver wants; takes effect with the next offer or answer.
  /// kWrongState for a stopped transceiver.
  base::Result<void> set_direction(TransceiverHandle transceiver, sdp::Direction direction);
  /// W3C RTCRtpTransceiver.stop(): sending and receiving end at once (an RTCP BYE tells
  /// the peer when media flowed), and the next offer or answer rejects its section (port
  /// 0, keeping its place). A stopped transceiver cannot be restarted. A peer's
  /// description that rejects the section stops it the same way.
  base::Result<void> stop_transceiver(TransceiverHandle transceiver);
  bool transceiver_stopped(TransceiverHandle transceiver) const;
  std::optional<std::string> transceiver_mid(TransceiverHandle transceiver) const;
  std::optional<MediaKind> transceiver_kind(TransceiverHandle transceiver) const;
  /// The codec the transceiver sends with, once negotiated.
  std::optional<CodecParameters> send_codec(TransceiverHandle transceiver) const;
  /// Sends one RTP packet of the negotiated codec: the PeerConnection adds SSRC, sequence
  /// number, payload type and the mid extension, keeps the packet for NACKs (answered by
  /// RTX when negotiated) and protects it with SRTP. kWrongState until the connection
  /// has SRTP keys and the section sends; kInvalidArgument for a payload over 1400 bytes.
  base::Result<void> send_rtp(TransceiverHandle transceiver, base::ByteView payload, std::uint32_t timestamp, bool marker);
  /// Asks the peer for a key frame on the transceiver's incoming stream (PLI).
  base::Result<void> request_key_frame(TransceiverHandle transceiver);
  /// Asks the peer to retransmit these packets of the incoming stream (generic NACK).
  base::Result<void> send_nack(TransceiverHandle transceiver, std::span<const std::uint16_t> lost);

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
  /// Our ICE ufrag (it stays for the connection's lifetime).
  const std::string& local_ufrag() const { return configuration_.ice.credentials.ufrag; }
  void handle_receive(base::Instant now, const base::SocketAddress& local, const base::SocketAddress& remote,
                      base::ByteView datagram) {
    handle_receive(now, local, remote, ice::Inbound(datagram));
  }
  /// The same for a datagram already looked at: its one STUN parse serves the ICE agent.
  void handle_receive(base::Instant now, const base::SocketAddress& local, const base::SocketAddress& remote,
                      const ice::Inbound& datagram);
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
  ice::ConnectionState ice_connection_state() const;
  ice::GatheringState ice_gathering_state() const;
  /// W3C RTCDtlsTransport.state of the BUNDLE transport.
  DtlsTransportState dtls_transport_state() const { return dtls_state_; }
  const dtls::Endpoint* dtls() const { return dtls_.get(); }
  const sctp::Association* sctp() const { return sctp_.get(); }
  const dtls::Certificate& certificate() const { return *configuration_.certificate; }

 private:
  PeerConnection(Configuration configuration, base::Random& random);

  struct Channel {
    sctp::ChannelInit init;
    std::optional<std::uint16_t> stream;
    sctp::ChannelState state = sctp::ChannelState::kConnecting;
    std::size_t low_threshold = 0;
    std::uint64_t messages_sent = 0, bytes_sent = 0, messages_received = 0, bytes_received = 0;
  };
  struct Transceiver {
    MediaKind kind = MediaKind::kAudio;
    sdp::Direction direction = sdp::Direction::kSendRecv;  // wanted
    std::optional<std::string> mid;
    std::optional<LocalMedia> local;    // our section in the description in use
    std::optional<RemoteMedia> remote;  // the peer's section in the description in use
    bool track_announced = false;
    bool stopped = false;  // stop() or a rejected section: no media, no part in later descriptions
    bool stopped_locally = false;  // by stop(): a rollback keeps it stopped
    bool made_for_remote_offer = false;  // a recvonly one add_track may still take
  };
  struct Counters {
    std::uint64_t packets_sent = 0, bytes_sent = 0, packets_received = 0, bytes_received = 0;
    // Datagrams dropped: malformed, unauthenticated, replayed or unroutable at the ICE,
    // SRTP or RTP layer, or of no protocol we demultiplex (DTLS drops its own silently).
    std::uint64_t packets_discarded = 0;
    std::uint64_t channels_opened = 0, channels_closed = 0;
  };

  // signaling (peer_connection.cpp)
  /// kWrongState when the connection is closed or has failed; nullopt while it lives.
  std::optional<base::Error> ended_error() const;
  LocalParameters local_parameters(bool offer) const;
  void apply_remote_ice(base::Instant now);
  void set_signaling(SignalingState state);

  // transports (peer_connection_transport.cpp)
  void start_transports(base::Instant now);
  void pump(base::Instant now);
  bool pump_ice(base::Instant now);
  bool pump_dtls(base::Instant now);
  bool pump_sctp(base::Instant now);
  void on_ice_event(base::Instant now, const ice::Event& event);
  void on_sctp_event(sctp::Event event);
  void open_channel(ChannelHandle handle, Channel& channel);
  // lifecycle (peer_connection_lifecycle.cpp)
  void update_connection_state();
  /// Records why the connection ends; the first cause given wins.
  void set_end_cause(EndCause cause, std::string reason);
  void on_ice_state(ice::ConnectionState state);
  void on_dtls_state(const dtls::StateEvent& event);
  void check_setup_deadline(base::Instant now);
  /// Says goodbye (ABORT, close_notify, TURN deallocation) and frees the transports;
  /// `announce`: open channels report kClosed.
  void release(bool announce);
  void start_sctp(base::Instant now);  // once DTLS is up and a data section is negotiated

  // media (peer_connection_media.cpp)
  std::vector<LocalMedia> local_media(bool offer, const std::string& data_mid);  // for a new offer or answer; remembers them
  std::string unused_mid(const std::string& also_taken = {}) const;  // no section or transceiver has it
  std::size_t live_transceivers() const;  // not stopped
  TransceiverHandle new_transceiver(MediaKind kind, sdp::Direction direction);  // no cap checked
  std::vector<LocalMedia> described_media() const;   // the sections of the last one
  void apply_remote_media();
  // rollback (peer_connection_rollback.cpp)
  /// What a remote offer may change, kept until the offer is answered or rolled back.
  void remember_before_remote_offer();
  /// W3C rollback of a remote offer: transceivers it made go (unless the application
  /// took them), the others get their mids, sections and tracks back, with events.
  void undo_remote_offer();
  void media_stats(TransceiverHandle handle, double timestamp, std::vector<Stats>& report) const;  // (peer_connection_stats.cpp)

  // RTP (peer_connection_rtp.cpp)
  media::RtpSessionConfig rtp_session_config() const;
  /// Gives each transceiver's stream what its sections now say (or removes it, stopped).
  void configure_streams();
  void on_srtp_keys(const dtls::SrtpKeysEvent& keys);
  bool ensure_srtp();  // makes the SRTP sessions once keys and a transceiver exist
  /// The transceiver, if media can flow on it now; else why not (unknown, ended, no
  /// keys, stopped).
  base::Result<Transceiver*> media_transceiver(TransceiverHandle handle);
  bool handle_rtp(base::ByteView datagram);  // SRTP or SRTCP; false: dropped
  bool pump_rtp();
  void send_protected(base::Buffer bytes, bool rtcp);
  void emit(Event event) { outputs_.emplace_back(std::move(event)); }
  ChannelHandle handle_of(std::uint16_t stream);

  Configuration configuration_;
  base::Random& random_;
  base::BufferPool pool_;  // every layer's buffers; declared first among them, so it outlives them
  std::unique_ptr<ice::Agent> agent_;
  std::unique_ptr<dtls::Endpoint> dtls_;
  std::unique_ptr<sctp::Association> sctp_;

  SignalingState signaling_ = SignalingState::kStable;
  PeerConnectionState connection_ = PeerConnectionState::kNew;
  bool closed_ = false;
  // The transports' states as reported (the agent's own stops counting once it is freed).
  ice::ConnectionState ice_state_ = ice::ConnectionState::kNew;
  DtlsTransportState dtls_state_ = DtlsTransportState::kNew;
  EndCause end_cause_ = EndCause::kNone;
  std::string end_reason_;
  bool release_pending_ = false;  // ended: pump() frees the transports once its loop is done
  bool released_ = false;
  base::Instant setup_deadline_ = base::Instant::max();  // until connected the first time
  bool gathering_started_ = false;
  std::string session_id_;
  std::uint64_t version_ = 0;
  // One of our descriptions as built: lib/sdp's model, with the version and DTLS role it
  // settled (read from here, never from our own SDP text). The model is shared by the
  // copies (created, then pending, then current): one per description, not three.
  struct OwnDescription {
    SdpType type = SdpType::kOffer;
    std::shared_ptr<const sdp::SessionDescription> model;
    std::uint64_t version = 0;
    sdp::Setup setup = sdp::Setup::kActpass;
  };
  /// Builds the description `local` says (kInvalidArgument when it cannot be written).
  base::Result<OwnDescription> own_description(SdpType type, const LocalParameters& local) const;
  std::optional<OwnDescription> last_offer_, last_answer_;   // created, not yet set
  std::optional<OwnDescription> current_local_, pending_local_;
  // The peer's descriptions as parsed; the text remote_description() gives back is the
  // model's (lossless, with CRLF line ends).
  struct PeerDescription {
    SdpType type = SdpType::kOffer;
    std::shared_ptr<const sdp::SessionDescription> model;
  };
  std::optional<PeerDescription> current_remote_, pending_remote_;
  std::shared_ptr<const sdp::SessionDescription> remote_parsed_;  // of pending or current remote
  std::optional<RemoteParameters> remote_;                     // from the remote description in use
  bool we_offered_ = false;                                    // in the last completed exchange
  std::vector<std::string> early_candidates_;                  // before a remote description
  std::string remote_ice_applied_;                             // the remote ufrag the agent has
  bool dtls_client_ = false;
  bool dtls_started_ = false;
  base::Instant now_;                                          // the latest time passed in

  std::map<TransceiverHandle, Transceiver> transceivers_;
  TransceiverHandle next_transceiver_ = 1;
  std::optional<std::map<TransceiverHandle, Transceiver>> before_remote_offer_;  // while one is pending
  std::unique_ptr<media::RtpSession> rtp_;        // the transceivers' streams, by handle; with the first one
  std::optional<dtls::SrtpKeysEvent> srtp_keys_;  // from DTLS; sessions are made when media needs them
  std::optional<srtp::Session> srtp_send_, srtp_receive_;
  base::Instant rtcp_timeout_ = base::Instant::max();

  std::map<ChannelHandle, Channel> channels_;
  std::map<std::uint16_t, ChannelHandle> by_stream_;
  ChannelHandle next_handle_ = 1;

  base::RingQueue<Output> outputs_;
  Counters counters_;
  base::Instant ice_timeout_ = base::Instant::max();
  base::Instant dtls_timeout_ = base::Instant::max();
  base::Instant sctp_timeout_ = base::Instant::max();
};

}  // namespace rtcstack::pc
