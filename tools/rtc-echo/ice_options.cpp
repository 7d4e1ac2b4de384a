#include "ice_options.h"

#include "net/ice_servers.h"

namespace rtcstack::echo {

base::Result<pc::Configuration> IceOptions::configuration() const {
  pc::Configuration configuration;
  if (!urls.empty()) {
    if (auto added = net::add_ice_servers(configuration, {{urls, username, credential}}); !added) return added.error();
  }
  if (relay_only) configuration.ice.policy = pc::IceTransportPolicy::kRelay;
  return configuration;
}

bool IceOptions::set_transports(std::string_view value) {
  if (value != "udp" && value != "tcp" && value != "udp,tcp" && value != "tcp,udp") return false;
  udp = value.find("udp") != std::string_view::npos;
  tcp = value.find("tcp") != std::string_view::npos;
  return true;
}

}  // namespace rtcstack::echo
