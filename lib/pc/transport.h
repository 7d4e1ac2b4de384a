// The connection's one BUNDLE transport (RFC 8843): ICE carries DTLS and SRTP (RFC 7983
// demultiplexing on the selected pair), DTLS carries SCTP, SCTP carries the data
// channels. pump() moves what each layer produced to the next until all are quiet.
// The transport routes what it carries itself - candidates and datagrams to the
// connection's outputs, DTLS-SRTP keys and SRTP packets to the transceivers, SCTP
// channel events to the data channels - and tells its owner only the ICE and DTLS
// states, from which the W3C aggregation makes the connection's. Private to lib/pc.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/buffer_pool.h"
#include "base/random.h"
#include "base/ring_queue.h"
#include "dtls/endpoint.h"
#include "ice/agent.h"
#include "pc/configuration.h"
#include "pc/output.h"
#include "pc/stats.h"
#include "sctp/association.h"
#include "sdp/transport_attributes.h"

namespace rtcstack::pc {

class DataChannels;
class Transceivers;

class Transport {
 public:
  /// What the owner hears: the ICE connection state as the agent reports it, and the
  /// DTLS transport's state (with why it failed).
  struct Listener {
    std::function<void(IceConnectionState)> ice_state;
    std::function<void(base::Instant, DtlsTransportState, bool certificate_rejected, const std::string& reason)> dtls_state;
  };

  Transport(const Configuration& configuration, base::Random& random, base::BufferPool& pool,
            base::RingQueue<Output>& outputs, DataChannels& channels, Transceivers& media, Listener listener);
  ~Transport();

  /// The ICE agent, made once with the role of the first description set.
  ice::Agent& make_agent(base::Instant now, bool controlling);
  /// A TCP or TLS connection to a TURN server ended (PeerConnection::handle_connection_lost);
  /// before the agent exists, it hears of it once made.
  void connection_lost(base::Instant now, const base::SocketAddress& local, const base::SocketAddress& server,
                       std::string reason);
  ice::Agent* agent() { return agent_.get(); }
  const ice::Agent* agent() const { return agent_.get(); }
  const dtls::Endpoint* dtls() const { return dtls_.get(); }
  sctp::Association* sctp() { return sctp_.get(); }
  const sctp::Association* sctp() const { return sctp_.get(); }
  bool dtls_client() const { return dtls_client_; }
  /// The mid our candidates are announced with (the BUNDLE transport's section).
  void set_mid(std::string mid) { mid_ = std::move(mid); }

  /// Makes the DTLS endpoint, checking the peer's certificate against one of
  /// `fingerprints`; a client starts once ICE is up, a server at once.
  void start_dtls(base::Instant now, bool client, const std::vector<sdp::Fingerprint>& fingerprints);
  /// Makes the SCTP association once DTLS is up (no-op before, or when it exists).
  void start_sctp(base::Instant now, std::uint16_t remote_port, std::size_t remote_max_message_size);

  /// A datagram of one of our sockets, its STUN parse done.
  void receive(base::Instant now, const base::SocketAddress& local, const base::SocketAddress& remote,
               const ice::Inbound& datagram);
  void handle_timeout(base::Instant now);
  void pump(base::Instant now);
  /// The earliest wake-up a layer asked for, and which.
  Timeout next_timeout() const;
  /// Says goodbye as far down as each layer still can (SCTP ABORT, DTLS close_notify,
  /// TURN deallocation) and frees DTLS and SCTP; the agent stays for its stats.
  void close(const std::string& why);

  /// Whether a datagram of a shared socket is this transport's (PeerConnection::accepts).
  bool accepts(const base::SocketAddress& remote, const ice::Inbound& datagram) const;
  const TransportCounters& counters() const { return counters_; }

 private:
  struct LostConnection {
    base::SocketAddress local, server;
    std::string reason;
  };
  std::vector<LostConnection> lost_before_agent_;
  // Each drains its layer; pump_ice and pump_dtls say whether they fed a layer above.
  bool pump_ice(base::Instant now);
  bool pump_dtls(base::Instant now);
  void pump_sctp();
  void on_ice_event(base::Instant now, const ice::Event& event);
  void deliver(base::Instant now, base::ByteView payload);  // application data of the selected pair
  void send(Transmit transmit);

  const Configuration& configuration_;
  base::Random& random_;
  base::BufferPool& pool_;
  base::RingQueue<Output>& outputs_;
  DataChannels& channels_;
  Transceivers& media_;
  Listener listener_;
  std::unique_ptr<ice::Agent> agent_;
  std::unique_ptr<dtls::Endpoint> dtls_;
  std::unique_ptr<sctp::Association> sctp_;
  std::string mid_ = "0";
  bool dtls_client_ = false;
  bool dtls_started_ = false;
  TransportCounters counters_;
  base::Instant ice_timeout_ = base::Instant::max();
  base::Instant dtls_timeout_ = base::Instant::max();
  base::Instant sctp_timeout_ = base::Instant::max();
};

}  // namespace rtcstack::pc
