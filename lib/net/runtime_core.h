// What Runtime and its handles share (not installed): the sockets, the connections and
// the IO thread.
//
// Locking: one process-wide mutex (cores_mutex) guards every sans-IO core and this
// core's connection table. A handle call takes it on the calling thread, does its work
// and wakes the IO thread, which sends what the call produced and runs the callbacks -
// never holding the mutex while a callback runs. No thread ever waits for another
// thread's IO loop, so calls from any callback, into any runtime, cannot deadlock.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/random.h"
#include "net/runtime.h"
#include "net/stream_connection.h"
#include "net/tcp_listener.h"
#include "net/udp_socket.h"

namespace rtcstack::net {

class TlsContext;
class MdnsService;

/// The process-wide lock around every sans-IO core (usrsctp's state is global).
std::mutex& cores_mutex();

/// The monotonic clock as an Instant.
base::Instant monotonic_now();

class RuntimeCore {
 public:
  /// `shared`: sockets every connection uses (RuntimeOptions::share_sockets); otherwise
  /// each connection binds its own on `addresses`.
  struct Caps {
    std::size_t connections, unconnected;
  };
  /// Which host candidates each connection gets and how mDNS names are handled
  /// (RuntimeOptions::udp_candidates, tcp_candidates, mdns_resolve, mdns_host_names).
  struct CandidateOptions {
    bool udp = true, tcp = false, mdns_resolve = true, mdns_host_names = false;
  };
  RuntimeCore(std::vector<base::IpAddress> addresses, std::vector<UdpSocket> shared, Caps caps,
              std::shared_ptr<base::ByteBudget> budget, PortRange ports, std::shared_ptr<TlsContext> tls,
              CandidateOptions candidates);
  ~RuntimeCore();
  RuntimeCore(const RuntimeCore&) = delete;
  RuntimeCore& operator=(const RuntimeCore&) = delete;

  base::Result<void> start();
  /// Closes every connection and joins the IO thread. Idempotent.
  void stop();

  std::vector<base::SocketAddress> shared_addresses() const;
  /// Adds a connection; returns its id, or the error.
  base::Result<std::uint64_t> add(pc::Configuration configuration, Callbacks callbacks);
  /// Closes and forgets a connection (its last datagrams still go out). Called off the
  /// IO thread, it returns only once none of the connection's callbacks is running, so
  /// what they use may be freed right after.
  void remove(std::uint64_t id) { close(id, true); }
  /// Closes a connection: no callback of it starts afterwards, and outside every IO thread this
  /// returns only once the one running (if any) has returned. `forget` drops it too.
  void close(std::uint64_t id, bool forget = false);
  std::size_t connection_count();
  Runtime::Load load();
  MdnsStats mdns_stats();

  /// Runs `function` on the connection under the cores lock, on this thread, then wakes
  /// the IO thread to send and report what it produced. False when the connection or
  /// the runtime is gone.
  bool run(std::uint64_t id, const std::function<void(pc::PeerConnection&, base::Instant now)>& function);

 private:
  struct Connection {
    std::uint64_t id = 0;
    base::CryptoRandom random;  // outlives the PeerConnection that uses it
    std::unique_ptr<pc::PeerConnection> pc;
    std::vector<UdpSocket> sockets;  // its own, unless the runtime shares sockets
    std::string ufrag;               // its key in ufrags_ (shared sockets): an ICE restart changes it
    std::vector<std::unique_ptr<StreamConnection>> turn;  // to its TURN servers over TCP or TLS
    std::vector<TcpListener> listeners;                   // its ICE-TCP passive candidates
    struct IceTcpStream {
      base::SocketAddress local;  // as the agent names it: the listening address, or port 9 (active)
      std::unique_ptr<StreamConnection> stream;
      // Accepted streams are strangers until a frame the connection accepts() comes (a
      // check naming our ufrag); ours, opened to the peer's candidate, are not.
      bool proven = false;
    };
    std::vector<IceTcpStream> ice_tcp;                    // to and from the peer (RFC 6544)
    std::vector<std::string> mdns_names;                  // hiding its host addresses, answered by mdns_
    Callbacks callbacks;
    base::Instant next_timeout;  // its key in timers_; the origin: due at once
    bool dirty = false;          // in dirty_: has output to drain
    bool released = false;       // ended: sockets closed, routes gone
    bool counted_live = false, counted_unconnected = false;  // what it adds to live_, unconnected_
    std::atomic<bool> removed{false};
    std::atomic<bool> silenced{false};  // closed: its callbacks no longer run
  };

