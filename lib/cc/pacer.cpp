#include "cc/pacer.h"

#include <algorithm>

namespace rtcstack::cc {
namespace {

// Padding is made a packet at a time, of about this much payload at most.
constexpr std::size_t kMaxPadding = 1200, kMinPadding = 200;

}  // namespace

bool Pacer::enqueue(base::Instant now, PacedPacket& packet) {
  if (queued_packets() >= config_.max_packets) return false;
  packet.enqueued = now;
  queued_bytes_ += packet.bytes.size();
  queues_[static_cast<std::size_t>(packet.priority)].push_back(std::move(packet));
  return true;
}

void Pacer::add_probe(const ProbeCluster& cluster) { probes_.push_back(cluster); }

std::size_t Pacer::queued_packets() const {
  std::size_t count = 0;
  for (const auto& queue : queues_) count += queue.size();
  return count;
}

base::Duration Pacer::oldest_wait(base::Instant now) const {
  base::Instant oldest = now;
  for (const auto& queue : queues_) {
    if (!queue.empty()) oldest = std::min(oldest, queue.front().enqueued);
  }
  return now - oldest;
}

std::uint64_t Pacer::effective_rate(base::Instant now) const {
  if (!probes_.empty()) return std::max<std::uint64_t>(probes_.front().bitrate_bps, 1);
  // Whatever waits must be out by the time the oldest packet has waited max_queue_time.
  const base::Duration left = std::max(config_.max_queue_time - oldest_wait(now), base::Duration::milliseconds(1));
  const auto drain_bps = static_cast<std::uint64_t>(static_cast<double>(queued_bytes_) * 8 / left.as_seconds());
  return std::max<std::uint64_t>({rate_bps_, drain_bps, 1});
}

double Pacer::debt_at(base::Instant now, std::uint64_t rate) const {
  const double paid = static_cast<double>(rate) / 8 * std::max((now - debt_time_).as_seconds(), 0.0);
  return std::max(debt_bytes_ - paid, 0.0);
}

base::Instant Pacer::next_send_time(base::Instant now) const {
  if (queued_packets() == 0 && probes_.empty()) return base::Instant::max();
  const std::uint64_t rate = effective_rate(now);
  // A probe's packets are spaced exactly: a burst would measure the sender, not the path.
  const double allowance = probes_.empty() ? static_cast<double>(rate) / 8 * config_.burst.as_seconds() : 0;
  const double debt = debt_at(now, rate);
  if (debt <= allowance) return now;
  const auto wait_ns = static_cast<std::int64_t>((debt - allowance) * 8 / static_cast<double>(rate) * 1e9) + 1;
  return now + base::Duration::nanoseconds(wait_ns);
}

void Pacer::account(base::Instant now, std::size_t wire_size) {
  const std::uint64_t rate = effective_rate(now);
  debt_bytes_ = debt_at(now, rate) + static_cast<double>(wire_size);
  debt_time_ = now;
  last_cluster_ = kNoProbe;
  if (probes_.empty()) return;
  const ProbeCluster& probe = probes_.front();
  last_cluster_ = probe.id;
  ++probe_packets_;
  probe_bytes_ += wire_size;
  if (probe_packets_ >= probe.min_packets && probe_bytes_ >= probe.min_bytes) {
    probes_.pop_front();
    probe_packets_ = probe_bytes_ = 0;
  }
}

std::optional<PacedPacket> Pacer::pop(base::Instant now) {
  if (next_send_time(now) > now) return std::nullopt;
  for (auto& queue : queues_) {
    if (queue.empty()) continue;
    PacedPacket packet = std::move(queue.front());
    queue.pop_front();
    queued_bytes_ -= packet.bytes.size();
    account(now, packet.bytes.size() + config_.overhead);
    return packet;
  }
  return std::nullopt;
}

std::size_t Pacer::padding_wanted(base::Instant now) const {
  if (probes_.empty() || queued_packets() != 0 || next_send_time(now) > now) return 0;
  const ProbeCluster& probe = probes_.front();
  const std::size_t remaining = probe.min_bytes > probe_bytes_ ? probe.min_bytes - probe_bytes_ : 0;
  return std::clamp(remaining, kMinPadding, kMaxPadding);
}

void Pacer::on_padding_sent(base::Instant now, std::size_t size) { account(now, size + config_.overhead); }

void Pacer::cancel_probe() {
  if (probes_.empty()) return;
  probes_.pop_front();
  probe_packets_ = probe_bytes_ = 0;
}

}  // namespace rtcstack::cc
