// A simulated network with simulated time, for testing sans-IO cores without sockets or
// clocks. Hosts are IP addresses with an endpoint attached; each direction between two
// hosts is a link with its own delay, jitter, loss, duplication, reordering and MTU,
// drawn from one seeded random source, so a run is a pure function of its seed.
//
// The event loop advances time straight to the next thing that happens (a delivery or an
// endpoint's timeout), so a minute of simulated ICE keepalives costs microseconds.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/random.h"
#include "base/socket_address.h"
#include "base/time.h"
#include "drop_tail_queue.h"

namespace rtcstack::testing {

// Bottlenecks (drop_tail_queue.h): a link of limited rate with a drop-tail queue in
// front, which any number of links (directions between hosts) may pass through - two calls
// that share one bottleneck compete for it. A datagram waits behind what the queue holds,
// leaves after its own serialization time, and then takes its link's delay and jitter;
// one that finds the queue over its limit is dropped. The rate may change mid-run
// (set_bottleneck): a capacity step.

/// One datagram at a bottleneck: when it came, how long it queued, or that it was dropped.
struct BottleneckSample {
  base::Instant at;
  base::Duration queued = base::Duration::zero();
  std::size_t bytes = 0;
  bool dropped = false;
};

/// How one direction of a link treats datagrams.
struct LinkConditions {
  /// One-way propagation delay.
  base::Duration delay = base::Duration::zero();
  /// Extra delay drawn uniformly from [0, jitter]. Jitter alone keeps datagrams in order
  /// (a later datagram never overtakes an earlier one), as on most real paths.
  base::Duration jitter = base::Duration::zero();
  /// Probability that a datagram is lost.
  double loss = 0.0;
  /// Probability that a datagram is delivered twice (the copy draws its own jitter).
  double duplicate = 0.0;
  /// Probability that a datagram is held back by `reorder_delay` past the in-order
  /// arrival time, so that datagrams sent after it overtake it.
  double reorder = 0.0;
  base::Duration reorder_delay = base::Duration::milliseconds(10);
  /// Datagrams larger than this many bytes are dropped; 0 means no limit.
  std::size_t mtu = 0;
  /// The bottleneck (SimNetwork::add_bottleneck()) this direction passes through, if any.
  int bottleneck = -1;
};

/// NAT behaviour as RFC 4787 classifies it. Mapping: which outgoing flows share a public
/// port. Filtering: which inbound packets a mapping lets through.
enum class NatBehavior : std::uint8_t {
  kEndpointIndependent,       ///< one mapping per inside address / any sender allowed
  kAddressDependent,          ///< per destination IP / senders the host sent to
  kAddressAndPortDependent,   ///< per destination IP and port / exactly those IP:ports
};

/// A NAT between some hosts (inside) and everyone else. Inside addresses are reachable
/// only from the same inside; from outside only the public address is, through the
/// mappings inside hosts created by sending. No hairpinning.
struct NatConfig {
  base::IpAddress public_ip;
  std::vector<base::IpAddress> inside;
  NatBehavior mapping = NatBehavior::kEndpointIndependent;
  NatBehavior filtering = NatBehavior::kEndpointIndependent;
  std::uint16_t first_port = 40000;
};

/// What a host runs: typically an adapter around a sans-IO core.
class SimEndpoint {
 public:
  virtual ~SimEndpoint() = default;
  /// A datagram from `remote` arrived at `local` (an address of this endpoint's host).
  virtual void on_datagram(base::Instant now, const base::SocketAddress& local,
                           const base::SocketAddress& remote, base::ByteView datagram) = 0;
  /// When the endpoint next wants on_timeout(); base::Instant::max() for never.
  virtual base::Instant next_timeout() const = 0;
  virtual void on_timeout(base::Instant now) = 0;
};

/// One line of the network's trace: what happened to a datagram, and when.
struct TraceEvent {
  enum class Kind : std::uint8_t { kSent, kDelivered, kLost, kDuplicated, kTooBig, kUnroutable, kFiltered, kQueueDropped };

  base::Instant at;
  Kind kind;
  base::SocketAddress from;
  base::SocketAddress to;
  std::size_t size;
  std::uint32_t checksum;  ///< CRC-32 of the payload, to tell datagrams apart in traces

  /// "T+20ms delivered 192.0.2.1:1000 -> 198.51.100.1:2000 1200B crc=1a2b3c4d"
  std::string to_string() const;
  friend bool operator==(const TraceEvent&, const TraceEvent&) = default;
};

/// Totals over the life of a network.
struct NetworkStats {
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;
  std::uint64_t lost = 0;
  std::uint64_t duplicated = 0;
  std::uint64_t too_big = 0;
  std::uint64_t unroutable = 0;
  std::uint64_t filtered = 0;  ///< dropped by a NAT (no mapping, or not allowed in)
  std::uint64_t queue_dropped = 0;  ///< dropped by a bottleneck's full queue
};

class SimNetwork {
 public:
  /// `seed` drives every random decision; `start` is the initial simulated time.
  explicit SimNetwork(std::uint64_t seed, base::Instant start = base::Instant{});

