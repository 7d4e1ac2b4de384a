// Remote candidates named by mDNS (draft-ietf-mmusic-mdns-ice-candidates): browsers hide
// their host addresses behind "<uuid>.local". Such a candidate waits, without blocking
// anything, until the caller resolves its name (MdnsQueryEvent, handle_mdns_resolution());
// the agent meanwhile checks the other candidates, and the browser's own checks make its
// address known as a peer-reflexive candidate anyway.
#include <algorithm>

#include "base/log.h"
#include "ice/agent.h"
#include "pc/peer_connection.h"
#include "pc/transport.h"

namespace rtcstack::pc {
namespace {

// The candidate once per address its name resolved to.
base::Result<void> add_resolved(ice::Agent& agent, const ice::Candidate& candidate,
                                const std::vector<base::IpAddress>& addresses, base::Instant now) {
  base::Result<void> added;
  for (const base::IpAddress& address : addresses) {
    ice::Candidate copy = candidate;
    copy.address = copy.base = base::SocketAddress(address, candidate.address.port());
    added = agent.add_remote_candidate(std::move(copy), now);
  }
  return added;
}

}  // namespace

base::Result<void> PeerConnection::add_remote_candidate(base::Instant now, ice::Candidate candidate) {
  ice::Agent& agent = *transport_->agent();
  if (candidate.hostname.empty()) return agent.add_remote_candidate(std::move(candidate), now);
  const auto resolved = std::find_if(resolved_names_.begin(), resolved_names_.end(),
                                     [&](const auto& entry) { return entry.first == candidate.hostname; });
  if (resolved != resolved_names_.end()) return add_resolved(agent, candidate, resolved->second, now);
  if (unresolved_.size() >= kMaxMdnsCandidates) {
    return base::Error{base::ErrorCode::kResourceExhausted,
                       std::to_string(kMaxMdnsCandidates) + " remote candidates wait for their mDNS names already"};
  }
  const bool asked = std::any_of(unresolved_.begin(), unresolved_.end(),
                                 [&](const ice::Candidate& waiting) { return waiting.hostname == candidate.hostname; });
  if (!asked) emit(MdnsQueryEvent{candidate.hostname});
  unresolved_.push_back(std::move(candidate));
  return {};
}

void PeerConnection::handle_mdns_resolution(base::Instant now, std::string_view name,
                                            const std::vector<base::IpAddress>& addresses) {
  now_ = now;
  if (released_ || transport_->agent() == nullptr) return;
  if (addresses.empty()) {
    RTC_LOG(kInfo, "pc") << "mDNS name " << name << " did not resolve: its candidates are dropped";
  } else if (resolved_names_.size() < kMaxMdnsCandidates) {
    resolved_names_.emplace_back(std::string(name), addresses);
  }
  std::vector<ice::Candidate> waiting;
  std::erase_if(unresolved_, [&](ice::Candidate& candidate) {
    if (candidate.hostname != name) return false;
    waiting.push_back(std::move(candidate));
    return true;
  });
  for (const ice::Candidate& candidate : waiting) (void)add_resolved(*transport_->agent(), candidate, addresses, now);
  pump(now);
}

}  // namespace rtcstack::pc
