#include "cc/probe_estimator.h"

#include <algorithm>

namespace rtcstack::cc {
namespace {

constexpr double kMinReceivedShare = 0.8;
constexpr base::Duration kMaxInterval = base::Duration::seconds(1);
// A receive rate this much above the send rate is a measurement artefact.
constexpr double kMaxReceiveOverSend = 2.0;
constexpr double kSlowerReceive = 0.9, kDiscount = 0.95;

}  // namespace

std::optional<std::uint64_t> ProbeEstimator::add(const PacketResult& result, std::size_t min_packets) {
  if (!result.arrival || result.packet.probe_cluster == kNoProbe) return std::nullopt;
  const int id = result.packet.probe_cluster;
  Cluster* cluster = nullptr;
  for (Cluster& c : clusters_) {
    if (c.id == id) cluster = &c;
  }
  if (cluster == nullptr) {  // replaces the oldest cluster
    cluster = &*std::min_element(clusters_.begin(), clusters_.end(), [](const Cluster& a, const Cluster& b) { return a.id < b.id; });
    *cluster = Cluster{id, result.packet.sent, result.packet.sent, *result.arrival, *result.arrival, 0, 0,
                       result.packet.size, result.packet.size};
  }
  const base::Instant sent = result.packet.sent, arrival = *result.arrival;
  const std::size_t size = result.packet.size;
  if (sent < cluster->first_sent) cluster->first_sent = sent;
  if (sent >= cluster->last_sent) {
    cluster->last_sent = sent;
    cluster->last_sent_size = size;
  }
  if (arrival <= cluster->first_arrival) {
    cluster->first_arrival = arrival;
    cluster->first_arrival_size = size;
  }
  if (arrival > cluster->last_arrival) cluster->last_arrival = arrival;
  ++cluster->packets;
  cluster->bytes += size;

  if (static_cast<double>(cluster->packets) < kMinReceivedShare * static_cast<double>(min_packets)) return std::nullopt;
  const base::Duration send_interval = cluster->last_sent - cluster->first_sent;
  const base::Duration receive_interval = cluster->last_arrival - cluster->first_arrival;
  if (send_interval <= base::Duration::zero() || send_interval > kMaxInterval || receive_interval <= base::Duration::zero() ||
      receive_interval > kMaxInterval) {
    return std::nullopt;
  }
  const double send_bps = static_cast<double>(cluster->bytes - cluster->last_sent_size) * 8 / send_interval.as_seconds();
  const double receive_bps = static_cast<double>(cluster->bytes - cluster->first_arrival_size) * 8 / receive_interval.as_seconds();
  if (receive_bps > kMaxReceiveOverSend * send_bps) return std::nullopt;
  double estimate = std::min(send_bps, receive_bps);
  if (receive_bps < kSlowerReceive * send_bps) estimate = kDiscount * receive_bps;
  return static_cast<std::uint64_t>(estimate);
}

}  // namespace rtcstack::cc
