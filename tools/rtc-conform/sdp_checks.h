// The SDP and JSEP checks of `rtc-conform server-test`: an endpoint's answer read against
// the offer it answers, clause by clause (RFC 8829 JSEP, RFC 8843 BUNDLE, RFC 8842 DTLS
// setup, RFC 8122 fingerprints, RFC 8839 ICE attributes, RFC 8841 SCTP). Pure functions of
// the two texts: no network, so every check is tested on answers broken on purpose.
#pragma once

#include <string_view>

#include "check.h"

namespace rtcstack::conform {

/// Every SDP check of `answer` (the endpoint's text, exactly as received) to `offer` (ours).
/// When the answer does not parse, the other checks are not applicable.
Results check_answer(std::string_view offer, std::string_view answer);

}  // namespace rtcstack::conform
