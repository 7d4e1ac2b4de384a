#include "allocation_counter.h"

#include <link.h>
#include <malloc.h>

#include <atomic>
#include <cstddef>
#include <cstring>

extern "C" void* __libc_malloc(std::size_t size);
extern "C" void* __libc_calloc(std::size_t count, std::size_t size);
extern "C" void* __libc_realloc(void* pointer, std::size_t size);
extern "C" void __libc_free(void* pointer);
extern "C" void* __libc_memalign(std::size_t alignment, std::size_t size);

namespace {
std::atomic<std::uint64_t> count{0};
std::atomic<std::uint64_t> usrsctp_count{0};
std::atomic<std::int64_t> live{0};  // bytes allocated and not yet freed (usable sizes)

void* tracked(void* pointer) {
  if (pointer != nullptr) live.fetch_add(static_cast<std::int64_t>(malloc_usable_size(pointer)), std::memory_order_relaxed);
  return pointer;
}
void untracked(void* pointer) {
  if (pointer != nullptr) live.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(pointer)), std::memory_order_relaxed);
}
// usrsctp's code: [low, high) of its loaded segments; empty until attribute_usrsctp().
std::atomic<std::uintptr_t> usrsctp_low{0};
std::atomic<std::uintptr_t> usrsctp_high{0};

void counted(const void* caller) {
  count.fetch_add(1, std::memory_order_relaxed);
  const auto at = reinterpret_cast<std::uintptr_t>(caller);
  if (at >= usrsctp_low.load(std::memory_order_relaxed) && at < usrsctp_high.load(std::memory_order_relaxed)) {
    usrsctp_count.fetch_add(1, std::memory_order_relaxed);
  }
}
}  // namespace

// The program's own definitions win over libc's for every caller in the process. The
// return address says who called: usrsctp is C and calls malloc itself.
extern "C" void* malloc(std::size_t size) {
  counted(__builtin_return_address(0));
  return tracked(__libc_malloc(size));
}
extern "C" void* calloc(std::size_t n, std::size_t size) {
  counted(__builtin_return_address(0));
  return tracked(__libc_calloc(n, size));
}
extern "C" void* realloc(void* pointer, std::size_t size) {
  counted(__builtin_return_address(0));
  untracked(pointer);
  return tracked(__libc_realloc(pointer, size));
}
extern "C" void free(void* pointer) {
  untracked(pointer);
  __libc_free(pointer);
}
// The aligned allocators, so that what they hand out and free() takes back balance.
extern "C" void* memalign(std::size_t alignment, std::size_t size) {
  counted(__builtin_return_address(0));
  return tracked(__libc_memalign(alignment, size));
}
extern "C" void* aligned_alloc(std::size_t alignment, std::size_t size) {
  counted(__builtin_return_address(0));
  return tracked(__libc_memalign(alignment, size));
}
extern "C" int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
  counted(__builtin_return_address(0));
  *out = tracked(__libc_memalign(alignment, size));
  return *out == nullptr ? 12 /* ENOMEM */ : 0;
}

namespace rtcstack::testing {

std::uint64_t allocations() { return count.load(std::memory_order_relaxed); }

bool attribute_usrsctp() {
  struct Range {
    std::uintptr_t low = UINTPTR_MAX, high = 0;
  } range;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        if (info->dlpi_name == nullptr || std::strstr(info->dlpi_name, "libusrsctp") == nullptr) return 0;
        auto* found = static_cast<Range*>(data);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& segment = info->dlpi_phdr[i];
          if (segment.p_type != PT_LOAD || (segment.p_flags & PF_X) == 0) continue;
          const std::uintptr_t start = info->dlpi_addr + segment.p_vaddr;
          found->low = std::min(found->low, start);
          found->high = std::max(found->high, start + segment.p_memsz);
        }
        return 1;
      },
      &range);
  if (range.high == 0) return false;
  usrsctp_low.store(range.low);
  usrsctp_high.store(range.high);
  return true;
}

std::uint64_t usrsctp_allocations() { return usrsctp_count.load(std::memory_order_relaxed); }

std::int64_t live_bytes() { return live.load(std::memory_order_relaxed); }

}  // namespace rtcstack::testing
