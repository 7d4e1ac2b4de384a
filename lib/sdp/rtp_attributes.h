// Typed values of the SDP attributes that describe RTP: rtpmap and fmtp (RFC 8866),
// rtcp-fb (RFC 4585), extmap (RFC 8285), ssrc and ssrc-group (RFC 5576), rid (RFC 8851)
// and simulcast (RFC 8853). Each parses an attribute value and prints it back canonically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "sdp/transport_attributes.h"

namespace rtcstack::sdp {

/// a=rtpmap:<payload type> <encoding>/<clock rate>[/<channels>]   e.g. "111 opus/48000/2"
struct Rtpmap {
  static constexpr std::string_view kName = "rtpmap";
  std::uint8_t payload_type = 0;
  std::string encoding;
  std::uint32_t clock_rate = 0;
  std::optional<std::uint16_t> channels;
  static base::Result<Rtpmap> parse(std::string_view value);
  std::string to_string() const;
  friend bool operator==(const Rtpmap&, const Rtpmap&) = default;
};

/// a=fmtp:<format> <parameters>   e.g. "111 minptime=10;useinbandfec=1"
/// The parameters stay available raw; `parameters` splits them at ';' into key=value
/// pairs (a piece without '=', such as telephone-event's "0-15", has an empty key).
struct Fmtp {
  static constexpr std::string_view kName = "fmtp";
  std::string format;
  std::string raw_parameters;
  std::vector<std::pair<std::string, std::string>> parameters;
  static base::Result<Fmtp> parse(std::string_view value);
  /// From key=value pairs, written "k1=v1;k2=v2" (a pair with an empty key as its value).
  static Fmtp of(std::string format, std::vector<std::pair<std::string, std::string>> parameters);
  std::string to_string() const;
  std::optional<std::string_view> parameter(std::string_view key) const;
  friend bool operator==(const Fmtp&, const Fmtp&) = default;
};

/// a=rtcp-fb:<payload type or *> <type> [<parameters>]   e.g. "96 nack pli", "96 ccm fir"
struct RtcpFeedback {
  static constexpr std::string_view kName = "rtcp-fb";
  std::string payload_type;  ///< a number or "*"
  std::string type;
  std::string parameters;    ///< the rest, e.g. "pli"; empty when none
  static base::Result<RtcpFeedback> parse(std::string_view value);
  std::string to_string() const;
  friend bool operator==(const RtcpFeedback&, const RtcpFeedback&) = default;
};

/// a=extmap:<id>[/<direction>] <uri> [<extension attributes>]
struct Extmap {
  static constexpr std::string_view kName = "extmap";
  std::uint16_t id = 0;
  std::optional<Direction> direction;
  std::string uri;
  std::string attributes;
  static base::Result<Extmap> parse(std::string_view value);
  std::string to_string() const;
  friend bool operator==(const Extmap&, const Extmap&) = default;
};

/// a=ssrc:<ssrc> <attribute>[:<value>]   e.g. "3160074848 cname:tSHGC21GEXCHaSnT"
struct SsrcAttribute {
  static constexpr std::string_view kName = "ssrc";
  std::uint32_t ssrc = 0;
  std::string attribute;
  std::optional<std::string> value;
  static base::Result<SsrcAttribute> parse(std::string_view value);
  std::string to_string() const;
  friend bool operator==(const SsrcAttribute&, const SsrcAttribute&) = default;
};

/// a=ssrc-group:<semantics> <ssrc>...   e.g. "FID 1111 2222"
struct SsrcGroup {
  static constexpr std::string_view kName = "ssrc-group";
  std::string semantics;
  std::vector<std::uint32_t> ssrcs;
  static base::Result<SsrcGroup> parse(std::string_view value);
  std::string to_string() const;
  friend bool operator==(const SsrcGroup&, const SsrcGroup&) = default;
};

/// a=rid:<id> send|recv [pt=<fmt>,...;<restriction>=<value>;...]
struct Rid {
  static constexpr std::string_view kName = "rid";
  std::string id;
  bool send = true;  ///< false: recv
  std::vector<std::string> payload_types;
  std::vector<std::pair<std::string, std::string>> restrictions;
  static base::Result<Rid> parse(std::string_view value);
  std::string to_string() const;
  friend bool operator==(const Rid&, const Rid&) = default;
};

/// a=simulcast:[send <streams>] [recv <streams>]; streams are ';'-separated lists of
/// ','-separated alternatives, each a rid, '~' marking it paused.
struct Simulcast {
  static constexpr std::string_view kName = "simulcast";
  struct Stream {
    std::string rid;
    bool paused = false;
    friend bool operator==(const Stream&, const Stream&) = default;
  };
  using Alternatives = std::vector<Stream>;
  std::vector<Alternatives> send;
  std::vector<Alternatives> recv;
  static base::Result<Simulcast> parse(std::string_view value);
  std::string to_string() const;
  friend bool operator==(const Simulcast&, const Simulcast&) = default;
};

}  // namespace rtcstack::sdp
