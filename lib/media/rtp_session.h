// An RTP session (RFC 3550) of one transport: its streams, what they send and receive,
// and the RTCP that keeps them going - SR/RR with SDES CNAME on a randomised interval
// (§6.2-6.4), BYE when a stream ends (§6.6), generic NACK answered from a history of sent
// packets (RFC 4585 §6.2.1, by RTX when negotiated, RFC 4588), PLI and FIR turned into
// key-frame requests (RFC 4585 §6.3.1, RFC 5104 §4.3.1), the round-trip time from the
// peer's report blocks.
//
// Sans-IO and plaintext only, like every core: packets come in already decrypted and go
// out to be encrypted by whoever owns the keys (lib/pc, with SRTP), so this library never
// reaches for crypto. Nothing calls back: outgoing packets, events and the next timeout
// come out of poll_output().
//
// Congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01, GCC): when a
// stream that sends negotiated transport-wide feedback or REMB, every RTP packet of the
// session goes through the pacer of a CongestionControl (congestion_control.h) and leaves
// stamped with a transport-wide sequence number; the estimate comes out as TargetBitrate
// events. Arrivals of packets carrying the extension are reported back to the peer in
// transport-wide feedback every 50-100 ms (transport_cc_reporter.h); a peer that asked
// for REMB instead gets our estimate of its rate (cc/remote_estimator.h).
//
// A stream is named by an id the caller picks (lib/pc uses its transceiver handles) and
// has a send half and a receive half, each configured from what was negotiated; either
// may be absent. Incoming packets find their stream by SSRC (announced or learned), the
// mid header extension (RFC 8843 §9.2), or the payload type.
//
// Simulcast (RFC 8853): a stream may send up to three encodings, each an RTP stream of
// its own SSRC named by its rid (RFC 8851, 8852), and receive as many layers, told apart
// by the rid and repaired-rid extensions the peer stamps on them. Encodings and layers are
// numbered in the order of their rids; a stream without simulcast has one of each, 0.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/buffer_pool.h"
#include "base/byte_budget.h"
#include "base/random.h"
#include "base/result.h"
#include "base/ring_queue.h"
#include "base/time.h"
#include "cc/remote_estimator.h"
#include "media/congestion_control.h"
#include "media/receive_statistics.h"
#include "media/rtcp_feedback.h"
#include "media/rtp_packet.h"
#include "media/rtp_stream.h"
#include "media/transport_cc_reporter.h"

