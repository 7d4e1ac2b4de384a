// The pacer: packets leave at a set rate instead of in the bursts encoders make (a key
// frame is dozens of packets at once), so queues in the network see a smooth flow and the
// delay-based estimator sees delay the network caused, not the sender. Packets wait in one
// queue per priority - audio, then retransmissions, then video, then padding - and leave
// while the bytes sent run ahead of the rate by no more than 5 ms worth. A probe cluster
// borrows the pacer: its packets go at the cluster's rate, media first, and padding
// (which the caller makes, as RTX) fills the cluster when media runs short.
//
// Buffers in, buffers out, no clock: the caller asks next_send_time(), and at that time
// pops what may leave. Queues are rings that grow to the largest backlog and stay, so a
// running pacer does not allocate per packet.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/ring_queue.h"
#include "base/time.h"
#include "cc/packet_result.h"
#include "cc/probe_controller.h"

namespace rtcstack::cc {

/// Which queue a packet waits in; lower leaves first.
enum class PacketPriority : std::uint8_t { kAudio, kRetransmission, kVideo };
inline constexpr std::size_t kPriorities = 3;

struct PacerConfig {
  /// Bytes each packet adds on the wire beyond what is queued (SRTP's tag, UDP, IP).
  std::size_t overhead = 38;
  /// How far sending may run ahead of the rate: bursts are bounded by this much time.
  base::Duration burst = base::Duration::milliseconds(5);
  /// No packet waits longer than this, whatever the rate: a backlog that would take longer
  /// raises the rate (late media is worse than a brief overshoot).
  base::Duration max_queue_time = base::Duration::seconds(2);
  /// Packets queued at most; past it enqueue() refuses.
  std::size_t max_packets = 8192;
};

struct PacedPacket {
  base::Buffer bytes;
  PacketPriority priority = PacketPriority::kVideo;
  std::uint32_t tag = 0;  ///< the caller's, handed back with the packet
  base::Instant enqueued;
};

class Pacer {
 public:
  explicit Pacer(PacerConfig config = {}) : config_(config) {}

  /// The pacing rate (libwebrtc paces at 2.5 times the target: a frame leaves well within
  /// its frame interval, and the queue stays short).
  void set_rate(std::uint64_t bps) { rate_bps_ = bps; }
  /// Queues a packet; false (and the packet back in `packet`) when the queue is full.
  bool enqueue(base::Instant now, PacedPacket& packet);
  /// A probe to send after any before it.
  void add_probe(const ProbeCluster& cluster);

  /// When the next packet (or padding) may leave; max() when nothing waits.
  base::Instant next_send_time(base::Instant now) const;
  /// The packet that leaves now, if it may: counted against the rate and the probe.
  std::optional<PacedPacket> pop(base::Instant now);
  /// The cluster the last popped packet (or padding) was sent for, or kNoProbe.
  int last_probe_cluster() const { return last_cluster_; }
  /// Padding a probe wants now that media is short: bytes of payload to make (0 for none).
  std::size_t padding_wanted(base::Instant now) const;
  /// Padding of `size` bytes (as queued, without overhead) left now for the probe.
  void on_padding_sent(base::Instant now, std::size_t size);
  /// Gives up the probe being sent (the caller cannot make padding for it).
  void cancel_probe();

  std::size_t queued_packets() const;
  std::size_t queued_bytes() const { return queued_bytes_; }
  /// How long the oldest queued packet has waited.
  base::Duration oldest_wait(base::Instant now) const;

 private:
  std::uint64_t effective_rate(base::Instant now) const;
  double debt_at(base::Instant now, std::uint64_t rate) const;
  void account(base::Instant now, std::size_t wire_size);

  PacerConfig config_;
  std::uint64_t rate_bps_ = 300'000 * 5 / 2;
  base::RingQueue<PacedPacket> queues_[kPriorities];
  std::size_t queued_bytes_ = 0;
  // Bytes sent ahead of the rate, as of debt_time_.
  double debt_bytes_ = 0;
  base::Instant debt_time_;
  // Probes: the one being sent first.
  base::RingQueue<ProbeCluster> probes_;
  std::size_t probe_packets_ = 0, probe_bytes_ = 0;
  int last_cluster_ = kNoProbe;
};

}  // namespace rtcstack::cc
