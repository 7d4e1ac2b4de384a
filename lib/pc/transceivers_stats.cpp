// Transceivers::append_stats(): each transceiver's streams as W3C stats objects
// (webrtc-stats): codecs, outbound-rtp with the peer's view of it (remote-inbound-rtp),
// and inbound-rtp.
#include <algorithm>

#include "pc/transceivers.h"
#include "pc/transport_stats.h"

namespace rtcstack::pc {

void Transceivers::append_stats(double timestamp, std::vector<Stats>& report) const {
  for (const auto& [handle, transceiver] : transceivers_) stream_stats(handle, transceiver, timestamp, report);
}

std::optional<cc::BandwidthEstimate> Transceivers::bandwidth_estimate() const {
  return rtp_ ? rtp_->bandwidth_estimate() : std::nullopt;
}

media::CongestionCounters Transceivers::congestion_counters() const {
  return rtp_ ? rtp_->congestion_counters() : media::CongestionCounters{};
}

void Transceivers::stream_stats(TransceiverHandle handle, const Transceiver& t, double timestamp,
                                std::vector<Stats>& report) const {
  if (!t.mid || !t.local) return;
  const std::string kind(to_string(t.kind));
  const std::string suffix = std::to_string(handle);
  const auto codec_stats = [&](const CodecParameters& codec) {
    const std::string id = "C" + suffix + "-" + std::to_string(codec.payload_type);
    for (const Stats& existing : report) {
      if (existing.id == id) return id;  // sending and receiving with the same payload type
    }
    Stats stats{id, "codec", timestamp,
                {{"transportId", std::string(kTransportId)},
                 {"payloadType", std::uint64_t{codec.payload_type}},
                 {"mimeType", kind + "/" + codec.name},
                 {"clockRate", std::uint64_t{codec.clock_rate}}}};
    if (t.kind == MediaKind::kAudio) stats.members.emplace_back("channels", std::uint64_t{codec.channels});
    if (!codec.fmtp.empty()) stats.members.emplace_back("sdpFmtpLine", codec.fmtp);
    report.push_back(std::move(stats));
    return id;
  };
  // Under simulcast, objects of the first encoding or layer keep the plain id, the others'
  // add their rid.
  const auto id_of = [&](const std::vector<std::string>& rids, std::size_t index) {
    return index > 0 && index < rids.size() ? suffix + "-" + rids[index] : suffix;
  };
  // One outbound-rtp per encoding that sent (W3C: with its rid under simulcast).
  for (std::size_t encoding = 0; encoding < std::max<std::size_t>(t.sending_rids.size(), 1); ++encoding) {
    const auto sent = rtp_->send_stats(handle, encoding);
    if (!sent) continue;
    const auto codec = send_codec(handle);
    Stats out{"OT" + id_of(t.sending_rids, encoding), "outbound-rtp", timestamp,
              {{"ssrc", std::uint64_t{sent->ssrc}},
               {"kind", kind},
               {"mid", *t.mid},
               {"transportId", std::string(kTransportId)},
               {"packetsSent", sent->packets_sent},
               {"bytesSent", sent->payload_bytes_sent},
               {"retransmittedPacketsSent", sent->retransmitted},
               {"nackCount", sent->nacks_received},
               {"pliCount", sent->key_frames_requested}}};
    if (!sent->rid.empty()) out.members.emplace_back("rid", sent->rid);
    if (codec) out.members.emplace_back("codecId", codec_stats(*codec));
    if (sent->remote_report) {
      const media::ReportBlock& block = *sent->remote_report;
      Stats remote{"RI" + id_of(t.sending_rids, encoding), "remote-inbound-rtp", timestamp,
                   {{"ssrc", std::uint64_t{sent->ssrc}},
                    {"kind", kind},
                    {"transportId", std::string(kTransportId)},
                    {"localId", out.id},
                    {"packetsLost", static_cast<double>(block.cumulative_lost)},
                    {"fractionLost", block.fraction_lost / 256.0},
                    {"jitter", static_cast<double>(block.jitter) / sent->codec.clock_rate}}};
      if (sent->round_trip_time) remote.members.emplace_back("roundTripTime", sent->round_trip_time->as_seconds());
      out.members.emplace_back("remoteId", remote.id);
      report.push_back(std::move(remote));
    }
    report.push_back(std::move(out));
  }
  // One inbound-rtp per layer received.
  for (std::size_t layer = 0; layer < std::max<std::size_t>(t.receiving_rids.size(), 1); ++layer) {
    const auto received = rtp_->receive_stats(handle, layer);
    if (!received || !t.remote) continue;
    Stats in{"IT" + id_of(t.receiving_rids, layer), "inbound-rtp", timestamp,
             {{"ssrc", std::uint64_t{received->ssrc}},
              {"kind", kind},
              {"mid", *t.mid},
              {"transportId", std::string(kTransportId)},
              {"packetsReceived", received->packets_received},
              {"bytesReceived", received->bytes_received},
              {"packetsLost", static_cast<double>(received->packets_lost)},
              {"nackCount", received->nacks_sent},
              {"pliCount", received->plis_sent}}};
    if (!t.remote->codecs.empty()) {
      const CodecParameters& codec = t.remote->codecs.front();
      in.members.emplace_back("jitter", static_cast<double>(received->jitter) / codec.clock_rate);
      in.members.emplace_back("codecId", codec_stats(codec));
    }
    report.push_back(std::move(in));
  }
}

}  // namespace rtcstack::pc
