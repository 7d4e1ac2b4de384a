// The W3C stats objects (webrtc-stats) of a connection's one BUNDLE transport: the
// transport, its certificates, candidates and candidate pairs. Private to lib/pc.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "dtls/certificate.h"
#include "ice/agent.h"
#include "media/congestion_control.h"
#include "pc/states.h"
#include "pc/stats.h"

namespace rtcstack::pc {

/// The id of the one RTCTransportStats, which every other object names.
inline constexpr std::string_view kTransportId = "T01";

/// What the transport's stats are made from.
struct TransportSnapshot {
  const TransportCounters& counters;
  IceConnectionState ice_state;
  DtlsTransportState dtls_state;
  bool dtls_client = false;
  const dtls::Certificate& certificate;
  std::optional<dtls::Fingerprint> remote_fingerprint;  ///< the first of the peer's SDP
  const ice::Agent* agent = nullptr;                     ///< none before ICE starts or after the end
};

/// Appends the transport (always), the certificates, and with an agent its candidates and
/// candidate pairs.
void append_transport_stats(const TransportSnapshot& transport, double timestamp, std::vector<Stats>& report);

/// Congestion control's figures: availableOutgoingBitrate on the selected candidate pair
/// (W3C), and on the transport what became of the peer's feedback (ours).
void append_bandwidth_stats(const cc::BandwidthEstimate& estimate, const media::CongestionCounters& counters,
                            std::vector<Stats>& report);

}  // namespace rtcstack::pc
