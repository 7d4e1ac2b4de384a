// Hexadecimal text <-> bytes, with an optional separator between bytes as in SDP
// fingerprints ("AB:CD:EF").
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::base {

enum class HexCase : bool { kLower, kUpper };

/// "0a1b" (or "0A:1B" with separator ':' and HexCase::kUpper). A separator of '\0' means none.
std::string to_hex(ByteView bytes, char separator = '\0', HexCase letter_case = HexCase::kLower);

/// Parses two hex digits per byte in either case, each pair separated by `separator`
/// when it is not '\0'. Fails on odd digit counts, misplaced separators or other characters.
Result<Buffer> from_hex(std::string_view text, char separator = '\0');

}  // namespace rtcstack::base
