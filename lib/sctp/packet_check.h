// A structural check of SCTP packets before usrsctp sees them. usrsctp 0.9.5 (Debian 12's)
// loops forever on some malformed TLVs - an INIT whose parameter has length 0 hangs it
// in sctp_get_next_param() while it builds the INIT-ACK (found by fuzz/sctp_fuzz.cpp).
// The network must never do that to us, so every chunk's length, and the parameter or
// error-cause TLVs inside the chunks that carry them, are checked here first (RFC 9260
// §3.2, §3.2.1, §3.3.10; RFC 6525 §3.1).
#pragma once

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::sctp {

/// kMalformed, saying which chunk or TLV is broken, unless every length in the packet is
/// consistent: chunk lengths at least 4 and within the packet, TLVs at least 4 and within
/// their chunk.
base::Result<void> check_packet(base::ByteView packet);

}  // namespace rtcstack::sctp