  /// Routes datagrams for `ip` to `endpoint`, which must outlive the network or be
  /// detached first. A host may have several addresses; an address has one endpoint.
  void attach(const base::IpAddress& ip, SimEndpoint& endpoint);
  void detach(const base::IpAddress& ip);

  /// Conditions for datagrams from `from` to `to` (one direction).
  void set_link(const base::IpAddress& from, const base::IpAddress& to, LinkConditions conditions);
  /// The same conditions in both directions.
  void set_link_both_ways(const base::IpAddress& a, const base::IpAddress& b,
                          LinkConditions conditions);
  /// Puts `config.inside` behind a NAT with the given behaviour.
  void add_nat(NatConfig config);

  /// Conditions for every pair without its own.
  void set_default_link(LinkConditions conditions) { default_link_ = conditions; }

  /// A bottleneck for LinkConditions::bottleneck to name; its id.
  int add_bottleneck(Bottleneck bottleneck);
  /// Changes a bottleneck from now on (what is queued keeps its departure time).
  void set_bottleneck(int id, Bottleneck bottleneck);
  /// Every datagram that reached the bottleneck, in order.
  const std::vector<BottleneckSample>& bottleneck_samples(int id) const { return bottlenecks_.at(id).samples; }

  /// Sends a copy of `datagram` at the current simulated time. Safe to call from inside
  /// SimEndpoint callbacks.
  void send(const base::SocketAddress& from, const base::SocketAddress& to,
            base::ByteView datagram);

  base::Instant now() const { return now_; }

  /// Handles the next event (delivery or timeout) due at or before `limit`, advancing time
  /// to it. Returns false, without advancing, when nothing is due by then.
  bool step(base::Instant limit = base::Instant::max());
  /// Runs every event up to `deadline`, then sets the time to `deadline`.
  void run_until(base::Instant deadline);
  void run_for(base::Duration duration) { run_until(now_ + duration); }
  /// Runs until `done()` holds (checked after every event) or `deadline` passes.
  /// Returns whether `done()` held; time stops at the event that satisfied it.
  bool run_until(const std::function<bool()>& done, base::Instant deadline);

  const std::vector<TraceEvent>& trace() const { return trace_; }
  /// Tracing is on by default; long load tests may switch it off to save memory.
  void set_tracing(bool enabled) { tracing_ = enabled; }
  const NetworkStats& stats() const { return stats_; }

 private:
  struct InFlight {
    base::Instant arrival;
    std::uint64_t sequence;  // ties at the same instant go in send order
    base::SocketAddress from;
    base::SocketAddress to;
    base::Buffer bytes;
  };
  struct LaterFirst {
    bool operator()(const InFlight& a, const InFlight& b) const;
  };
  using LinkKey = std::pair<base::IpAddress, base::IpAddress>;

  struct Nat {
    NatConfig config;
    struct Mapping {
      base::SocketAddress inside;
      base::SocketAddress destination;  // what the mapping key uses, per behaviour
      std::uint16_t public_port;
      std::vector<base::SocketAddress> contacted;  // for filtering
    };
    std::vector<Mapping> mappings;
    std::uint16_t next_port;
  };
  const LinkConditions& conditions_for(const LinkKey& link) const;
  Nat* nat_inside(const base::IpAddress& ip);
  Nat* nat_with_public(const base::IpAddress& ip);
  // Applies NATs to a datagram about to cross the network; false when it is dropped.
  bool translate(base::SocketAddress& from, base::SocketAddress& to);
  /// Queues a datagram that leaves the sender's side (or the bottleneck) at `departure`.
  void schedule(const LinkKey& link, const LinkConditions& conditions,
                const base::SocketAddress& from, const base::SocketAddress& to,
                base::ByteView datagram, base::Instant departure);
  void record(TraceEvent::Kind kind, const base::SocketAddress& from,
              const base::SocketAddress& to, base::ByteView datagram);
  void advance_to(base::Instant at);

  base::SeededRandom random_;
  base::Instant now_;
  std::uint64_t next_sequence_ = 0;
  std::vector<InFlight> in_flight_;  // a heap ordered by LaterFirst
  std::map<base::IpAddress, SimEndpoint*> hosts_;
  std::vector<SimEndpoint*> endpoints_;  // attach order, for deterministic timeout order
  std::map<LinkKey, LinkConditions> links_;
  std::map<LinkKey, base::Instant> last_in_order_arrival_;
  struct BottleneckState {
    DropTailQueue queue;
    std::vector<BottleneckSample> samples;
  };
  std::vector<BottleneckState> bottlenecks_;
  /// Passes a datagram through its link's bottleneck: the instant it leaves, or nullopt
  /// when the queue drops it.
  std::optional<base::Instant> through_bottleneck(const LinkConditions& conditions, std::size_t bytes);
  std::vector<Nat> nats_;
  LinkConditions default_link_;
  std::vector<TraceEvent> trace_;
  bool tracing_ = true;
  NetworkStats stats_;
  std::uint64_t steps_at_same_instant_ = 0;
};

}  // namespace rtcstack::testing
