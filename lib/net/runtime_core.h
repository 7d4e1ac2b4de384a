// What Runtime and its handles share (not installed): the sockets, the connections, the
// IO thread and its task queue. Only the IO thread touches the connections.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/random.h"
#include "net/runtime.h"
#include "net/udp_socket.h"

namespace rtcstack::net {

/// The process-wide lock around every sans-IO core (usrsctp's state is global).
std::mutex& cores_mutex();

/// The monotonic clock as an Instant.
base::Instant monotonic_now();

class RuntimeCore {
 public:
  explicit RuntimeCore(std::vector<UdpSocket> sockets);
  ~RuntimeCore();
  RuntimeCore(const RuntimeCore&) = delete;
  RuntimeCore& operator=(const RuntimeCore&) = delete;

  base::Result<void> start();
  /// Closes every connection and joins the IO thread. Idempotent.
  void stop();

  std::vector<base::SocketAddress> addresses() const;
  /// Adds a connection; returns its id (0 if the runtime has stopped).
  std::uint64_t add(pc::Configuration configuration, Callbacks callbacks, base::Error* error);
  /// Closes and forgets a connection (deferred while its callbacks run).
  void remove(std::uint64_t id);
  std::size_t connection_count();

  /// Runs `function` on the connection, on the IO thread, under the cores lock, then lets
  /// the loop drain what it produced. False when the connection or the runtime is gone.
  bool run(std::uint64_t id, const std::function<void(pc::PeerConnection&, base::Instant now)>& function);

 private:
  struct Connection {
    base::CryptoRandom random;                 // outlives the PeerConnection that uses it
    std::unique_ptr<pc::PeerConnection> pc;
    Callbacks callbacks;
    base::Instant next_timeout;  // the origin: due at once
    bool dirty = true;
    bool removed = false;
  };

  bool on_io_thread() const { return std::this_thread::get_id() == thread_id_; }
  /// Runs `task` on the IO thread and waits for it (runs it at once on the IO thread).
  bool execute(const std::function<void()>& task);
  void loop();
  void run_tasks();
  void receive(const UdpSocket& socket);
  void run_timers(base::Instant now);
  void drain_all();
  /// Sends what `connection` produced; returns its events for dispatch.
  std::vector<pc::Event> drain(Connection& connection);
  void dispatch(Connection& connection, std::vector<pc::Event>& events);
  const UdpSocket* socket_for(const base::SocketAddress& local) const;
  Connection* route(const base::SocketAddress& remote, base::ByteView datagram);

  std::vector<UdpSocket> sockets_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::thread::id thread_id_;
  std::atomic<bool> stopping_{false};
  bool stopped_ = false;
  std::mutex stop_mutex_;

  std::mutex tasks_mutex_;
  std::vector<std::function<void()>> tasks_;

  // IO thread only.
  std::map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::map<base::SocketAddress, std::uint64_t> routes_;  // remote address -> connection
  std::uint64_t next_id_ = 1;
  std::vector<std::uint8_t> receive_buffer_;
};

}  // namespace rtcstack::net
