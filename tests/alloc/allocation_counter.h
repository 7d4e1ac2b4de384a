// Counts heap allocations of the whole process (malloc, calloc, realloc, the aligned ones
// and everything built on them: operator new, OpenSSL, usrsctp's allocator) and the bytes
// still held, by interposing the C allocator in the test program. Not for sanitizer
// builds, whose allocator it would bypass.
#pragma once

#include <cstdint>

namespace rtcstack::testing {

/// Allocations since the program started.
std::uint64_t allocations();

/// Bytes allocated and not freed since the program started (usable sizes, so a little
/// more than was asked for): what the process keeps.
std::int64_t live_bytes();

}  // namespace rtcstack::testing
