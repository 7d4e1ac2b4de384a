// One stream of an RTP session (media/rtp_session.h): how its two halves are configured
// from what was negotiated, the state each half keeps, and the figures they report
// (what webrtc-stats' outbound-rtp, remote-inbound-rtp and inbound-rtp are made of).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "media/receive_statistics.h"
#include "media/retransmission.h"
#include "media/rtcp_reports.h"
#include "media/send_statistics.h"

namespace rtcstack::media {

/// Names a stream of a session; the caller picks it.
using StreamId = std::uint32_t;

/// Simulcast (RFC 8853): the most encodings a stream sends, and layers it receives. What
/// browsers send (three, by rid) and what W3C sendEncodings are used for.
inline constexpr std::size_t kMaxSimulcastLayers = 3;

/// A negotiated payload format, as far as RTP needs it.
struct RtpCodec {
  std::uint8_t payload_type = 0;
  std::uint32_t clock_rate = 90000;
  std::optional<std::uint8_t> rtx_payload_type;  ///< RFC 4588 apt= this codec
};

struct SendParameters {
  /// What packets are sent with; its RTX payload type only when both sides use RTX
  /// (NACKs are then answered on the RTX SSRC, else by resending the packet as it was).
  RtpCodec codec;
  /// The mid header extension's id (RFC 8843 §15), when negotiated, and its value.
  std::optional<std::uint8_t> mid_extension;
  std::string mid;
  /// Congestion control: the transport-wide sequence number and abs-send-time extension
  /// ids, and the feedback the peer sends about what we send - transport-wide
  /// (a=rtcp-fb transport-cc) or its own estimate (goog-remb). Either feedback puts the
  /// session's RTP behind the pacer and the bandwidth estimator.
  std::optional<std::uint8_t> transport_cc_extension, abs_send_time_extension;
  bool transport_cc = false, remb = false;
  /// Audio leaves the pacer first.
  bool audio = false;
  /// Simulcast: the rid of each encoding, in the order send_rtp() numbers them (at most
  /// kMaxSimulcastLayers), each an RTP stream of its own (SSRC, sequence numbers, history,
  /// SRs); empty for one encoding without a rid. With the rid extension negotiated, every
  /// packet names its rid, and its retransmissions the repaired rid (RFC 8852).
  std::vector<std::string> rids;
  std::optional<std::uint8_t> rid_extension, repaired_rid_extension;
};

struct ReceiveParameters {
  /// The payload formats the peer sends with (the first one's clock rate when a packet
  /// names none of them).
  std::vector<RtpCodec> codecs;
  /// The SSRCs the peer announced (a=ssrc, a=ssrc-group:FID); learned from the first
  /// packet otherwise.
  std::optional<std::uint32_t> ssrc, rtx_ssrc;
  std::optional<std::uint8_t> mid_extension;
  std::string mid;
  /// Whether we report arrivals of the transport-wide sequence numbers this extension
  /// carries (a=rtcp-fb transport-cc negotiated).
  std::optional<std::uint8_t> transport_cc_extension;
  /// Whether we estimate what the peer may send and tell it in REMB (goog-remb negotiated
  /// without transport-cc), from the send times this extension carries.
  std::optional<std::uint8_t> remb_abs_send_time_extension;
  /// Simulcast: the rids the peer sends (at most kMaxSimulcastLayers), each received as a
  /// layer of its own; SSRCs are learned from the rid and repaired-rid extensions (browsers
  /// announce none). Empty: one layer, matched as above.
  std::vector<std::string> rids;
  std::optional<std::uint8_t> rid_extension, repaired_rid_extension;
};

struct SendStreamStats {
  std::uint32_t ssrc = 0;
  std::string rid;  ///< of the encoding, when the stream sends simulcast
  RtpCodec codec;
  std::uint64_t packets_sent = 0, payload_bytes_sent = 0;
  std::uint64_t retransmitted = 0;         ///< packets resent for NACKs
  std::uint64_t nacks_received = 0;
  std::uint64_t key_frames_requested = 0;  ///< PLIs and FIRs received
  std::optional<ReportBlock> remote_report;         ///< the peer's last report block on it
  std::optional<base::Duration> round_trip_time;    ///< from that block (RFC 3550 §6.4.1)
};

struct ReceiveStreamStats {
  std::uint32_t ssrc = 0;
  std::string rid;  ///< of the layer, when the stream receives simulcast
  std::uint32_t clock_rate = 90000;
  std::uint64_t packets_received = 0, bytes_received = 0;  ///< RTX restored ones included
  std::int64_t packets_lost = 0;                            ///< RFC 3550 cumulative
  std::uint32_t jitter = 0;                                 ///< in timestamp units
  std::uint64_t nacks_sent = 0, plis_sent = 0;
};

/// What a stream sends on one SSRC (an RTP stream, RFC 7656 §2.1.10): the stream's only
/// one, or one encoding of its simulcast.
struct SendStream {
  std::uint32_t ssrc = 0, rtx_ssrc = 0;
  std::uint16_t sequence = 0, rtx_sequence = 0;
  std::unique_ptr<RetransmissionBuffer> history;  ///< from the first packet
  std::optional<SendStatistics> statistics;       ///< from the first packet
  SendStreamStats stats;
};

/// What a stream receives on one SSRC: the stream's only one, or one layer of the
/// simulcast the peer sends.
struct ReceiveStream {
  std::optional<std::uint32_t> ssrc, rtx_ssrc;  ///< announced or learned
  std::optional<ReceiveStatistics> statistics;  ///< from the first packet
  ReceiveStreamStats stats;
};

}  // namespace rtcstack::media
