// An SDP session description (RFC 8866) as WebRTC uses it (RFC 8829): the fixed v=, o=
// and s= lines, the session's other lines, and one MediaDescription per m= section.
// Lossless: parse() then to_string() gives back the same lines (with CRLF endings).
//
// The parser accepts LF or CRLF line ends and trailing whitespace; it is strict about the
// grammar of every line type and attribute it knows, and each error names the line
// number, the line and what is wrong with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sdp/section.h"

namespace rtcstack::sdp {

/// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
struct Origin {
  std::string username = "-";
  std::string session_id;       ///< digits; may exceed 64 bits in principle
  std::string session_version;  ///< digits
  std::string net_type = "IN";
  std::string address_type = "IP4";
  std::string address = "0.0.0.0";
  static base::Result<Origin> parse(std::string_view value);
  std::string to_string() const;
};

/// m=<media> <port>[/<number of ports>] <proto> <fmt>...
struct MediaLine {
  std::string media;  ///< "audio", "video", "application", ...
  std::uint16_t port = 9;
  std::optional<std::uint16_t> port_count;
  std::string proto;  ///< "UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP", ...
  std::vector<std::string> formats;
  static base::Result<MediaLine> parse(std::string_view value);
  std::string to_string() const;
};

/// t=<start> <stop>, NTP seconds (0 0: unbounded, as WebRTC always sends).
struct Timing {
  std::uint64_t start = 0;
  std::uint64_t stop = 0;
};

class MediaDescription : public Section {
 public:
  MediaLine media_line;

  std::optional<std::string_view> mid() const { return trimmed("mid"); }
  std::optional<Rtcp> rtcp() const { return first<Rtcp>(); }
  bool rtcp_mux() const { return has_attribute("rtcp-mux"); }
  bool rtcp_mux_only() const { return has_attribute("rtcp-mux-only"); }
  bool rtcp_rsize() const { return has_attribute("rtcp-rsize"); }
  bool bundle_only() const { return has_attribute("bundle-only"); }
  std::vector<Rtpmap> rtpmaps() const { return all<Rtpmap>(); }
  std::vector<Fmtp> fmtps() const { return all<Fmtp>(); }
  std::vector<RtcpFeedback> rtcp_feedback() const { return all<RtcpFeedback>(); }
  std::vector<SsrcAttribute> ssrcs() const { return all<SsrcAttribute>(); }
  std::vector<SsrcGroup> ssrc_groups() const { return all<SsrcGroup>(); }
  std::vector<Msid> msids() const { return all<Msid>(); }
  std::vector<Rid> rids() const { return all<Rid>(); }
  std::optional<Simulcast> simulcast() const { return first<Simulcast>(); }
  std::optional<std::uint16_t> sctp_port() const;
  std::optional<std::uint64_t> max_message_size() const;
  std::optional<Sctpmap> sctpmap() const { return first<Sctpmap>(); }
};

/// What parse() accepts at most, so that a hostile description costs bounded memory and
/// time: a browser's offer with a hundred tracks stays far below each.
struct Limits {
  static constexpr std::size_t kMaxBytes = 1024 * 1024;   ///< the whole text
  static constexpr std::size_t kMaxLineBytes = 4096;      ///< one line (a=candidate: < 300)
  static constexpr std::size_t kMaxLines = 20'000;
  static constexpr std::size_t kMaxMediaSections = 256;
};

class SessionDescription : public Section {
 public:
  /// Parses a complete SDP. Errors (kMalformed) read "SDP line <n> \"<line>\": <why>";
  /// a description beyond Limits is refused whole (kResourceExhausted), before any line
  /// is kept.
  static base::Result<SessionDescription> parse(std::string_view text);

  /// The SDP text, every line ended by CRLF.
  std::string to_string() const;

  Origin origin;
  std::string session_name = "-";
  std::vector<MediaDescription> media;

  // The session-only lines (RFC 8866 §5): u=, e=, p=, t=, r=, z=.
  std::optional<std::string_view> uri() const { return line_value('u'); }
  std::vector<std::string_view> emails() const { return line_values('e'); }
  std::vector<std::string_view> phones() const { return line_values('p'); }
  std::vector<Timing> timings() const;
  std::vector<std::string_view> repeat_times() const { return line_values('r'); }
  std::optional<std::string_view> time_zones() const { return line_value('z'); }

  std::vector<Group> groups() const { return all<Group>(); }
  /// The first a=group:BUNDLE, if any.
  std::optional<Group> bundle_group() const;
  std::optional<MsidSemantic> msid_semantic() const { return first<MsidSemantic>(); }
  bool ice_lite() const { return has_attribute("ice-lite"); }
};

}  // namespace rtcstack::sdp
