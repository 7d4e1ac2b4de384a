// A STUN Binding server on the simulated network: it answers every Binding request with
// the source address it saw (XOR-MAPPED-ADDRESS), as a public STUN server does.
#pragma once

#include "sim_network.h"

namespace rtcstack::testing {

class StunServerEndpoint : public SimEndpoint {
 public:
  StunServerEndpoint(SimNetwork& network, base::SocketAddress address);
  void on_datagram(base::Instant now, const base::SocketAddress& local,
                   const base::SocketAddress& remote, base::ByteView datagram) override;
  base::Instant next_timeout() const override { return base::Instant::max(); }
  void on_timeout(base::Instant) override {}

  const base::SocketAddress& address() const { return address_; }
  int requests = 0;

 private:
  SimNetwork& network_;
  base::SocketAddress address_;
};

}  // namespace rtcstack::testing
