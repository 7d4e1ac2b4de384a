// The heap of usrsctp. usrsctp takes an mbuf, a cluster or a chunk record from malloc for
// nearly every packet, chunk and SACK it handles (some 20 allocations per data-channel
// message, both ways) and has no allocator hook. So lib/sctp/meson.build links a copy of
// Debian's usrsctp archive in which malloc, calloc and free are renamed to the three
// functions below (lib/sctp/pool_usrsctp.sh), and these keep freed blocks of up to 4 KiB
// in per-thread free lists by size class: once a connection has warmed them up, usrsctp
// takes nothing from the heap per message. Larger blocks (an association's tables and
// stream arrays, long-lived) go straight to the heap.
//
// A block may be freed on another thread than the one that took it (two runtimes share
// usrsctp); it then joins that thread's lists. What a thread keeps is bounded and given
// back to the heap when the thread ends. Under AddressSanitizer every block goes straight
// to the heap, so that the sanitizer still sees how usrsctp uses its memory.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__SANITIZE_ADDRESS__)
#define RTCSTACK_USRSCTP_HEAP_ONLY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RTCSTACK_USRSCTP_HEAP_ONLY 1
#endif
#endif

#ifdef RTCSTACK_USRSCTP_HEAP_ONLY

extern "C" void* rtcstack_usrsctp_malloc(std::size_t size) { return std::malloc(size); }
extern "C" void* rtcstack_usrsctp_calloc(std::size_t count, std::size_t size) { return std::calloc(count, size); }
extern "C" void rtcstack_usrsctp_free(void* memory) { std::free(memory); }

#else

namespace {

// In front of every block: its size class. 16 bytes keep malloc's alignment.
constexpr std::size_t kHeader = 16;
constexpr std::uint32_t kDirect = UINT32_MAX;  // not pooled: straight from and to the heap

// Classes by block size, header included: 64-byte steps to 1 KiB (mbufs, chunk records),
// then 256-byte steps to 4 KiB + header (clusters of 2048 bytes land in 2304).
constexpr std::size_t kSmallStep = 64, kSmallLimit = 1024, kLargeStep = 256, kLargeLimit = 4096 + kLargeStep;
constexpr std::size_t kSmallClasses = kSmallLimit / kSmallStep;
constexpr std::size_t kClasses = kSmallClasses + (kLargeLimit - kSmallLimit) / kLargeStep;

// What one thread keeps for reuse, at most: blocks per class, and bytes in all.
constexpr std::uint32_t kMaxBlocksPerClass = 4096;
constexpr std::size_t kMaxKeptBytes = 8 * 1024 * 1024;

std::uint32_t class_of(std::size_t block) {
  if (block <= kSmallLimit) return static_cast<std::uint32_t>((block + kSmallStep - 1) / kSmallStep - 1);
  if (block <= kLargeLimit) {
    return static_cast<std::uint32_t>(kSmallClasses + (block - kSmallLimit + kLargeStep - 1) / kLargeStep - 1);
  }
  return kDirect;
}

std::size_t size_of(std::uint32_t klass) {
  return klass < kSmallClasses ? (klass + 1) * kSmallStep : kSmallLimit + (klass - kSmallClasses + 1) * kLargeStep;
}

struct FreeBlock {
  FreeBlock* next;
};

// Plain thread_local arrays: still usable while other thread_local objects are destroyed.
thread_local FreeBlock* free_lists[kClasses];
thread_local std::uint32_t free_counts[kClasses];
thread_local std::size_t kept_bytes = 0;
thread_local bool thread_ending = false;

// Gives a thread's blocks back to the heap when it ends; from then on that thread's
// frees go to the heap too.
struct Drain {
  bool armed = true;
  ~Drain() {
    thread_ending = true;
    for (std::size_t k = 0; k < kClasses; ++k) {
      while (FreeBlock* block = free_lists[k]) {
        free_lists[k] = block->next;
        std::free(block);
      }
      free_counts[k] = 0;
    }
    kept_bytes = 0;
  }
};
thread_local Drain drain;

void* direct(std::size_t size) {
  void* block = std::malloc(kHeader + size);
  if (block == nullptr) return nullptr;
  *static_cast<std::uint32_t*>(block) = kDirect;
  return static_cast<std::uint8_t*>(block) + kHeader;
}

}  // namespace

extern "C" void* rtcstack_usrsctp_malloc(std::size_t size) {
  if (size > SIZE_MAX - kHeader) return nullptr;
  const std::uint32_t klass = class_of(kHeader + size);
  if (klass == kDirect || thread_ending) return direct(size);
  void* block = free_lists[klass];
  if (block != nullptr) {
    free_lists[klass] = free_lists[klass]->next;
    --free_counts[klass];
    kept_bytes -= size_of(klass);
  } else {
    block = std::malloc(size_of(klass));
    if (block == nullptr) return nullptr;
  }
  *static_cast<std::uint32_t*>(block) = klass;
  return static_cast<std::uint8_t*>(block) + kHeader;
}

extern "C" void* rtcstack_usrsctp_calloc(std::size_t count, std::size_t size) {
  if (size != 0 && count > SIZE_MAX / size) return nullptr;
  void* memory = rtcstack_usrsctp_malloc(count * size);
  if (memory != nullptr) std::memset(memory, 0, count * size);
  return memory;
}

extern "C" void rtcstack_usrsctp_free(void* memory) {
  if (memory == nullptr) return;
  void* block = static_cast<std::uint8_t*>(memory) - kHeader;
  const std::uint32_t klass = *static_cast<std::uint32_t*>(block);
  if (klass == kDirect || thread_ending || free_counts[klass] >= kMaxBlocksPerClass ||
      kept_bytes + size_of(klass) > kMaxKeptBytes) {
    std::free(block);
    return;
  }
  (void)drain.armed;  // the first block kept on this thread arms its drain
  auto* free_block = static_cast<FreeBlock*>(block);
  free_block->next = free_lists[klass];
  free_lists[klass] = free_block;
  ++free_counts[klass];
  kept_bytes += size_of(klass);
}

#endif  // RTCSTACK_USRSCTP_HEAP_ONLY
