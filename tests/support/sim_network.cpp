#include "sim_network.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "base/crc32.h"

namespace rtcstack::testing {

namespace {

// An endpoint whose timeout never moves past `now` would spin the loop forever at one
// instant; no legitimate run needs anywhere near this many events without time passing.
constexpr std::uint64_t kMaxStepsAtOneInstant = 1'000'000;

std::string_view kind_name(TraceEvent::Kind kind) {
  switch (kind) {
    case TraceEvent::Kind::kSent: return "sent";
    case TraceEvent::Kind::kDelivered: return "delivered";
    case TraceEvent::Kind::kLost: return "lost";
    case TraceEvent::Kind::kDuplicated: return "duplicated";
    case TraceEvent::Kind::kTooBig: return "too-big";
    case TraceEvent::Kind::kUnroutable: return "unroutable";
    case TraceEvent::Kind::kFiltered: return "filtered";
    case TraceEvent::Kind::kQueueDropped: return "queue-dropped";
  }
  return "?";
}

}  // namespace

std::string TraceEvent::to_string() const {
  char tail[48];
  std::snprintf(tail, sizeof tail, " %zuB crc=%08x", size, checksum);
  return at.to_string() + " " + std::string(kind_name(kind)) + " " + from.to_string() + " -> " +
         to.to_string() + tail;
}

bool SimNetwork::LaterFirst::operator()(const InFlight& a, const InFlight& b) const {
  if (a.arrival != b.arrival) return a.arrival > b.arrival;
  return a.sequence > b.sequence;
}

SimNetwork::SimNetwork(std::uint64_t seed, base::Instant start) : random_(seed), now_(start) {}

void SimNetwork::attach(const base::IpAddress& ip, SimEndpoint& endpoint) {
  hosts_[ip] = &endpoint;
  if (std::find(endpoints_.begin(), endpoints_.end(), &endpoint) == endpoints_.end()) {
    endpoints_.push_back(&endpoint);
  }
}

void SimNetwork::detach(const base::IpAddress& ip) {
  const auto host = hosts_.find(ip);
  if (host == hosts_.end()) return;
  SimEndpoint* endpoint = host->second;
  hosts_.erase(host);
  const bool still_attached = std::any_of(hosts_.begin(), hosts_.end(),
                                          [&](const auto& entry) { return entry.second == endpoint; });
  if (!still_attached) std::erase(endpoints_, endpoint);
}

void SimNetwork::set_link(const base::IpAddress& from, const base::IpAddress& to,
                          LinkConditions conditions) {
  links_[{from, to}] = conditions;
}

void SimNetwork::set_link_both_ways(const base::IpAddress& a, const base::IpAddress& b,
                                    LinkConditions conditions) {
  set_link(a, b, conditions);
  set_link(b, a, conditions);
}

const LinkConditions& SimNetwork::conditions_for(const LinkKey& link) const {
  const auto found = links_.find(link);
  return found != links_.end() ? found->second : default_link_;
}

void SimNetwork::record(TraceEvent::Kind kind, const base::SocketAddress& from,
                        const base::SocketAddress& to, base::ByteView datagram) {
  if (!tracing_) return;
  trace_.push_back({now_, kind, from, to, datagram.size(), base::crc32(datagram)});
}

void SimNetwork::add_nat(NatConfig config) {
  const std::uint16_t first = config.first_port;
  nats_.push_back({std::move(config), {}, first});
}

SimNetwork::Nat* SimNetwork::nat_inside(const base::IpAddress& ip) {
  for (Nat& nat : nats_) {
    if (std::find(nat.config.inside.begin(), nat.config.inside.end(), ip) != nat.config.inside.end()) return &nat;
  }
  return nullptr;
}

SimNetwork::Nat* SimNetwork::nat_with_public(const base::IpAddress& ip) {
  for (Nat& nat : nats_) {
    if (nat.config.public_ip == ip) return &nat;
  }
  return nullptr;
}

namespace {

// The part of a destination a NAT behaviour distinguishes.
base::SocketAddress key_for(NatBehavior behavior, const base::SocketAddress& destination) {
  switch (behavior) {
    case NatBehavior::kEndpointIndependent: return {};
    case NatBehavior::kAddressDependent: return {destination.ip(), 0};
    case NatBehavior::kAddressAndPortDependent: return destination;
  }
  return destination;
}

}  // namespace

bool SimNetwork::translate(base::SocketAddress& from, base::SocketAddress& to) {
  Nat* source_nat = nat_inside(from.ip());
  Nat* destination_inside = nat_inside(to.ip());
  if (source_nat != nullptr && source_nat == destination_inside) return true;  // same LAN
  if (destination_inside != nullptr) return false;  // a private address behind another NAT
  if (source_nat != nullptr) {
    const base::SocketAddress key = key_for(source_nat->config.mapping, to);
    auto mapping = std::find_if(source_nat->mappings.begin(), source_nat->mappings.end(), [&](const auto& m) {
      return m.inside == from && m.destination == key;
    });
    if (mapping == source_nat->mappings.end()) {
      source_nat->mappings.push_back({from, key, source_nat->next_port++, {}});
      mapping = source_nat->mappings.end() - 1;
    }
    if (std::find(mapping->contacted.begin(), mapping->contacted.end(), to) == mapping->contacted.end()) {
      mapping->contacted.push_back(to);
    }
    from = base::SocketAddress(source_nat->config.public_ip, mapping->public_port);
  }
  if (Nat* destination_nat = nat_with_public(to.ip())) {
    for (const auto& mapping : destination_nat->mappings) {
      if (mapping.public_port != to.port()) continue;
      const NatBehavior filtering = destination_nat->config.filtering;
      const bool allowed = std::any_of(mapping.contacted.begin(), mapping.contacted.end(), [&](const auto& c) {
        return key_for(filtering, c) == key_for(filtering, from);
      });
      if (!allowed) return false;
      to = mapping.inside;
      return true;
    }
    return false;  // no mapping for that port
  }
  return true;
}

void SimNetwork::send(const base::SocketAddress& original_from, const base::SocketAddress& original_to,
                      base::ByteView datagram) {
  ++stats_.sent;
  record(TraceEvent::Kind::kSent, original_from, original_to, datagram);
  base::SocketAddress from = original_from;
  base::SocketAddress to = original_to;
  if (!translate(from, to)) {
    ++stats_.filtered;
    record(TraceEvent::Kind::kFiltered, original_from, original_to, datagram);
    return;
  }
  const LinkKey link{original_from.ip(), original_to.ip()};
  const LinkConditions& conditions = conditions_for(link);
  if (conditions.mtu != 0 && datagram.size() > conditions.mtu) {
    ++stats_.too_big;
    record(TraceEvent::Kind::kTooBig, from, to, datagram);
    return;
  }
  if (random_.chance(conditions.loss)) {
    ++stats_.lost;
    record(TraceEvent::Kind::kLost, from, to, datagram);
    return;
  }
  const auto departure = through_bottleneck(conditions, datagram.size());
  if (!departure) {
    ++stats_.queue_dropped;
    record(TraceEvent::Kind::kQueueDropped, from, to, datagram);
    return;
  }
  schedule(link, conditions, from, to, datagram, *departure);
  if (random_.chance(conditions.duplicate)) {
    ++stats_.duplicated;
    record(TraceEvent::Kind::kDuplicated, from, to, datagram);
    schedule(link, conditions, from, to, datagram, *departure);
  }
}

int SimNetwork::add_bottleneck(Bottleneck bottleneck) {
  bottlenecks_.push_back({DropTailQueue(bottleneck), {}});
  return static_cast<int>(bottlenecks_.size() - 1);
}

void SimNetwork::set_bottleneck(int id, Bottleneck bottleneck) { bottlenecks_.at(id).queue.set_limits(bottleneck); }

std::optional<base::Instant> SimNetwork::through_bottleneck(const LinkConditions& conditions, std::size_t bytes) {
  if (conditions.bottleneck < 0) return now_;
  BottleneckState& state = bottlenecks_.at(conditions.bottleneck);
  const DropTailQueue::Admission admission = state.queue.admit(now_, bytes);
  state.samples.push_back({now_, admission.queued, bytes, admission.dropped});
  if (admission.dropped) return std::nullopt;
  return admission.departure;
}

void SimNetwork::schedule(const LinkKey& link, const LinkConditions& conditions,
                          const base::SocketAddress& from, const base::SocketAddress& to,
                          base::ByteView datagram, base::Instant departure) {
  const auto jitter_ns = static_cast<std::uint64_t>(conditions.jitter.as_nanoseconds());
  const base::Duration jitter =
      base::Duration::nanoseconds(static_cast<std::int64_t>(random_.uniform(jitter_ns + 1)));
  base::Instant& in_order = last_in_order_arrival_[link];
  const base::Instant arrival = std::max(departure + conditions.delay + jitter, in_order);
  InFlight datagram_in_flight{arrival, next_sequence_++, from, to, base::Buffer(datagram)};
  if (random_.chance(conditions.reorder)) {
    // Held back without moving the in-order horizon: later datagrams pass it.
    datagram_in_flight.arrival = arrival + conditions.reorder_delay;
  } else {
    in_order = arrival;
  }
  in_flight_.push_back(std::move(datagram_in_flight));
  std::push_heap(in_flight_.begin(), in_flight_.end(), LaterFirst{});
}

void SimNetwork::advance_to(base::Instant at) {
  if (at <= now_) {
    if (++steps_at_same_instant_ > kMaxStepsAtOneInstant) {
      std::fprintf(stderr, "SimNetwork: %llu events at %s without time passing: livelock\n",
                   static_cast<unsigned long long>(steps_at_same_instant_), now_.to_string().c_str());
      std::abort();
    }
    return;
  }
  now_ = at;
  steps_at_same_instant_ = 0;
}

bool SimNetwork::step(base::Instant limit) {
  SimEndpoint* timer_owner = nullptr;
  base::Instant timer_at = base::Instant::max();
  for (SimEndpoint* endpoint : endpoints_) {
    const base::Instant at = endpoint->next_timeout();
    if (at < timer_at) {
      timer_at = at;
      timer_owner = endpoint;
    }
  }
  const base::Instant delivery_at =
      in_flight_.empty() ? base::Instant::max() : in_flight_.front().arrival;

  // A delivery and a timeout due at the same instant: the delivery goes first.
  if (!in_flight_.empty() && delivery_at <= timer_at && delivery_at <= limit) {
    std::pop_heap(in_flight_.begin(), in_flight_.end(), LaterFirst{});
    InFlight datagram = std::move(in_flight_.back());
    in_flight_.pop_back();
    advance_to(datagram.arrival);
    const auto host = hosts_.find(datagram.to.ip());
    if (host == hosts_.end()) {
      ++stats_.unroutable;
      record(TraceEvent::Kind::kUnroutable, datagram.from, datagram.to, datagram.bytes);
      return true;
    }
    ++stats_.delivered;
    record(TraceEvent::Kind::kDelivered, datagram.from, datagram.to, datagram.bytes);
    host->second->on_datagram(now_, datagram.to, datagram.from, datagram.bytes);
    return true;
  }
  if (timer_owner != nullptr && timer_at <= limit) {
    advance_to(std::max(timer_at, now_));  // a timeout already in the past fires now
    timer_owner->on_timeout(now_);
    return true;
  }
  return false;
}

void SimNetwork::run_until(base::Instant deadline) {
  while (step(deadline)) {
  }
  if (deadline > now_) now_ = deadline;
}

bool SimNetwork::run_until(const std::function<bool()>& done, base::Instant deadline) {
  while (!done()) {
    if (!step(deadline)) {
      if (deadline > now_) now_ = deadline;
      return done();
    }
  }
  return true;
}

}  // namespace rtcstack::testing
