// Helpers for tests that run PeerConnections on real Runtimes over loopback UDP: waiting
// on the wall clock with a deadline, a runtime on 127.0.0.1, and candidate rewriting for
// the impairment relay.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/runtime.h"

namespace rtcstack::testing {

/// Polls `done` every 2 ms until it holds (true) or `limit` passes (false).
inline bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

/// A Runtime whose connections gather host candidates on 127.0.0.1 only.
inline std::unique_ptr<net::Runtime> loopback_runtime() {
  net::RuntimeOptions options;
  options.addresses = {*base::IpAddress::parse("127.0.0.1")};
  auto runtime = net::Runtime::create(options);
  return runtime.ok() ? std::move(*runtime) : nullptr;
}

/// "candidate:..." with its port (field 6) replaced, e.g. by a relay's alias for the sender.
inline std::string with_port(const std::string& candidate, std::uint16_t port) {
  std::vector<std::string> fields;
  for (std::size_t at = 0; at <= candidate.size();) {
    const std::size_t space = std::min(candidate.find(' ', at), candidate.size());
    fields.push_back(candidate.substr(at, space - at));
    at = space + 1;
  }
  if (fields.size() < 6) return candidate;
  fields[5] = std::to_string(port);
  std::string out;
  for (const std::string& field : fields) out += (out.empty() ? "" : " ") + field;
  return out;
}

}  // namespace rtcstack::testing
