// A datagram as it arrived on an ICE socket, looked at once: classified (RFC 7983 §7)
// and, when it is STUN, parsed. The one parse serves a runtime routing it among the
// connections that share a socket (the local ufrag a check names, RFC 8445 §7.2.2), the
// connection's accepts() and the agent's handle_receive(), which would otherwise parse
// the same bytes three times.
#pragma once

#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/transport_protocol.h"
#include "stun/demux.h"
#include "stun/message.h"

namespace rtcstack::ice {

class Inbound {
 public:
  /// Views `bytes` (which must outlive this). `protocol`: kTcp for a frame of an ICE-TCP
  /// connection (RFC 6544), whose candidates the agent keeps apart from UDP ones that may
  /// share an address. Messages from a TURN server's TCP or TLS stream are not candidate
  /// traffic: they come as kUdp, named by the stream's local address.
  explicit Inbound(base::ByteView bytes, base::TransportProtocol protocol = base::TransportProtocol::kUdp);

  base::ByteView bytes() const { return bytes_; }
  base::TransportProtocol protocol() const { return protocol_; }
  stun::PacketKind kind() const { return kind_; }
  /// Whether the datagram has the shape of a STUN message (first byte, cookie, length);
  /// stun() then says whether it parsed.
  bool looks_like_stun() const { return looks_like_stun_; }
  /// The parsed STUN message; nullptr when the datagram is not one or is malformed.
  const stun::StunMessage* stun() const { return stun_ ? &*stun_ : nullptr; }
  /// The local ufrag a STUN message's USERNAME names ("<local ufrag>:<remote ufrag>"):
  /// what a runtime indexes its connections by, so that routing a new remote needs no
  /// scan of them all. A view into bytes().
  std::optional<std::string_view> addressed_ufrag() const;

 private:
  base::ByteView bytes_;
  base::TransportProtocol protocol_;
  stun::PacketKind kind_;
  bool looks_like_stun_;
  std::optional<stun::StunMessage> stun_;
};

}  // namespace rtcstack::ice
