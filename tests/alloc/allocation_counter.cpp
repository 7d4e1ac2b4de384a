#include "allocation_counter.h"

#include <malloc.h>

#include <atomic>
#include <cstddef>

extern "C" void* __libc_malloc(std::size_t size);
extern "C" void* __libc_calloc(std::size_t count, std::size_t size);
extern "C" void* __libc_realloc(void* pointer, std::size_t size);
extern "C" void __libc_free(void* pointer);
extern "C" void* __libc_memalign(std::size_t alignment, std::size_t size);

namespace {
std::atomic<std::uint64_t> count{0};
std::atomic<std::int64_t> live{0};  // bytes allocated and not yet freed (usable sizes)

void* tracked(void* pointer) {
  if (pointer != nullptr) live.fetch_add(static_cast<std::int64_t>(malloc_usable_size(pointer)), std::memory_order_relaxed);
  return pointer;
}
void untracked(void* pointer) {
  if (pointer != nullptr) live.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(pointer)), std::memory_order_relaxed);
}
void counted() { count.fetch_add(1, std::memory_order_relaxed); }
}  // namespace

// The program's own definitions win over libc's for every caller in the process.
extern "C" void* malloc(std::size_t size) {
  counted();
  return tracked(__libc_malloc(size));
}
extern "C" void* calloc(std::size_t n, std::size_t size) {
  counted();
  return tracked(__libc_calloc(n, size));
}
extern "C" void* realloc(void* pointer, std::size_t size) {
  counted();
  untracked(pointer);
  return tracked(__libc_realloc(pointer, size));
}
extern "C" void free(void* pointer) {
  untracked(pointer);
  __libc_free(pointer);
}
// The aligned allocators, so that what they hand out and free() takes back balance.
extern "C" void* memalign(std::size_t alignment, std::size_t size) {
  counted();
  return tracked(__libc_memalign(alignment, size));
}
extern "C" void* aligned_alloc(std::size_t alignment, std::size_t size) {
  counted();
  return tracked(__libc_memalign(alignment, size));
}
extern "C" int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
  counted();
  *out = tracked(__libc_memalign(alignment, size));
  return *out == nullptr ? 12 /* ENOMEM */ : 0;
}

namespace rtcstack::testing {

std::uint64_t allocations() { return count.load(std::memory_order_relaxed); }

std::int64_t live_bytes() { return live.load(std::memory_order_relaxed); }

}  // namespace rtcstack::testing
