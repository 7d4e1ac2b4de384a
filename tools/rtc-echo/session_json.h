// RTCSessionDescriptionInit as JSON ({"type": "offer", "sdp": "..."}), the body of the
// echo convention's POST /offer and its answer.
#pragma once

#include <string>
#include <utility>

#include "base/result.h"
#include "pc/peer_connection.h"

namespace rtcstack::echo {

std::string to_json(const pc::SessionDescriptionInit& description);
/// kMalformed when the text is not JSON, nests deeper than 4 levels, or lacks a known
/// "type" or a string "sdp".
base::Result<pc::SessionDescriptionInit> from_json(const std::string& text);

/// The origin and path an offer is posted to. The convention's clients take the offer URL
/// itself ("http://host:8080/offer"); one without a path (or with "/" alone) gets /offer,
/// as older rtc-echo took it.
std::pair<std::string, std::string> split_offer_url(const std::string& url);

}  // namespace rtcstack::echo
