// What the lib/net tests share: a runtime on 127.0.0.1 and a bounded wait for what the IO
// thread's callbacks make true.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "net/runtime.h"

namespace rtcstack::testing {

inline std::unique_ptr<net::Runtime> loopback_runtime(net::RuntimeOptions options = {}) {
  options.addresses = {*base::IpAddress::parse("127.0.0.1")};
  auto runtime = net::Runtime::create(options);
  REQUIRE(runtime.ok());
  return std::move(*runtime);
}

/// Waits (bounded: 20 s by default, room for a loaded machine) until `done()` holds.
inline bool eventually(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

}  // namespace rtcstack::testing
