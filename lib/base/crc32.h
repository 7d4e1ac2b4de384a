// CRC-32 (ISO-HDLC, as in zlib and the STUN FINGERPRINT of RFC 8489 §14.7) and CRC-32C
// (Castagnoli, as in the SCTP checksum of RFC 9260 Appendix A).
#pragma once

#include <cstdint>

#include "base/bytes.h"

namespace rtcstack::base {

/// CRC-32 of `data`. Pass a previous result as `crc` to continue over a further chunk:
/// crc32(b, crc32(a)) == crc32(a followed by b).
std::uint32_t crc32(ByteView data, std::uint32_t crc = 0);

/// CRC-32C of `data`, continuable like crc32(). Uses the SSE4.2 CRC32 instruction when
/// the processor has it.
std::uint32_t crc32c(ByteView data, std::uint32_t crc = 0);

/// CRC-32C by table lookup only: what crc32c() falls back to without SSE4.2. Exposed so
/// tests can check both paths agree and benchmarks can compare them.
std::uint32_t crc32c_portable(ByteView data, std::uint32_t crc = 0);

}  // namespace rtcstack::base
