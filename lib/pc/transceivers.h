// The transceivers of one connection (W3C RTCRtpTransceiver objects) and the media they
// carry: what each wants (kind, direction), what its sections negotiated, the RTP session
// that keeps their streams (media::RtpSession, made with the first transceiver), and the
// SRTP sessions that protect it on the BUNDLE transport once DTLS has exported keys.
// Negotiation reads and writes sections through media_section.h; a remote offer's
// changes are kept until it is answered, so that a rollback can undo them. Private to
// lib/pc.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/buffer_pool.h"
#include "base/random.h"
#include "base/ring_queue.h"
#include "dtls/endpoint.h"
#include "media/rtp_session.h"
#include "pc/configuration.h"
#include "pc/media_section.h"
#include "pc/output.h"
#include "pc/rtp_encoding.h"
#include "pc/stats.h"
#include "srtp/session.h"

namespace rtcstack::ice {
class Agent;
}

namespace rtcstack::pc {

class Transceivers {
 public:
  /// `cname`: the RTCP CNAME of every stream. Events are queued on `outputs`.
  Transceivers(const Configuration& configuration, std::string cname, base::Random& random, base::BufferPool& pool,
               base::RingQueue<Output>& outputs);
  ~Transceivers();

  // The application's calls (PeerConnection documents them).
  base::Result<TransceiverHandle> add(MediaKind kind, const RtpTransceiverInit& init);
  base::Result<TransceiverHandle> add_track(MediaKind kind);
  base::Result<void> set_direction(TransceiverHandle handle, RtpTransceiverDirection direction);
  base::Result<void> stop(TransceiverHandle handle);
  bool contains(TransceiverHandle handle) const { return transceivers_.contains(handle); }
  bool stopped(TransceiverHandle handle) const;
  std::optional<std::string> mid(TransceiverHandle handle) const;
  std::optional<MediaKind> kind(TransceiverHandle handle) const;
  std::optional<CodecParameters> send_codec(TransceiverHandle handle) const;
  std::vector<CodecParameters> negotiated_codecs(TransceiverHandle handle) const;
  base::Result<void> set_codec_preferences(TransceiverHandle handle, std::vector<CodecParameters> codecs);
  std::vector<RtpEncodingParameters> send_encodings(TransceiverHandle handle) const;
  base::Result<void> set_send_encodings(TransceiverHandle handle, std::vector<RtpEncodingParameters> encodings);
  std::vector<std::string> receive_rids(TransceiverHandle handle) const;
  base::Result<void> send_rtp(base::Instant now, TransceiverHandle handle, base::ByteView payload,
                              std::uint32_t timestamp, bool marker, std::string_view rid);
  base::Result<void> request_key_frame(base::Instant now, TransceiverHandle handle, std::string_view rid);
  base::Result<void> send_nack(base::Instant now, TransceiverHandle handle, std::span<const std::uint16_t> lost,
                               std::string_view rid);

  // Negotiation.
  /// The smallest number not used as a mid by a section of `remote`, a transceiver or
  /// `also_taken` (RFC 8843 §7.2.1 wants them unique).
  std::string unused_mid(const sdp::SessionDescription* remote, const std::string& also_taken = {}) const;
  /// The sections of a new offer or answer, remembered as the transceivers' own.
  std::vector<LocalMedia> local_media(bool offer, const std::string& data_mid, const sdp::SessionDescription* remote);
  /// The sections of the last offer or answer made.
  std::vector<LocalMedia> described_media() const;
  /// A remote description's sections: transceivers are matched or made, stopped when
  /// rejected, and tracks announced or ended. An answer (`answer`) also drops the
  /// simulcast encodings it did not take (W3C).
  void apply_remote_media(const std::vector<RemoteMedia>& sections, bool answer);
  /// What a remote offer may change, kept until the offer is answered or rolled back.
  void remember_before_remote_offer();
  /// The offer was answered: nothing is left to roll back.
  void forget_before_remote_offer() { before_remote_offer_.reset(); }
  /// W3C rollback of a remote offer (transceivers_rollback.cpp).
  void undo_remote_offer();

