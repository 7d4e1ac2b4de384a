// `rtc-conform server-test URL`: rtcstack as the offering client of an endpoint of the
// echo convention (POST the offer, JSON answer; ../DESIGN.md §7). The offer carries audio,
// video and a data channel; the answer goes through the SDP checks (sdp_checks.h), then the
// connection is made and judged: ICE and DTLS connect, the data channel opens (DCEP), a
// message comes back.
#pragma once

#include <string>

#include "check.h"

namespace rtcstack::conform {

struct ServerTestOptions {
  std::string url;   ///< the offer URL ("http://host:8080/offer"; without a path /offer is taken)
  std::string bind;  ///< local IP to gather on; empty: every interface, loopback included
  int timeout_seconds = 10;  ///< for the answer, and for each stage of the connection
};

/// Every check of the run; a failure to reach the endpoint is the failure of its check.
Results run_server_test(const ServerTestOptions& options);

}  // namespace rtcstack::conform
