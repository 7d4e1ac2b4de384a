// Base64 (RFC 4648 §4, standard alphabet, with padding), as used for ICE passwords in
// tests, SDP identity and DTLS certificates in PEM.
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::base {

/// Encodes with '=' padding.
std::string base64_encode(ByteView bytes);

/// Decodes canonical base64 only: length a multiple of 4, padding where required and
/// nowhere else, no whitespace, and unused bits of the last symbol zero (RFC 4648 §3.5),
/// so every byte string has exactly one accepted encoding.
Result<Buffer> base64_decode(std::string_view text);

}  // namespace rtcstack::base
