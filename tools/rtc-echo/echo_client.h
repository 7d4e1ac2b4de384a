// rtc-echo client: the echo convention's offering peer. It posts its offer to a server's
// /offer, runs one test type and prints a final "RESULT ..." line.
#pragma once

#include <optional>
#include <string>

#include "client_test.h"
#include "ice_options.h"

namespace rtcstack::echo {

struct ClientOptions {
  /// The offer URL ("http://127.0.0.1:8080/offer"); without a path, /offer is appended.
  std::string server = "http://127.0.0.1:8080/offer";
  int type = 1;
  std::string bind;       ///< one IP for the media socket; empty: every interface and loopback
  int timeout_seconds = 20;
  MediaChoice media;  ///< type 2: the codecs offered
  IceOptions ice;
};

/// 0 when the test passed, 1 when it failed or is unsupported.
int run_client(const ClientOptions& options);

}  // namespace rtcstack::echo
