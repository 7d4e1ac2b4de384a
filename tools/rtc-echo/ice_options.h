// The ICE options rtc-echo's client and server share: STUN/TURN servers by URL, the
// relay-only policy, and the CA file TURN over TLS verifies against.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "net/runtime.h"
#include "pc/configuration.h"

namespace rtcstack::echo {

struct IceOptions {
  std::vector<std::string> urls;  ///< --ice-server URL (repeatable): stun:, turn:, turns:
  std::string username, credential;  ///< --ice-username, --ice-credential (TURN)
  bool relay_only = false;           ///< --relay-only: iceTransportPolicy "relay"
  std::string tls_ca_file;           ///< --tls-ca FILE: trusted for turns: besides the system's CAs

  /// The configuration every connection is created with (names resolved now).
  base::Result<pc::Configuration> configuration() const;
  void apply(net::RuntimeOptions& runtime) const { runtime.tls_ca_file = tls_ca_file; }
};

}  // namespace rtcstack::echo
