// Counts heap allocations of the whole process (malloc, calloc, realloc and everything
// built on them: operator new, OpenSSL, usrsctp), by interposing the C allocator in the
// test program. Not for sanitizer builds, whose allocator it would bypass.
#pragma once

#include <cstdint>

namespace rtcstack::testing {

/// Allocations since the program started.
std::uint64_t allocations();

}  // namespace rtcstack::testing
