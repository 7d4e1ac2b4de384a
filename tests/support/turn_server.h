// A TURN server (RFC 8656) on the simulated network, enough for ICE tests: Allocate,
// Refresh, CreatePermission, ChannelBind, Send/Data indications and ChannelData, with
// relayed addresses on a second IP. It asks for no credentials (the TurnClient's
// long-term credential dance is tested against coturn in tests/interop).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "sim_network.h"
#include "stun/message_type.h"

namespace rtcstack::testing {

class TurnServerEndpoint : public SimEndpoint {
 public:
  TurnServerEndpoint(SimNetwork& network, base::SocketAddress listen, base::IpAddress relay_ip);
  void on_datagram(base::Instant now, const base::SocketAddress& local,
                   const base::SocketAddress& remote, base::ByteView datagram) override;
  base::Instant next_timeout() const override;
  void on_timeout(base::Instant now) override;

  std::size_t allocations() const { return allocations_.size(); }
  std::uint64_t relayed = 0;  ///< datagrams carried between clients and peers
  /// Requests answered, by method (Allocate, Refresh, CreatePermission, ChannelBind).
  std::map<stun::StunMethod, int> requests;
  /// When each permission was installed or refreshed (CreatePermission or ChannelBind).
  std::vector<base::Instant> permission_refreshes;
  /// When set, every Allocate is refused with this code (486, 508, ...).
  std::optional<int> refuse_allocations;
  /// CreatePermission and ChannelBind take effect, and are answered, this long after they
  /// arrive, while data is relayed at once: a real server's asynchrony, under which a
  /// peer's first check can beat a permission asked for at the same time.
  base::Duration permission_delay = base::Duration::zero();

 private:
  struct Allocation {
    base::SocketAddress client;
    base::SocketAddress relayed;
    std::vector<base::IpAddress> permissions;
    std::map<std::uint16_t, base::SocketAddress> channels;
  };
  void from_client(const base::SocketAddress& client, base::ByteView datagram);
  void from_peer(const base::SocketAddress& relayed, const base::SocketAddress& peer, base::ByteView datagram);
  Allocation* by_client(const base::SocketAddress& client);
  void relay_to_peer(Allocation& allocation, const base::SocketAddress& peer, base::ByteView data);

  struct Delayed {
    base::Instant due;
    base::SocketAddress client;
    std::vector<std::uint8_t> request;
  };
  std::vector<Delayed> delayed_;
  bool replaying_ = false;  // handling a delayed request now

  SimNetwork& network_;
  base::SocketAddress listen_;
  base::IpAddress relay_ip_;
  std::uint16_t next_port_ = 49152;
  std::vector<Allocation> allocations_;
  base::Instant now_;
};

}  // namespace rtcstack::testing
