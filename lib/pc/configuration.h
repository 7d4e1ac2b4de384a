// What a PeerConnection is created with (W3C RTCConfiguration and what rtcstack adds:
// its sockets' addresses, certificate, limits and budgets).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/byte_budget.h"
#include "base/time.h"
#include "dtls/certificate.h"
#include "ice/agent_config.h"
#include "sctp/channel.h"

namespace rtcstack::pc {

/// The bitrates congestion control works within (what libwebrtc's setBitrate() takes):
/// where the estimate starts before any feedback, and its floor and ceiling - for all
/// media of the connection, in bits per second on the wire.
struct BitrateLimits {
  std::uint64_t start_bps = 300'000;
  std::uint64_t min_bps = 30'000;
  std::uint64_t max_bps = 20'000'000;
};

/// RTCIceTransportPolicy: kAll, or kRelay (only relayed candidates are used).
using IceTransportPolicy = ice::AgentConfig::TransportPolicy;
/// A TURN server of RTCIceServer, its address resolved (the caller resolves names: lib/pc
/// does no IO).
using TurnServer = ice::TurnServer;
/// How a TURN server is reached (W3C: the transport of a turn: URL, or turns:).
using TurnTransport = ice::TurnTransport;

/// RTCBundlePolicy. rtcstack always puts every section on one BUNDLE transport; the
/// policy says whether an initial offer also marks every section after the first
/// bundle-only (port 0, RFC 8843 §6), as JSEP's max-bundle does (RFC 8829 §4.1.1), so
/// that a peer without BUNDLE rejects them instead of expecting transports of their own.
enum class BundlePolicy : std::uint8_t { kBalanced, kMaxBundle };

struct Configuration {
  /// ICE: the caller's sockets (host_addresses; net::Runtime fills them), STUN servers,
  /// TURN servers (pc::TurnServer), the transport policy (pc::IceTransportPolicy), and
  /// rtcstack's pacing and caps. The role and credentials are the PeerConnection's to set.
  ice::AgentConfig ice;
  /// Generated (ECDSA P-256) when empty; share one across connections to save the cost.
  std::shared_ptr<const dtls::Certificate> certificate;
  /// a=max-message-size we advertise.
  std::size_t max_message_size = 256 * 1024;
  /// SCTP streams offered each way: data channels with ids 0 to sctp_streams - 1 at most
  /// (sctp::Config::streams; each stream costs about 100 bytes per connection).
  std::uint16_t sctp_streams = sctp::kDefaultStreams;
  /// A connection that is not connected this long after both descriptions are set fails
  /// (EndCause::kSetupTimeout), whether or not the peer signalled end-of-candidates:
  /// abandoned offers cannot hold their resources. Browsers give up after about 30 s too.
  base::Duration setup_timeout = base::Duration::seconds(30);
  /// Transceivers not stopped, at most: add_transceiver() past it fails with
  /// kResourceExhausted, and a remote offer's sections past it are rejected in the answer.
  std::size_t max_transceivers = 64;
  /// Congestion control (docs/congestion-control.md): media that negotiated transport-wide
  /// feedback or REMB is paced and follows a bandwidth estimate within these limits. Off,
  /// packets leave as they are sent and no TargetBitrateEvent comes (feedback is still
  /// sent to a peer that asked for it).
  bool congestion_control = true;
  BitrateLimits bitrate;
  BundlePolicy bundle_policy = BundlePolicy::kBalanced;
  /// Bytes peers can make this connection hold - data channels' send queues, RTP
  /// retransmission histories - are taken from this budget, shared with other
  /// connections (net::Runtime gives every connection the same one). When it is spent,
  /// send() refuses (kResourceExhausted) and histories stop growing. None: only the
  /// per-connection limits apply.
  std::shared_ptr<base::ByteBudget> buffer_budget;
};

}  // namespace rtcstack::pc
