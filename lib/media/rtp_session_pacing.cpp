// RtpSession: congestion control. What we send goes through the pacer once a sending
// stream negotiated transport-wide feedback or REMB; what arrives with a transport-wide
// sequence number is reported back to the peer.
#include <algorithm>

#include "media/rtp_extensions.h"
#include "media/rtp_session.h"

namespace rtcstack::media {

LeaveStamps RtpSession::stamps_of(const SendParameters& parameters) const {
  if (!congestion_) return {};
  return {parameters.transport_cc ? parameters.transport_cc_extension.value_or(0) : std::uint8_t{0},
          parameters.abs_send_time_extension.value_or(0)};
}

void RtpSession::update_congestion_control() {
  if (!config_.congestion_control || closed_ || congestion_) return;
  const bool negotiated = std::any_of(streams_.begin(), streams_.end(), [](const auto& entry) {
    const auto& parameters = entry.second.send_parameters;
    return parameters && ((parameters->transport_cc && parameters->transport_cc_extension) || parameters->remb);
  });
  if (!negotiated) return;
  congestion_ = std::make_unique<CongestionControl>(config_.congestion);
  if (started_) congestion_->start(now_);
}

void RtpSession::send_packet(base::Instant now, const Stream& stream, base::Buffer bytes, cc::PacketPriority priority) {
  if (!congestion_) {
    outputs_.emplace_back(OutgoingPacket{std::move(bytes), false});
    return;
  }
  if (!congestion_->enqueue(now, bytes, priority, stamps_of(*stream.send_parameters))) {
    pool_.give(std::move(bytes));  // a backlog of thousands of packets: this one is lost
    return;
  }
  release_paced(now);
}

void RtpSession::release_paced(base::Instant now) {
  if (!congestion_) return;
  for (;;) {
    if (auto packet = congestion_->next_packet(now)) {
      outputs_.emplace_back(OutgoingPacket{std::move(*packet), false});
      continue;
    }
    const std::size_t padding = congestion_->padding_wanted(now);
    if (padding == 0) break;
    if (!send_padding(now, padding)) {
      congestion_->cancel_probe();
      break;
    }
  }
  if (auto target = congestion_->poll_target_change()) outputs_.emplace_back(RtpSessionEvent{TargetBitrate{*target}});
}

bool RtpSession::send_padding(base::Instant now, std::size_t size) {
  // RTX packets of RTP padding only: the receiver takes them off the wire and drops them
  // (nothing is delivered or counted as media), as Chromium sends its own. Resending
  // media as padding would be fewer packets, but every copy would reach the application
  // and the stream's counters as a packet received twice.
  for (auto& [id, stream] : streams_) {
    SendStream& send = stream.send.front();
    const auto& parameters = stream.send_parameters;
    if (!parameters || !parameters->codec.rtx_payload_type) continue;
    static constexpr std::uint8_t kZeros[3] = {};
    HeaderExtension extensions[2];
    std::size_t count = 0;
    const LeaveStamps stamps = stamps_of(*parameters);
    if (stamps.transport_sequence != 0) extensions[count++] = {stamps.transport_sequence, base::ByteView(kZeros, 2)};
    if (stamps.abs_send_time != 0) extensions[count++] = {stamps.abs_send_time, base::ByteView(kZeros, 3)};
    RtpHeader header;
    header.payload_type = *parameters->codec.rtx_payload_type;
    header.sequence_number = send.rtx_sequence++;
    header.ssrc = send.rtx_ssrc;
    header.extensions = {extensions, count};
    base::Buffer bytes = pool_.take(kPacketCapacity);
    const auto written = write_rtp(header, {}, bytes.mutable_view(), static_cast<std::uint8_t>(std::clamp<std::size_t>(size, 1, 255)));
    if (!written) {
      pool_.give(std::move(bytes));
      return false;
    }
    bytes.resize(written->size());
    congestion_->send_padding(now, bytes.mutable_view(), stamps);
    outputs_.emplace_back(OutgoingPacket{std::move(bytes), false});
    return true;
  }
  return false;
}

void RtpSession::record_arrival(base::Instant now, const ReceiveParameters& parameters, const RtpPacket& packet) {
  if (const auto abs_id = parameters.remb_abs_send_time_extension) {
    const auto value = packet.extension(*abs_id);
    if (value && value->size() == 3) {
      if (!remote_estimator_) remote_estimator_ = std::make_unique<cc::RemoteEstimator>();
      remote_estimator_->on_packet(now, std::uint32_t{(*value)[0]} << 16 | std::uint32_t{(*value)[1]} << 8 | (*value)[2],
                                   packet.bytes().size() + config_.congestion.pacer.overhead);
      if (remote_estimator_->next_report() <= now) send_remb(now);
    }
  }
  const auto id = parameters.transport_cc_extension;
  if (!id) return;
  const auto value = packet.extension(*id);
  if (!value || value->size() != 2) return;
  reporter_.on_packet(now, static_cast<std::uint16_t>((*value)[0] << 8 | (*value)[1]));
  reported_media_ssrc_ = packet.ssrc();
  if (reporter_.next_time() <= now) send_transport_feedback(now);
}

std::optional<cc::BandwidthEstimate> RtpSession::bandwidth_estimate() const {
  if (!congestion_) return std::nullopt;
  return congestion_->estimate();
}

CongestionCounters RtpSession::congestion_counters() const { return congestion_ ? congestion_->counters() : CongestionCounters{}; }

}  // namespace rtcstack::media
