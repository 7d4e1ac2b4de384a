// JSEP (RFC 8829) for audio and video m-sections: what rtcstack supports (Opus; VP8, H.264,
// VP9 and AV1 with RTX; the header extensions lib/media reads), what a peer's section says, the answer to
// an offered section (codecs, feedback, extensions and direction both sides share, with
// the offerer's payload types and ids), and the section's SDP lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "media/rtp_extensions.h"
#include "pc/rtp_parameters.h"
#include "sdp/session_description.h"

namespace rtcstack::pc {

/// The codecs rtcstack offers, in preference order: Opus 48000/2 (FEC on, stereo received
/// and maybe sent), then RED with Opus blocks, for audio;
/// VP8, then H.264 (Constrained Baseline and Baseline, packetization-mode 1 and 0), then
/// VP9 and AV1 in profile 0, each with RTX, NACK, PLI, FIR, REMB and transport-wide CC,
/// for video.
std::vector<CodecParameters> supported_codecs(MediaKind kind);
/// W3C setCodecPreferences applied: the codecs of `codecs` that `preferences` names
/// (same_codec), in its order and with the payload types of `codecs`; all of them,
/// unchanged, when it is empty.
std::vector<CodecParameters> apply_codec_preferences(std::vector<CodecParameters> codecs,
                                                    const std::vector<CodecParameters>& preferences);
/// The header extensions rtcstack offers, with the ids of its offers.
std::vector<std::pair<std::uint8_t, media::ExtensionKind>> supported_extensions(MediaKind kind);

/// The id a section gave to a header extension, if it negotiated it.
std::optional<std::uint8_t> media_extension_id(const std::vector<std::pair<std::uint8_t, media::ExtensionKind>>& extensions,
                                               media::ExtensionKind kind);

/// What a peer's audio or video section says, reduced to what rtcstack can use.
struct RemoteMedia {
  std::string mid;
  MediaKind kind = MediaKind::kAudio;
  bool rejected = false;  ///< port 0, not bundle-only
  sdp::Direction direction = sdp::Direction::kSendRecv;
  std::vector<CodecParameters> codecs;  ///< the supported ones, in the peer's order, with its payload types
  std::vector<std::pair<std::uint8_t, media::ExtensionKind>> extensions;  ///< the known ones, with its ids
  std::vector<std::uint32_t> ssrcs;       ///< media SSRCs the peer sends (a=ssrc), RTX ones excluded
  std::optional<std::uint32_t> rtx_ssrc;  ///< from a=ssrc-group:FID media rtx
  std::string cname;
  std::string stream_id, track_id;        ///< a=msid
  bool rtcp_mux = false;
  bool rtcp_rsize = false;
  /// Simulcast (RFC 8853): the rids the peer sends (a=simulcast send) and those it takes
  /// (a=simulcast recv; in an answer, which of our encodings it accepted), in its order,
  /// paused ones included: of each stream the first alternative with a matching a=rid line,
  /// at most media::kMaxSimulcastLayers. Empty without simulcast.
  std::vector<std::string> send_rids, receive_rids;
};

/// kInvalidArgument for a section that is not audio or video, or has no a=mid.
/// `rejected`: the description rejects the section (port 0 and not bundle-only in its
/// BUNDLE group, which only the whole description tells).
base::Result<RemoteMedia> read_remote_media(const sdp::MediaDescription& section, bool rejected);

/// Our side of an audio or video section.
struct LocalMedia {
  std::string mid;
  MediaKind kind = MediaKind::kAudio;
  sdp::Direction direction = sdp::Direction::kSendRecv;
  std::vector<CodecParameters> codecs;
  std::vector<std::pair<std::uint8_t, media::ExtensionKind>> extensions;
  std::uint32_t ssrc = 0;                 ///< what we send with, when we send
  std::optional<std::uint32_t> rtx_ssrc;  ///< when a codec has RTX
  std::string cname;
  std::string stream_id = "-", track_id;  ///< a=msid
  bool answer = false;                    ///< the section answers the peer's (its first codec is what we send)
  /// Simulcast: the rids we send and those we take (a=rid and a=simulcast); our SSRCs are
  /// then not announced, as browsers do not announce theirs.
  std::vector<std::string> send_rids, receive_rids;
};

/// The codecs of an offer: ours in our order, or the application's preferences applied; in
/// a later offer (`previous`, our last description of the section) with the payload types
/// already negotiated kept.
std::vector<CodecParameters> offer_codecs(MediaKind kind, const LocalMedia* previous,
                                         const std::vector<CodecParameters>& preferences);

/// The direction of our answer (RFC 8829 §5.3.1): the offer's, seen from our side,
/// narrowed to what we want.
sdp::Direction answer_direction(sdp::Direction offered, sdp::Direction wanted);

/// Our answer to an offered section: the codecs we both support in the offer's order (in
/// the order of `preferences` when the application set them, and only those) and with its
/// payload types (feedback narrowed to what both know, RTX kept when offered; H.264 at the
/// level RFC 6184 §8.2.2 gives; Opus with our own receive parameters), the extensions we both know with the offer's ids.
/// Video simulcast the offer sends is taken, every rid of it, when we receive and the offer
/// has the rid extension (without it the layers could not be told apart: no a=simulcast,
/// and the peer sends one encoding, RFC 8853 §5.3).
/// kUnsupported when no codec is shared (the caller then rejects the section with port 0).
base::Result<LocalMedia> answer_media(const RemoteMedia& offer, sdp::Direction wanted,
                                      const std::vector<CodecParameters>& preferences = {});

/// While we write our own SDP: the first line lib/sdp refused (only a bug, or ICE
/// credentials in the configuration that are not ice-chars, can cause one), so that a
/// description with a line missing never leaves silently.
struct SdpWriteStatus {
  std::optional<base::Error> error;
  void note(base::Result<void> added) {
    if (!added && !error) error = added.error();
  }
};

/// Our audio or video section: the m= line, what `transport` adds (c= and the BUNDLE
/// transport's ICE, DTLS and candidate attributes), then the media attributes.
template <typename Transport>
sdp::MediaDescription media_section(const LocalMedia& local, SdpWriteStatus& status, Transport&& transport);

namespace detail {
sdp::MediaDescription media_head(const LocalMedia& local);
void add_media_attributes(sdp::MediaDescription& section, const LocalMedia& local, SdpWriteStatus& status);
}  // namespace detail

template <typename Transport>
sdp::MediaDescription media_section(const LocalMedia& local, SdpWriteStatus& status, Transport&& transport) {
  sdp::MediaDescription section = detail::media_head(local);
  transport(section);
  detail::add_media_attributes(section, local, status);
  return section;
}

}  // namespace rtcstack::pc
