#include "allocation_counter.h"

#include <link.h>

#include <atomic>
#include <cstddef>
#include <cstring>

extern "C" void* __libc_malloc(std::size_t size);
extern "C" void* __libc_calloc(std::size_t count, std::size_t size);
extern "C" void* __libc_realloc(void* pointer, std::size_t size);

namespace {
std::atomic<std::uint64_t> count{0};
std::atomic<std::uint64_t> usrsctp_count{0};
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
  return __libc_malloc(size);
}
extern "C" void* calloc(std::size_t n, std::size_t size) {
  counted(__builtin_return_address(0));
  return __libc_calloc(n, size);
}
extern "C" void* realloc(void* pointer, std::size_t size) {
  counted(__builtin_return_address(0));
  return __libc_realloc(pointer, size);
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

}  // namespace rtcstack::testing