namespace rtcstack::media {

struct RtpSessionConfig {
  /// The SDES CNAME every compound carries (RFC 3550 §6.5.1; RFC 7022: random per session).
  std::string cname;
  /// Payloads over this many bytes are refused: with the header and the SRTP trailer the
  /// packet must still fit a 1500-byte MTU.
  std::size_t max_payload = 1400;
  /// RFC 3550 §6.2 lets RTCP take 5 % of the session; at WebRTC's rates one compound per
  /// stream per second is well under it, and what browsers do for video.
  base::Duration report_interval = base::Duration::seconds(1);
  /// The history that answers NACKs: packets per stream, and how long they stay useful.
  std::size_t history_packets = 512;
  base::Duration history_age = base::Duration::seconds(1);
  /// Where histories take their storage from (optional; must outlive the session).
  base::ByteBudget* budget = nullptr;
  /// The NTP time SRs carry; only differences of it matter here (the round-trip time).
  NtpClock ntp_clock{base::Instant{}, std::uint64_t{2'208'988'800} << 32};
  /// Congestion control where negotiated; off, packets leave as they are sent and no
  /// estimate is made (feedback is still sent to a peer that asked for it).
  bool congestion_control = true;
  CongestionControlConfig congestion;
};

/// A packet to protect and send: RTP, or an RTCP compound.
struct OutgoingPacket {
  base::Buffer bytes;
  bool rtcp = false;
};
/// A packet of a stream's incoming media; a retransmission that came as RTX is restored
/// to the original (its SSRC, payload type and sequence number).
struct RtpReceived {
  StreamId stream = 0;
  base::Buffer packet;
  std::size_t layer = 0;  ///< which of ReceiveParameters::rids it came on (0 without simulcast)
};
/// The peer asked for a key frame (PLI or FIR) of what the stream sends.
struct KeyFrameRequested {
  StreamId stream = 0;
  std::size_t encoding = 0;  ///< of SendParameters::rids (0 without simulcast)
};
/// The bandwidth estimate moved: what all of the session's media together should send,
/// in bits per second of packets on the wire (headers included). Encoders follow it.
struct TargetBitrate {
  std::uint64_t bps = 0;
};
using RtpSessionEvent = std::variant<RtpReceived, KeyFrameRequested, TargetBitrate>;

enum class RtpTimer : std::uint8_t {
  kNone,      ///< nothing is due
  kReports,   ///< the next SR/RR compounds
  kPacer,     ///< a paced packet may leave, or the estimator wants time (probes)
  kFeedback,  ///< transport-wide feedback about what arrived is due
};
std::string_view to_string(RtpTimer timer);
struct RtpTimeout {
  base::Instant at = base::Instant::max();
  RtpTimer reason = RtpTimer::kNone;
};
using RtpSessionOutput = std::variant<OutgoingPacket, RtpSessionEvent, RtpTimeout>;

class RtpSession {
 public:
  /// `random` picks SSRCs, first sequence numbers and report times; `pool` gives the
  /// buffers of outgoing packets and events (both must outlive the session).
  RtpSession(RtpSessionConfig config, base::Random& random, base::BufferPool& pool);
  ~RtpSession();
  RtpSession(const RtpSession&) = delete;
  RtpSession& operator=(const RtpSession&) = delete;

  // Streams.
  /// A new stream with random SSRCs (media and RTX) and first sequence numbers; neither
  /// half is configured yet. An id in use is kept as it is.
  void add_stream(StreamId id);
  /// The same with SSRCs already announced (a stream brought back; 0 picks one).
  void add_stream(StreamId id, std::uint32_t ssrc, std::uint32_t rtx_ssrc);
  /// Our SSRCs for the stream's encoding, to be announced in SDP (0 for an unknown id or
  /// encoding; the first encoding's exist from add_stream, the others' from set_send).
  std::uint32_t ssrc(StreamId id, std::size_t encoding = 0) const;
  std::uint32_t rtx_ssrc(StreamId id, std::size_t encoding = 0) const;
  /// What the stream sends with; nullopt stops sending (its histories go). Encodings
  /// beyond the rids it now names are forgotten; new ones get random SSRCs.
  void set_send(StreamId id, std::optional<SendParameters> parameters);
  /// What the stream accepts; nullopt stops receiving (packets are no longer matched).
  void set_receive(StreamId id, std::optional<ReceiveParameters> parameters);
  /// Ends the stream: a BYE tells the peer when media flowed (RFC 3550 §6.6), then it is
  /// forgotten with its statistics.
  void remove_stream(StreamId id);

  /// Reports begin: the transport carries media from `now` (before, handle_timeout sends
  /// nothing and poll_output asks for no timeout).
  void start(base::Instant now);

  /// The transport ended: reports stop, histories are freed and queued packets dropped;
  /// statistics stay for queries. Nothing is sent any more.
  void close();

  // Sending.
  /// One RTP packet of the stream's codec on one of its encodings: SSRC, sequence number,
  /// payload type and the mid and rid extensions are added, and the packet is kept for
  /// NACKs. kInvalidArgument for an unknown stream or encoding or a payload over
  /// max_payload; kWrongState when the stream does not send.
  base::Result<void> send_rtp(base::Instant now, StreamId id, base::ByteView payload, std::uint32_t timestamp,
                              bool marker, std::size_t encoding = 0);
  /// Asks the peer for a key frame of the stream's incoming media, on one layer (PLI).
  base::Result<void> request_key_frame(StreamId id, std::size_t layer = 0);
  /// Asks the peer to resend these packets of one layer of the stream's incoming media
  /// (generic NACK).
  base::Result<void> send_nack(StreamId id, std::span<const std::uint16_t> lost, std::size_t layer = 0);

  // Receiving. Both take decrypted packets.
  /// False when the packet is malformed or no receiving stream takes it (dropped).
  bool handle_rtp(base::Instant now, base::Buffer packet);
  /// Reports, feedback and BYE; false for a malformed compound.
  bool handle_rtcp(base::Instant now, base::ByteView compound);

  void handle_timeout(base::Instant now);
  /// Next output; a timeout means nothing else is pending.
  RtpSessionOutput poll_output();

  /// What an encoding of the stream sent and what the peer reported about it, from its
  /// first packet.
  std::optional<SendStreamStats> send_stats(StreamId id, std::size_t encoding = 0) const;
  /// What a layer of the stream received, from its first packet.
  std::optional<ReceiveStreamStats> receive_stats(StreamId id, std::size_t layer = 0) const;
  /// The bandwidth estimate, while congestion control runs (a stream negotiated feedback).
  std::optional<cc::BandwidthEstimate> bandwidth_estimate() const;
  /// What became of feedback, padding and pacing (zeros before congestion control runs).
  CongestionCounters congestion_counters() const;
  /// Transport-wide feedback messages sent about what arrived.
  std::uint64_t transport_feedback_sent() const { return reporter_.messages_sent(); }

 private:
  // Outgoing buffers have room past the packet for whoever encrypts it (SRTP adds at
  // most a tag, an SRTCP index and an MKI) without reallocating.
  static constexpr std::size_t kPacketCapacity = 2048;

  struct Stream {
    StreamId id = 0;
    std::optional<SendParameters> send_parameters;  // nullopt: it does not send
    std::vector<SendStream> send;                   // one per encoding; the first from add_stream on
    std::optional<ReceiveParameters> receive_parameters;  // nullopt: it takes nothing
    std::vector<ReceiveStream> receive;                   // one per layer, at least one
  };
  /// Where an incoming packet goes: a stream, one of its layers, and whether it came on
  /// the layer's repair SSRC.
  struct Destination {
    Stream* stream = nullptr;
    std::size_t layer = 0;
    bool rtx = false;
  };
  /// An encoding of a stream: the RTP stream that sent on an SSRC.
  struct Sender {
    Stream* stream = nullptr;
    std::size_t encoding = 0;
  };
  Stream* find(StreamId id);
  const Stream* find(StreamId id) const;
  /// The stream and layer that take an incoming packet, learning their SSRC when it was
  /// not announced; nullopt when none does.
  std::optional<Destination> destination(const RtpPacket& packet);
  /// The layer of a stream whose rid an unannounced packet names (rid, or repaired-rid
  /// for `rtx`); nullopt when it names none of them.
  static std::optional<std::size_t> layer_named(const ReceiveParameters& parameters, const RtpPacket& packet, bool rtx);
  std::optional<Sender> sender_of(std::uint32_t ssrc);
  /// Makes `count` encodings of the stream, keeping the ones it has.
  void resize_encodings(Stream& stream, std::size_t count);
  void send_reports(base::Instant now);
  /// Queues a compound of `ssrc` (RFC 3550 §6.1): what `head` writes (a report), SDES
  /// CNAME, then what `tail` writes.
  template <typename Head, typename Tail>
  base::Result<void> send_compound(std::uint32_t ssrc, Head&& head, Tail&& tail);
  /// The same with an empty RR as its report: for feedback and BYE.
  template <typename Tail>
  base::Result<void> send_feedback(std::uint32_t ssrc, Tail&& tail);
  void answer_nack(Stream& stream, std::size_t encoding, const Nack& nack, base::Instant now);
  /// The layer feedback is about, with the SSRC it is sent from and the SSRC it is about.
  struct FeedbackTarget {
    ReceiveStream* layer = nullptr;
    std::uint32_t sender = 0, media = 0;
  };
  base::Result<FeedbackTarget> feedback_target(StreamId id, std::size_t layer);
  // Congestion control (rtp_session_pacing.cpp).
  /// Creates the controller when a sending stream negotiated feedback and starts it with media.
  void update_congestion_control();
  /// Sends `bytes` of `stream` now, or through the pacer when congestion control runs.
  void send_packet(base::Instant now, const Stream& stream, base::Buffer bytes, cc::PacketPriority priority);
  /// Lets out what the pacer allows now (padding for probes included) and the target's moves.
  void release_paced(base::Instant now);
  /// An RTP packet of up to `size` bytes that carries nothing, for a probe: RTX padding;
  /// false when no stream sends RTX.
  bool send_padding(base::Instant now, std::size_t size);
  void record_arrival(base::Instant now, const ReceiveParameters& parameters, const RtpPacket& packet);
  void send_transport_feedback(base::Instant now);
  void send_remb(base::Instant now);
  LeaveStamps stamps_of(const SendParameters& parameters) const;

  RtpSessionConfig config_;
  base::Random& random_;
  base::BufferPool& pool_;
  std::map<StreamId, Stream> streams_;
  base::RingQueue<RtpSessionOutput> outputs_;
  base::Instant next_report_ = base::Instant::max();
  bool started_ = false, closed_ = false;
  std::unique_ptr<CongestionControl> congestion_;  // while a sending stream negotiated feedback
  TransportCcReporter reporter_;
  std::unique_ptr<cc::RemoteEstimator> remote_estimator_;  // with the first packet a REMB is asked for
  std::uint32_t reported_media_ssrc_ = 0;  // the media SSRC of the last packet reported on
  base::Instant now_;                      // of the latest input
};

}  // namespace rtcstack::media
