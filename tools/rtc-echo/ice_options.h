// The ICE options rtc-echo's client and server share: STUN/TURN servers by URL, the
// relay-only policy, the CA file TURN over TLS verifies against, and the host candidates'
// transports.
#pragma once

#include <string>
#include <string_view>
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
  bool udp = true, tcp = false;      ///< --transports udp|tcp|udp,tcp: UDP and ICE-TCP host candidates
  bool mdns_host_names = false;      ///< --mdns-host-names: our host addresses hidden behind .local names

  /// Reads --transports' value; false (nothing changed) for anything but the three forms.
  bool set_transports(std::string_view value);

  /// The configuration every connection is created with (names resolved now).
  base::Result<pc::Configuration> configuration() const;
  void apply(net::RuntimeOptions& runtime) const {
    runtime.tls_ca_file = tls_ca_file;
    runtime.udp_candidates = udp;
    runtime.tcp_candidates = tcp;
    runtime.mdns_host_names = mdns_host_names;
  }
};

}  // namespace rtcstack::echo
