// The canonical form of an SDP: every attribute and line type rtcstack knows is printed
// by its typed form (single spaces, lower-case hash names, upper-case fingerprint hex,
// "udp" rather than "UDP", no trailing whitespace); everything else stays verbatim.
// Two SDPs that mean the same to rtcstack have the same canonical form.
#pragma once

#include <string>
#include <string_view>

#include "sdp/session_description.h"

namespace rtcstack::sdp {

/// The canonical text of one line value of `type` (which must be valid, as every line of
/// a parsed SessionDescription is).
std::string canonical_value(char type, std::string_view value);

/// A copy of `session` with every line in canonical form.
SessionDescription canonicalize(const SessionDescription& session);

}  // namespace rtcstack::sdp
