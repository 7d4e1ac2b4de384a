#include "ice/mdns_responder.h"

namespace rtcstack::ice::mdns {
namespace {

constexpr auto kMinInterval = base::Duration::seconds(1);
constexpr std::size_t kMaxQueriersRemembered = 16;

}  // namespace

bool Responder::add(std::string_view name, std::vector<base::IpAddress> addresses) {
  if (!is_local_name(name) || (names_.size() >= kMaxNames && !names_.contains(name))) return false;
  names_[std::string(name)] = Entry{std::move(addresses), {}, {}};
  return true;
}

void Responder::remove(std::string_view name) {
  if (const auto found = names_.find(name); found != names_.end()) names_.erase(found);
}

Responder::Outcome Responder::handle_query(base::Instant now, const Message& query, const base::SocketAddress& from,
                                           std::optional<Reply>& reply) {
  reply.reset();
  if (query.response) return Outcome::kNotOurs;
  for (const Question& question : query.questions) {
    if (question.type != kTypeA && question.type != kTypeAaaa && question.type != 255) continue;  // 255: ANY
    const auto found = names_.find(question.name);
    if (found == names_.end()) continue;
    Entry& entry = found->second;
    // Only the records of the family asked for (both for ANY).
    std::vector<base::IpAddress> addresses;
    for (const base::IpAddress& address : entry.addresses) {
      if (question.type == 255 || (question.type == kTypeA) == address.is_v4()) addresses.push_back(address);
    }
    if (addresses.empty()) continue;
    const bool unicast = from.port() != kPort || question.unicast_response;
    if (unicast) {
      auto& last = entry.last_unicast[from];
      if (last != base::Instant{} && now - last < kMinInterval) return Outcome::kRateLimited;
      last = now;
      if (entry.last_unicast.size() > kMaxQueriersRemembered) entry.last_unicast.clear();
      // §6.7: a legacy querier gets its id back, its question, and no cache-flush bit.
      reply = Reply{build_response(from.port() != kPort ? query.id : 0, question.name, addresses, kTtlSeconds,
                                   from.port() == kPort),
                    from};
      return Outcome::kAnswered;
    }
    const auto last = entry.last_multicast.find(question.type);
    if (last != entry.last_multicast.end() && now - last->second < kMinInterval) return Outcome::kRateLimited;
    entry.last_multicast[question.type] = now;
    reply = Reply{build_response(0, question.name, addresses, kTtlSeconds, true), std::nullopt};
    return Outcome::kAnswered;
  }
  return Outcome::kNotOurs;
}

}  // namespace rtcstack::ice::mdns
