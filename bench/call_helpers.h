// What the benchmarks that make calls over the Runtime share: waiting on a condition, and
// trickling candidates to the other connection - straight, or through a relay's alias.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/runtime.h"

namespace rtcstack::bench {

using Clock = std::chrono::steady_clock;

inline bool wait_for(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(10)) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return true;
}

using HandleRef = std::shared_ptr<std::weak_ptr<net::PeerConnectionHandle>>;

// Trickle: candidates go straight to the other connection.
inline std::function<void(const std::string&, const std::string&)> trickle_to(HandleRef to) {
  return [to](const std::string& candidate, const std::string&) {
    if (auto peer = to->lock()) (void)peer->add_ice_candidate(candidate);
  };
}

// Through a relay: the candidate's port (field 6 of "candidate:...", on 127.0.0.1)
// becomes the relay's alias for its sender.
inline std::function<void(const std::string&, const std::string&)> trickle_via(HandleRef to, std::uint16_t alias_port) {
  return [to, alias_port](const std::string& candidate, const std::string&) {
    std::vector<std::string> fields;
    for (std::size_t at = 0; at <= candidate.size();) {
      const std::size_t space = std::min(candidate.find(' ', at), candidate.size());
      fields.push_back(candidate.substr(at, space - at));
      at = space + 1;
    }
    auto peer = to->lock();
    if (!peer || fields.size() < 6) return;
    fields[5] = std::to_string(alias_port);
    std::string rewritten;
    for (const std::string& field : fields) rewritten += (rewritten.empty() ? "" : " ") + field;
    (void)peer->add_ice_candidate(rewritten);
  };
}

}  // namespace rtcstack::bench
