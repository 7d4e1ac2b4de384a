#include "media/congestion_control.h"

#include <algorithm>
#include <cmath>

#include "media/rtp_extensions.h"
#include "media/rtp_packet.h"

namespace rtcstack::media {
namespace {

std::uint32_t pack(LeaveStamps stamps) { return std::uint32_t{stamps.transport_sequence} | std::uint32_t{stamps.abs_send_time} << 8; }
LeaveStamps unpack(std::uint32_t tag) { return {static_cast<std::uint8_t>(tag), static_cast<std::uint8_t>(tag >> 8)}; }

}  // namespace

CongestionControl::CongestionControl(CongestionControlConfig config)
    : config_(config), estimator_(config.estimator), pacer_(config.pacer) {
  follow_estimate();
}

void CongestionControl::start(base::Instant now) {
  estimator_.start(now);
  follow_estimate();
}

void CongestionControl::follow_estimate() {
  pacer_.set_rate(static_cast<std::uint64_t>(static_cast<double>(estimator_.target_bps()) * config_.pacing_factor));
  while (auto probe = estimator_.poll_probe()) pacer_.add_probe(*probe);
}

bool CongestionControl::enqueue(base::Instant now, base::Buffer& bytes, cc::PacketPriority priority, LeaveStamps stamps) {
  cc::PacedPacket packet{std::move(bytes), priority, pack(stamps), now};
  if (pacer_.enqueue(now, packet)) return true;
  bytes = std::move(packet.bytes);
  ++counters_.pacer_drops;
  return false;
}

void CongestionControl::stamp_and_record(base::Instant now, base::MutableByteView packet, LeaveStamps stamps) {
  // The header is read once for both slots; a value goes only into a slot of its size.
  const auto parsed = RtpPacket::parse(packet);
  if (!parsed) return;
  const auto overwrite = [&](std::uint8_t id, base::ByteView value) {
    const auto slot = id != 0 ? parsed->extension(id) : std::nullopt;
    if (!slot || slot->size() != value.size()) return false;
    std::copy(value.begin(), value.end(), packet.begin() + (slot->data() - packet.data()));
    return true;
  };
  if (overwrite(stamps.transport_sequence, encode_transport_sequence_number(estimator_.next_sequence()))) {
    estimator_.on_packet_sent(now, packet.size() + config_.pacer.overhead, pacer_.last_probe_cluster());
  }
  (void)overwrite(stamps.abs_send_time, encode_abs_send_time(abs_send_time(now)));
}

std::optional<base::Buffer> CongestionControl::next_packet(base::Instant now) {
  auto packet = pacer_.pop(now);
  if (!packet) return std::nullopt;
  stamp_and_record(now, packet->bytes.mutable_view(), unpack(packet->tag));
  return std::move(packet->bytes);
}

void CongestionControl::send_padding(base::Instant now, base::MutableByteView packet, LeaveStamps stamps) {
  pacer_.on_padding_sent(now, packet.size());
  ++counters_.padding_packets;
  counters_.padding_bytes += packet.size();
  stamp_and_record(now, packet, stamps);
}

void CongestionControl::on_transport_feedback(base::Instant now, const TransportCc& feedback) {
  // Arrival times: the reference time (in 64 ms units) plus the deltas, on the receiver's clock.
  const base::Instant reference = base::Instant{} + base::Duration::milliseconds(std::int64_t{feedback.reference_time_64ms} * 64);
  feedback.for_each([&](std::uint16_t sequence, std::optional<std::int64_t> arrival_us) {
    estimator_.add_report(sequence, arrival_us ? std::optional<base::Instant>(reference + base::Duration::microseconds(*arrival_us))
                                               : std::nullopt);
  });
  estimator_.end_feedback(now);
  follow_estimate();
}

void CongestionControl::on_receiver_estimate(base::Instant now, std::uint64_t bps) {
  ++counters_.receiver_estimates;
  estimator_.on_receiver_estimate(now, bps);
  follow_estimate();
}

void CongestionControl::on_loss_report(base::Instant now, std::uint8_t fraction_lost) {
  estimator_.on_loss_report(now, fraction_lost);
  follow_estimate();
}

void CongestionControl::handle_timeout(base::Instant now) {
  if (estimator_.next_timeout() <= now) {
    estimator_.handle_timeout(now);
    follow_estimate();
  }
}

base::Instant CongestionControl::next_timeout(base::Instant now) const {
  return std::min(pacer_.next_send_time(now), estimator_.next_timeout());
}

std::optional<std::uint64_t> CongestionControl::poll_target_change() {
  const std::uint64_t target = estimator_.target_bps();
  if (reported_target_ && std::llabs(static_cast<long long>(target) - static_cast<long long>(*reported_target_)) * 100 <
                              static_cast<long long>(*reported_target_)) {
    return std::nullopt;
  }
  reported_target_ = target;
  return target;
}

CongestionCounters CongestionControl::counters() const {
  CongestionCounters counters = counters_;
  counters.feedback = estimator_.feedback_counters();
  return counters;
}

}  // namespace rtcstack::media
