// Counts heap allocations of the whole process (malloc, calloc, realloc, the aligned ones
// and everything built on them: operator new, OpenSSL, usrsctp) and the bytes still held,
// by interposing the C allocator in the test program, and tells apart the allocations
// usrsctp's own code makes. Not for sanitizer
// builds, whose allocator it would bypass.
#pragma once

#include <cstdint>

namespace rtcstack::testing {

/// Allocations since the program started.
std::uint64_t allocations();

/// From now on, allocations called from inside the loaded usrsctp library are also
/// counted apart (usrsctp takes an mbuf from malloc for every packet, chunk and SACK, and
/// offers no allocator of its own to plug in). False when usrsctp is not loaded.
bool attribute_usrsctp();
/// Allocations made by usrsctp's own code since attribute_usrsctp().
std::uint64_t usrsctp_allocations();

/// Bytes allocated and not freed since the program started (usable sizes, so a little
/// more than was asked for): what the process keeps.
std::int64_t live_bytes();

}  // namespace rtcstack::testing
