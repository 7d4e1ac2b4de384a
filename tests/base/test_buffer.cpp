#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <utility>
#include <vector>

#include "base/byte_budget.h"
#include "base/bytes.h"

namespace base = rtcstack::base;

using rtcstack::base::as_bytes;
using rtcstack::base::as_string_view;
using rtcstack::base::Buffer;
using rtcstack::base::ByteView;

TEST_CASE("Buffer copies, appends and compares bytes", "[base][buffer]") {
  Buffer buffer(as_bytes("hello"));
  CHECK(buffer.size() == 5);
  buffer.append(as_bytes(", world"));
  CHECK(as_string_view(buffer) == "hello, world");
  buffer.push_back('!');
  CHECK(as_string_view(buffer) == "hello, world!");
  CHECK(buffer == Buffer(as_bytes("hello, world!")));
  CHECK_FALSE(buffer == Buffer(as_bytes("hello, world?")));
  CHECK_FALSE(buffer == Buffer(as_bytes("hello")));
}

TEST_CASE("Buffer copies are deep and moves leave the source empty", "[base][buffer]") {
  Buffer original(as_bytes("abc"));
  Buffer copy = original;
  copy[0] = 'x';
  CHECK(as_string_view(original) == "abc");
  CHECK(as_string_view(copy) == "xbc");

  Buffer moved = std::move(original);
  CHECK(as_string_view(moved) == "abc");
  CHECK(original.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  CHECK(original.capacity() == 0);

  copy = moved;
  CHECK(copy == moved);
  copy = copy;  // self-assignment keeps the bytes
  CHECK(as_string_view(copy) == "abc");
}

TEST_CASE("Buffer clear keeps capacity so refills do not allocate", "[base][buffer]") {
  Buffer buffer;
  buffer.reserve(1500);
  const std::uint8_t* storage = buffer.data();
  for (int round = 0; round < 10; ++round) {
    buffer.clear();
    buffer.resize(1200);
    CHECK(buffer.data() == storage);
  }
  CHECK(buffer.capacity() == 1500);
}

TEST_CASE("Buffer append may take a view of itself", "[base][buffer]") {
  Buffer buffer(as_bytes("abcd"));
  // Force the growth path, where the old storage is released while being read.
  buffer.append(buffer.view());
  CHECK(as_string_view(buffer) == "abcdabcd");
  buffer.reserve(64);
  buffer.append(ByteView(buffer).subspan(2, 3));
  CHECK(as_string_view(buffer) == "abcdabcdcda");
}

TEST_CASE("Buffer resize keeps the prefix", "[base][buffer]") {
  Buffer buffer(as_bytes("0123456789"));
  buffer.resize(4);
  CHECK(as_string_view(buffer) == "0123");
  buffer.resize(100000);
  CHECK(as_string_view(ByteView(buffer).first(4)) == "0123");
  CHECK(buffer.size() == 100000);
}

TEST_CASE("a byte budget takes what fits, refuses the rest, and is shared safely across threads", "[budget]") {
  base::ByteBudget budget(1000);
  CHECK(budget.try_take(600));
  CHECK_FALSE(budget.try_take(401));
  CHECK(budget.used() == 600);
  CHECK(budget.refusals() == 1);
  CHECK(budget.try_take(400));
  CHECK_FALSE(budget.try_take(1));
  budget.give_back(1000);
  CHECK(budget.used() == 0);
  CHECK_FALSE(budget.try_take(1001));
  // Four threads take and give back 10 bytes at a time: never past the limit, all back.
  base::ByteBudget shared(100);
  std::atomic<bool> over{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20'000; ++i) {
        if (!shared.try_take(10)) continue;
        if (shared.used() > shared.limit()) over = true;
        shared.give_back(10);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK_FALSE(over);
  CHECK(shared.used() == 0);
}
