// Typed values of the SDP attributes that describe transports and groupings:
// group (RFC 5888/8843), msid-semantic and msid (RFC 8830), ice-options (RFC 8839),
// fingerprint (RFC 8122), setup (RFC 4145/8842), rtcp (RFC 3605), sctpmap (the
// pre-RFC 8841 form some stacks still send). Each parses an attribute value (the text
// after "a=<name>:") and prints it back canonically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "sdp/direction.h"

namespace rtcstack::sdp {

/// a=group:<semantics> <mid>...   e.g. "BUNDLE 0 1 2"
struct Group {
  static constexpr std::string_view kName = "group";
  std::string semantics;
  std::vector<std::string> mids;
  static base::Result<Group> parse(std::string_view value);
  std::string to_string() const;
  friend bool operator==(const Group&, const Group&) = default;
};

/// a=msid-semantic:<semantic> [<id>...]   e.g. "WMS *" (Chromium writes " WMS")
struct MsidSemantic {
  static constexpr std::string_view kName = "msid-semantic";
  std::string semantic;
  std::vector<std::string> identifiers;
  static base::Result<MsidSemantic> parse(std::string_view value);
  std::string to_string() const;
  friend bool operator==(const MsidSemantic&, const MsidSemantic&) = default;
};

/// a=msid:<stream id> [<track id>]
struct Msid {
  static constexpr std::string_view kName = "msid";
  std::string stream_id;
  std::optional<std::string> track_id;
  static base::Result<Msid> parse(std::string_view value);
  std::string to_string() const;
  friend bool operator==(const Msid&, const Msid&) = default;
};

/// a=ice-options:<option>...   e.g. "trickle", "trickle renomination"
struct IceOptions {
  static constexpr std::string_view kName = "ice-options";
  std::vector<std::string> options;
  static base::Result<IceOptions> parse(std::string_view value);
  std::string to_string() const;
  bool has(std::string_view option) const;
  friend bool operator==(const IceOptions&, const IceOptions&) = default;
};

/// a=fingerprint:<hash> <hex pairs with ':'>. The hash name is kept lower case; the known
/// ones (sha-1, sha-224, sha-256, sha-384, sha-512, md5) must have their digest length.
struct Fingerprint {
  static constexpr std::string_view kName = "fingerprint";
  std::string algorithm;
  base::Buffer digest;
  static base::Result<Fingerprint> parse(std::string_view value);
  /// "sha-256 AB:CD:..." (upper-case hex, as RFC 8122 prints it).
  std::string to_string() const;
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

/// a=setup: which side opens the DTLS connection.
enum class Setup : std::uint8_t { kActpass, kActive, kPassive, kHoldconn };
base::Result<Setup> parse_setup(std::string_view value);
std::string_view to_string(Setup setup);

/// a=rtcp:<port> [IN IP4|IP6 <address>]
struct Rtcp {
  static constexpr std::string_view kName = "rtcp";
  std::uint16_t port = 0;
  std::optional<std::string> net_type, address_type, address;
  static base::Result<Rtcp> parse(std::string_view value);
  std::string to_string() const;
  friend bool operator==(const Rtcp&, const Rtcp&) = default;
};

/// a=sctpmap:<port> <protocol> [<streams>]   e.g. "5000 webrtc-datachannel 1024"
struct Sctpmap {
  static constexpr std::string_view kName = "sctpmap";
  std::uint16_t port = 0;
  std::string protocol;
  std::optional<std::uint32_t> streams;
  static base::Result<Sctpmap> parse(std::string_view value);
  std::string to_string() const;
  friend bool operator==(const Sctpmap&, const Sctpmap&) = default;
};

}  // namespace rtcstack::sdp