  // The transport.
  void on_srtp_keys(base::Instant now, const dtls::SrtpKeysEvent& keys);
  /// An SRTP or SRTCP datagram of the BUNDLE transport; false: dropped.
  bool handle_rtp(base::Instant now, base::ByteView datagram);
  void handle_timeout(base::Instant now);
  /// Moves what the RTP session produced: events to the outputs, packets protected and
  /// sent through `agent` (nothing goes back up the layers).
  void pump(ice::Agent* agent);
  /// When the RTP session wants handle_timeout().
  base::Instant timeout() const { return srtp_send_ ? rtcp_timeout_ : base::Instant::max(); }
  /// The connection ended: media calls fail with `why` from now on, the SRTP sessions and
  /// histories are freed.
  void release(base::Error why);

  /// RTCCodecStats, RTCOutboundRtpStreamStats, RTCRemoteInboundRtpStreamStats and
  /// RTCInboundRtpStreamStats of each transceiver (transceivers_stats.cpp).
  void append_stats(double timestamp, std::vector<Stats>& report) const;
  /// Congestion control's estimate and counters, while it runs (media negotiated feedback).
  std::optional<cc::BandwidthEstimate> bandwidth_estimate() const;
  media::CongestionCounters congestion_counters() const;

 private:
  struct Transceiver {
    MediaKind kind = MediaKind::kAudio;
    RtpTransceiverDirection direction = RtpTransceiverDirection::kSendRecv;  // wanted
    std::optional<std::string> mid;
    std::optional<LocalMedia> local;    // our section in the description in use
    std::optional<RemoteMedia> remote;  // the peer's section in the description in use
    bool track_announced = false;
    bool stopped = false;  // stop() or a rejected section: no media, no part in later descriptions
    bool stopped_locally = false;  // by stop(): a rollback keeps it stopped
    bool made_for_remote_offer = false;  // a recvonly one add_track may still take
    std::vector<CodecParameters> codec_preferences;  // setCodecPreferences; empty: ours
    std::vector<RtpEncodingParameters> encodings;    // the sender's, at least one
    // What negotiation settled (configure_streams), in the RTP session's order of
    // encodings and layers: the rids we send and those we receive; empty without simulcast.
    std::vector<std::string> sending_rids, receiving_rids;
  };

  std::size_t live() const;  // not stopped
  TransceiverHandle make(MediaKind kind, RtpTransceiverDirection direction);  // no cap checked; one encoding
  /// The RTP session's encoding that sends `rid`'s packets ("" names the first), if it is
  /// active and negotiated; else why not.
  base::Result<std::size_t> sending_encoding(const Transceiver& transceiver, std::string_view rid) const;
  /// The RTP session's layer that receives `rid` ("" names the first).
  base::Result<std::size_t> receiving_layer(const Transceiver& transceiver, std::string_view rid) const;
  Transceiver* match(const RemoteMedia& section);  // the transceiver a remote section goes to
  void announce_tracks();
  /// W3C setRemoteDescription for the sender's encodings: a simulcast offer gives a sender
  /// never negotiated the rids it asks for; an answer drops the encodings it did not take.
  void follow_remote_simulcast(Transceiver& transceiver, const RemoteMedia& section, bool answer);
  /// Gives each transceiver's stream what its sections now say (or removes it, stopped).
  void configure_streams();
  bool ensure_srtp(base::Instant now);  // makes the SRTP sessions once keys and a transceiver exist
  /// The transceiver, if media can flow on it now; else why not.
  base::Result<Transceiver*> media_transceiver(base::Instant now, TransceiverHandle handle);
  void send_protected(ice::Agent* agent, base::Buffer bytes, bool rtcp);
  void emit(Event event) { outputs_.emplace_back(std::move(event)); }
  void stream_stats(TransceiverHandle handle, const Transceiver& transceiver, double timestamp,
                    std::vector<Stats>& report) const;

  const Configuration& configuration_;
  const std::string cname_;
  base::Random& random_;
  base::BufferPool& pool_;
  base::RingQueue<Output>& outputs_;
  std::map<TransceiverHandle, Transceiver> transceivers_;
  TransceiverHandle next_handle_ = 1;
  std::optional<std::map<TransceiverHandle, Transceiver>> before_remote_offer_;  // while one is pending
  std::unique_ptr<media::RtpSession> rtp_;        // the transceivers' streams, by handle; with the first one
  std::optional<dtls::SrtpKeysEvent> srtp_keys_;  // from DTLS; sessions are made when media needs them
  std::optional<srtp::Session> srtp_send_, srtp_receive_;
  base::Instant rtcp_timeout_ = base::Instant::max();
  std::optional<base::Error> ended_;
};

}  // namespace rtcstack::pc