  void wake();
  /// A socket took `port` of ports_: the next search starts after it.
  void took_port(std::uint16_t port);
  /// After every call into the connection's PeerConnection (cores lock held): queues it
  /// for draining, brings the load counts up to date with its state, and indexes it by
  /// its ufrag again if an ICE restart changed it.
  void mark_dirty(Connection& connection);
  void recount(Connection& connection);
  void forget(std::map<std::uint64_t, std::unique_ptr<Connection>>::iterator found);
  /// An ended connection: its sockets close and no datagram is routed to it any more.
  void release_sockets(Connection& connection);
  /// Live and unconnected connections (cores lock held): kept as counts, updated as each
  /// connection's state changes, so the caps cost nothing per new connection.
  Runtime::Load count_load() const { return {live_, unconnected_}; }
  void loop();
  void receive(const UdpSocket& socket, Connection* owner);
  void drain_all();
  void flush_sends();  // sends the batch drain() built
  /// Sends what `connection` produced (cores lock held); returns its events.
  std::vector<pc::Event> drain(Connection& connection);
  void dispatch(Connection& connection, std::vector<pc::Event>& events);
  const UdpSocket* socket_for(const Connection& connection, const base::SocketAddress& local) const;
  Connection* route(const base::SocketAddress& remote, const ice::Inbound& datagram);
  void forget_routes(const Connection& connection);
  // TURN over TCP and TLS (runtime_turn.cpp).
  /// Opens a connection to each TCP or TLS server of `configuration` and names it in the
  /// server's entry; one that cannot be opened is left out (the agent reports the server).
  /// kResourceExhausted when out of descriptors.
  base::Result<std::vector<std::unique_ptr<StreamConnection>>> open_turn(pc::Configuration& configuration);
  void watch_turn(const Connection& connection);    // adds its TURN connections to epoll
  bool service_turn(Connection& connection, int fd);  // false: fd is none of its TURN connections
  /// Sends a transmit for one of its TURN connections; false when it is for none.
  bool send_turn(Connection& connection, pc::Transmit& transmit);
  void close_turn(Connection& connection);          // all of them (the connection ended)
  void rearm(StreamConnection& stream);               // EPOLLOUT while it has something to write
  // ICE-TCP (runtime_ice_tcp.cpp).
  /// ICE-TCP streams of one connection at most, accepted and opened together: a stranger
  /// who connects to a passive candidate again and again replaces the oldest stream not yet
  /// proven, never one that carries the call.
  static constexpr std::size_t kMaxIceTcpStreams = 16;
  /// A listening socket per address, named in the ICE config with the active candidates'
  /// addresses. kResourceExhausted when out of descriptors or ports.
  base::Result<std::vector<TcpListener>> open_listeners(pc::Configuration& configuration);
  void watch(int fd, std::uint32_t events, std::uint64_t owner);
  void unwatch(int fd);
  /// Accepts on a listener or services an ICE-TCP stream; false: fd is neither of its own.
  bool service_ice_tcp(Connection& connection, int fd);
  void accept_ice_tcp(Connection& connection, const TcpListener& listener);
  /// Sends a kTcp transmit over its stream, opening one from an active candidate first.
  void send_ice_tcp(Connection& connection, pc::Transmit& transmit);
  void close_ice_tcp(Connection& connection);
  // mDNS (runtime_mdns.cpp).
  /// Opens the mDNS endpoint unless it is open; false when it cannot be (logged once).
  bool ensure_mdns();
  /// Names `configuration`'s host addresses (RuntimeOptions::mdns_host_names).
  void name_hosts(Connection& connection, pc::Configuration& configuration);
  void register_names(const Connection& connection);
  void forget_names(Connection& connection);
  /// A connection's MdnsQueryEvent: answered now from the cache, or when the name resolves.
  void resolve_name(Connection& connection, const std::string& name, base::Instant now);
  /// Hands finished resolutions to the connections waiting for them.
  void deliver_resolutions(base::Instant now);

  std::vector<base::IpAddress> addresses_;
  PortRange ports_;
  // Where the next search of ports_ starts: past the last port taken, so connections do
  // not all retry the same taken ports (racing threads only cost a retry).
  std::atomic<std::uint16_t> next_port_{0};
  std::vector<UdpSocket> shared_;
  Caps caps_;
  std::shared_ptr<base::ByteBudget> budget_;
  std::shared_ptr<TlsContext> tls_;
  CandidateOptions candidates_;
  std::unique_ptr<MdnsService> mdns_;
  bool mdns_failed_ = false;
  std::map<std::string, std::vector<std::uint64_t>, std::less<>> mdns_waiters_;  // name -> connections
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::thread::id thread_id_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> dispatching_{0};  // the connection whose callbacks run now
  std::mutex stop_mutex_;
  bool stopped_ = false;

  // Under cores_mutex(). The loop touches only the connections that are due or dirty, so
  // that its cost per wake-up does not grow with the connections it holds.
  std::map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::set<std::pair<base::Instant, std::uint64_t>> timers_;  // (next_timeout, id) of every connection
  std::vector<std::uint64_t> dirty_;                          // ids to drain (may name erased ones)
  std::size_t live_ = 0, unconnected_ = 0;  // see count_load()
  std::vector<std::uint64_t> draining_;                       // dirty_ as drain_all() took it
  std::map<int, std::uint64_t> socket_owner_;            // fd -> connection (own sockets)
  // Remote -> connection on shared sockets. The last one used is kept beside the table:
  // datagrams come in runs from one remote, so most cost one address compare.
  std::unordered_map<base::SocketAddress, Connection*> routes_;
  std::pair<base::SocketAddress, Connection*> last_route_{{}, nullptr};
  // Local ICE ufrag -> connection (shared sockets); looked up by the view a check names,
  // so a flood of checks from strangers allocates nothing.
  struct UfragHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view ufrag) const { return std::hash<std::string_view>{}(ufrag); }
  };
  std::unordered_map<std::string, std::uint64_t, UfragHash, std::equal_to<>> ufrags_;
  std::uint64_t next_id_ = 1;
  // IO thread only.
  ReceiveBatch receive_batch_;
  SendBatch send_batch_;
  const UdpSocket* batch_socket_ = nullptr;  // the socket send_batch_ is for
  Connection* batch_connection_ = nullptr;   // ... and the connection whose datagrams it holds
};

}  // namespace rtcstack::net
