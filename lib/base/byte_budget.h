// A budget of bytes shared by many connections (a process-wide one, typically), for what
// peers can make us hold: data channels' send queues, retransmission histories. Taking
// past the limit fails, and the holder turns that into backpressure (send() refuses) or
// into doing without (a history stops growing) - never into growth. Thread-safe, so that
// connections on several runtimes (IO threads) may share one; taking and giving back are
// single atomic operations.
#pragma once

#include <atomic>
#include <cstddef>

namespace rtcstack::base {

class ByteBudget {
 public:
  explicit ByteBudget(std::size_t limit) : limit_(limit) {}
  ByteBudget(const ByteBudget&) = delete;
  ByteBudget& operator=(const ByteBudget&) = delete;

  /// Takes `bytes` if they fit under the limit; false (nothing taken) otherwise.
  bool try_take(std::size_t bytes);
  /// Returns bytes taken before.
  void give_back(std::size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  std::size_t used() const { return used_.load(std::memory_order_relaxed); }
  std::size_t limit() const { return limit_; }
  /// How many times try_take() refused.
  std::size_t refusals() const { return refusals_.load(std::memory_order_relaxed); }

 private:
  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
  std::atomic<std::size_t> refusals_{0};
};

}  // namespace rtcstack::base
