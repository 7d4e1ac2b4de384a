#include "ice/mdns_resolver.h"

#include <algorithm>

namespace rtcstack::ice::mdns {

base::Result<std::optional<std::vector<base::IpAddress>>> Resolver::resolve(base::Instant now, std::string_view name) {
  if (!is_local_name(name)) {
    return base::Error{base::ErrorCode::kInvalidArgument, "mDNS: \"" + std::string(name) + "\" is not a .local host name"};
  }
  if (const auto cached = cache_.find(name); cached != cache_.end()) {
    if (cached->second.expires > now) return std::optional<std::vector<base::IpAddress>>(cached->second.addresses);
    cache_.erase(cached);
  }
  if (pending_.contains(name)) return std::optional<std::vector<base::IpAddress>>();
  if (pending_.size() >= config_.max_pending) {
    return base::Error{base::ErrorCode::kResourceExhausted,
                       "mDNS: " + std::to_string(config_.max_pending) + " names are being resolved already"};
  }
  auto [entry, inserted] = pending_.emplace(std::string(name), Pending{});
  send_query(now, entry->first, entry->second);
  return std::optional<std::vector<base::IpAddress>>();
}

void Resolver::send_query(base::Instant now, const std::string& name, Pending& pending) {
  queries_.push_back(build_query(name, kTypeA));
  queries_.push_back(build_query(name, kTypeAaaa));
  ++pending.sent;
  // 1 s, then 2 s, ...; after the last query, the time it has to be answered.
  pending.next = pending.sent < config_.attempts ? now + config_.first_retry * (1 << (pending.sent - 1))
                                                 : now + config_.give_up_after;
}

bool Resolver::handle_response(base::Instant now, const Message& response) {
  // Every address record of one name in one message belongs together (A and AAAA).
  std::map<std::string, std::pair<std::vector<base::IpAddress>, std::uint32_t>, std::less<>> found;
  for (const Answer& answer : response.answers) {
    if (!is_local_name(answer.name)) continue;
    auto& [addresses, ttl] = found[answer.name];
    if (std::find(addresses.begin(), addresses.end(), answer.address) == addresses.end()) addresses.push_back(answer.address);
    ttl = std::max(ttl, answer.ttl);
  }
  for (auto& [name, entry] : found) {
    auto& [addresses, ttl] = entry;
    if (ttl == 0) {
      cache_.erase(name);  // a goodbye (RFC 6762 §10.1): the name is gone
      continue;
    }
    if (cache_.size() >= config_.max_cache && !cache_.contains(name)) {
      // Full: the entry closest to expiry makes room.
      cache_.erase(std::min_element(cache_.begin(), cache_.end(), [](const auto& a, const auto& b) {
        return a.second.expires < b.second.expires;
      }));
    }
    const auto held = std::min(ttl, config_.max_ttl_seconds);
    cache_[name] = {addresses, now + base::Duration::seconds(held)};
    if (pending_.contains(name)) finish(name, addresses);
  }
  return !found.empty();
}

void Resolver::finish(const std::string& name, std::vector<base::IpAddress> addresses) {
  resolutions_.push_back({name, std::move(addresses)});
  pending_.erase(name);
}

void Resolver::handle_timeout(base::Instant now) {
  std::vector<std::string> given_up;
  for (auto& [name, pending] : pending_) {
    if (pending.next > now) continue;
    if (pending.sent < config_.attempts) {
      send_query(now, name, pending);
    } else {
      given_up.push_back(name);
    }
  }
  for (const std::string& name : given_up) finish(name, {});
}

base::Instant Resolver::poll_timeout() const {
  base::Instant next = base::Instant::max();
  for (const auto& [name, pending] : pending_) next = std::min(next, pending.next);
  return next;
}

std::optional<std::vector<std::uint8_t>> Resolver::poll_query() {
  if (queries_.empty()) return std::nullopt;
  auto query = std::move(queries_.front());
  queries_.pop_front();
  return query;
}

std::optional<Resolution> Resolver::poll_resolution() {
  if (resolutions_.empty()) return std::nullopt;
  auto resolution = std::move(resolutions_.front());
  resolutions_.pop_front();
  return resolution;
}

}  // namespace rtcstack::ice::mdns
