#include "net/runtime_core.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <tuple>

#include "base/log.h"
#include "ice/inbound.h"
#include "net/mdns_service.h"

namespace rtcstack::net {
namespace {

// recvmmsg() batches read from one socket before the loop looks at timers again.
constexpr int kReceiveRounds = 2;
// epoll_wait never sleeps longer, so a missed wake-up costs at most this.
constexpr std::int64_t kMaxSleepMs = 1000;
// drain_all() re-drains connections that callbacks touched; the bound guards a livelock.
constexpr int kMaxDrainRounds = 64;

// Set on every runtime's IO thread. A callback must never wait for another IO thread:
// two runtimes' callbacks closing each other's connections would wait for each other.
thread_local bool t_io_thread = false;

}  // namespace

std::mutex& cores_mutex() {
  static std::mutex mutex;
  return mutex;
}

base::Instant monotonic_now() {
  const auto since = std::chrono::steady_clock::now().time_since_epoch();
  return base::Instant::from_nanoseconds(std::chrono::duration_cast<std::chrono::nanoseconds>(since).count());
}

RuntimeCore::RuntimeCore(std::vector<base::IpAddress> addresses, std::vector<UdpSocket> shared, Caps caps,
                         std::shared_ptr<base::ByteBudget> budget, PortRange ports, std::shared_ptr<TlsContext> tls,
                         CandidateOptions candidates)
    : addresses_(std::move(addresses)),
      ports_(ports),
      next_port_(ports.min),
      shared_(std::move(shared)),
      caps_(caps),
      budget_(std::move(budget)),
      tls_(std::move(tls)),
      candidates_(candidates) {}

RuntimeCore::~RuntimeCore() {
  stop();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

base::Result<void> RuntimeCore::start() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    return base::Error{base::ErrorCode::kInternal, std::string("epoll/eventfd: ") + std::strerror(errno)};
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event);
  for (const UdpSocket& socket : shared_) {
    event.data.fd = socket.fd();
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, socket.fd(), &event);
  }
  // Hidden host addresses need the responder before the first name is signalled.
  if (candidates_.mdns_host_names && !ensure_mdns()) {
    return base::Error{base::ErrorCode::kInternal, "mDNS host names: port 5353 could not join 224.0.0.251 or ff02::fb"};
  }
  thread_ = std::thread([this] { loop(); });
  thread_id_ = thread_.get_id();
  return {};
}

void RuntimeCore::took_port(std::uint16_t port) {
  if (!ports_.empty()) next_port_.store(port == ports_.max ? ports_.min : static_cast<std::uint16_t>(port + 1));
}

void RuntimeCore::wake() {
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

void RuntimeCore::mark_dirty(Connection& connection) {
  recount(connection);
  if (!shared_.empty() && !connection.released && connection.pc->local_ufrag() != connection.ufrag) {
    if (const auto old = ufrags_.find(connection.ufrag); old != ufrags_.end() && old->second == connection.id) {
      ufrags_.erase(old);
    }
    connection.ufrag = connection.pc->local_ufrag();
    ufrags_[connection.ufrag] = connection.id;
  }
  if (connection.dirty) return;
  connection.dirty = true;
  dirty_.push_back(connection.id);
}

void RuntimeCore::recount(Connection& connection) {
  const bool live = !connection.removed && !connection.pc->ended();
  const pc::PeerConnectionState state = connection.pc->connection_state();
  const bool unconnected = live && (state == pc::PeerConnectionState::kNew || state == pc::PeerConnectionState::kConnecting);
  if (live != connection.counted_live) {
    live ? ++live_ : --live_;
    connection.counted_live = live;
  }
  if (unconnected != connection.counted_unconnected) {
    unconnected ? ++unconnected_ : --unconnected_;
    connection.counted_unconnected = unconnected;
  }
}

void RuntimeCore::forget(std::map<std::uint64_t, std::unique_ptr<Connection>>::iterator found) {
  const std::uint64_t id = found->first;
  Connection& connection = *found->second;
  connection.removed = true;
  recount(connection);  // it counts no more
  for (const UdpSocket& socket : connection.sockets) unwatch(socket.fd());
  close_turn(connection);
  close_ice_tcp(connection);
  forget_names(connection);
  forget_routes(connection);
  timers_.erase({connection.next_timeout, id});
  connections_.erase(found);
}

void RuntimeCore::release_sockets(Connection& connection) {
  connection.released = true;
  for (const UdpSocket& socket : connection.sockets) unwatch(socket.fd());
  connection.sockets.clear();  // closes them
  close_turn(connection);
  close_ice_tcp(connection);
  forget_names(connection);
  forget_routes(connection);
}

void RuntimeCore::forget_routes(const Connection& connection) {
  std::erase_if(routes_, [&](const auto& route) { return route.second == &connection; });
  if (last_route_.second == &connection) last_route_ = {{}, nullptr};
  if (const auto ufrag = ufrags_.find(connection.ufrag);
      ufrag != ufrags_.end() && ufrag->second == connection.id) {
    ufrags_.erase(ufrag);
  }
}

Runtime::Load RuntimeCore::load() {
  std::lock_guard lock(cores_mutex());
  return count_load();
}

void RuntimeCore::stop() {
  std::lock_guard stop_lock(stop_mutex_);
  if (stopped_) return;
  if (std::this_thread::get_id() == thread_id_) {
    RTC_LOG(kError, "net") << "a Runtime was destroyed from one of its own callbacks; the IO thread cannot join itself";
    std::abort();
  }
  stopped_ = true;
  stopping_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(cores_mutex());
  for (auto& [id, connection] : connections_) connection->pc->close();
  connections_.clear();
  timers_.clear();
  dirty_.clear();
  routes_.clear();
  last_route_ = {{}, nullptr};
  ufrags_.clear();
  live_ = unconnected_ = 0;
}

std::vector<base::SocketAddress> RuntimeCore::shared_addresses() const {
  std::vector<base::SocketAddress> addresses;
  for (const UdpSocket& socket : shared_) addresses.push_back(socket.local());
  return addresses;
}

base::Result<std::uint64_t> RuntimeCore::add(pc::Configuration configuration, Callbacks callbacks) {
  if (stopping_) return base::Error{base::ErrorCode::kClosed, "the runtime has stopped"};
  const auto over_caps = [this]() -> std::optional<base::Error> {
    const Runtime::Load load = count_load();
    if (load.live >= caps_.connections) {
      return base::Error{base::ErrorCode::kResourceExhausted,
                         "the runtime holds " + std::to_string(load.live) + " live connections (max_connections)"};
    }
    if (load.unconnected >= caps_.unconnected) {
      return base::Error{base::ErrorCode::kResourceExhausted, "the runtime holds " + std::to_string(load.unconnected) +
                                                                  " connections not yet connected (max_unconnected)"};
    }
    return std::nullopt;
  };
  {
    std::lock_guard lock(cores_mutex());
    if (auto refused = over_caps()) return *refused;  // before binding anything
  }
  if (!configuration.buffer_budget) configuration.buffer_budget = budget_;
  configuration.ice.host_addresses = shared_addresses();
  std::vector<UdpSocket> sockets;
  if (shared_.empty() && candidates_.udp) {
    // Its own sockets: datagrams need no routing, and peers behind one address (several
    // connections of one browser or one runtime) cannot be confused. They come first, so
    // that running out of descriptors costs nothing else.
    for (const base::IpAddress& address : addresses_) {
      auto socket = UdpSocket::bind(address, ports_, next_port_.load());
      if (!socket) return socket.error();
      took_port(socket->local().port());
      configuration.ice.host_addresses.push_back(socket->local());
      sockets.push_back(std::move(*socket));
    }
  }
  auto listeners = open_listeners(configuration);
  if (!listeners) return listeners.error();
  auto turn = open_turn(configuration);
  if (!turn) return turn.error();
  auto connection = std::make_unique<Connection>();
  connection->sockets = std::move(sockets);
  connection->listeners = std::move(*listeners);
  connection->turn = std::move(*turn);
  name_hosts(*connection, configuration);
  for (const base::IpAddress& address : addresses_) {
    if (address.is_loopback()) configuration.ice.allow_loopback = true;
  }
  std::lock_guard lock(cores_mutex());
  if (auto refused = over_caps()) return *refused;  // another thread got there first
  auto created = pc::PeerConnection::create(std::move(configuration), connection->random);
  if (!created) return created.error();
  connection->pc = std::move(*created);
  connection->callbacks = std::move(callbacks);
  const std::uint64_t id = next_id_++;
  connection->id = id;
  for (const UdpSocket& socket : connection->sockets) watch(socket.fd(), EPOLLIN, id);
  for (const TcpListener& listener : connection->listeners) watch(listener.fd(), EPOLLIN, id);
  Connection& added = *connection;
  register_names(added);
  watch_turn(added);
  connections_[id] = std::move(connection);
  timers_.emplace(added.next_timeout, id);
  mark_dirty(added);  // indexes its ufrag
  wake();
  return id;
}

void RuntimeCore::close(std::uint64_t id, bool forget) {
  {
    std::lock_guard lock(cores_mutex());
    const auto found = connections_.find(id);
    if (found == connections_.end()) return;
    found->second->pc->close();
    found->second->silenced = true;
    if (forget) found->second->removed = true;  // the IO thread sends its last datagrams, then forgets it
    mark_dirty(*found->second);
    wake();
  }
  // dispatch() checks `silenced` before every callback: once the one running now (if any)
  // returns, no other starts. Only threads outside every runtime wait for that.
  if (t_io_thread) return;
  while (dispatching_ == id) std::this_thread::sleep_for(std::chrono::microseconds(200));
}

std::size_t RuntimeCore::connection_count() {
  std::lock_guard lock(cores_mutex());
  return static_cast<std::size_t>(std::count_if(connections_.begin(), connections_.end(),
                                                [](const auto& entry) { return !entry.second->removed; }));
}

bool RuntimeCore::run(std::uint64_t id, const std::function<void(pc::PeerConnection&, base::Instant)>& function) {
  {
    std::lock_guard lock(cores_mutex());
    const auto found = connections_.find(id);
    if (stopping_ || found == connections_.end() || found->second->removed) return false;
    function(*found->second->pc, monotonic_now());
    mark_dirty(*found->second);
  }
  wake();
  return true;
}

void RuntimeCore::loop() {
  t_io_thread = true;
  std::vector<epoll_event> events(32);
  while (!stopping_) {
    base::Instant next = base::Instant::max();
    {
      std::lock_guard lock(cores_mutex());
      if (!timers_.empty()) next = timers_.begin()->first;
      if (mdns_) next = std::min(next, mdns_->next_timeout());
    }
    const base::Instant now = monotonic_now();
    std::int64_t sleep_ms = kMaxSleepMs;
    if (next != base::Instant::max()) {
      // Rounded up: waking a little late is fine, waking early spins.
      sleep_ms = std::clamp<std::int64_t>(((next - now).as_nanoseconds() + 999'999) / 1'000'000, 0, kMaxSleepMs);
    }
    const int ready = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), static_cast<int>(sleep_ms));
    for (int i = 0; i < ready; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        std::uint64_t count = 0;
        (void)!::read(wake_fd_, &count, sizeof count);
        continue;
      }
      std::lock_guard lock(cores_mutex());
      if (mdns_ && mdns_->owns(fd)) {
        mdns_->receive(monotonic_now(), fd);
        deliver_resolutions(monotonic_now());
        continue;
      }
      for (const UdpSocket& socket : shared_) {
        if (socket.fd() == fd) receive(socket, nullptr);
      }
      if (const auto owner = socket_owner_.find(fd); owner != socket_owner_.end()) {
        Connection& connection = *connections_.at(owner->second);
        for (const UdpSocket& socket : connection.sockets) {
          if (socket.fd() == fd) receive(socket, &connection);
        }
        if (service_turn(connection, fd) || service_ice_tcp(connection, fd)) mark_dirty(connection);
      }
    }
    {
      std::lock_guard lock(cores_mutex());
      const base::Instant after = monotonic_now();
      // Only drain() moves a connection in timers_, so walking it here is safe.
      for (auto due = timers_.begin(); due != timers_.end() && due->first <= after; ++due) {
        Connection& connection = *connections_.at(due->second);
        if (connection.removed) continue;
        connection.pc->handle_timeout(after);
        mark_dirty(connection);
      }
      if (mdns_ && mdns_->next_timeout() <= after) {
        mdns_->handle_timeout(after);
        deliver_resolutions(after);
      }
    }
    drain_all();
  }
}

RuntimeCore::Connection* RuntimeCore::route(const base::SocketAddress& remote, const ice::Inbound& datagram) {
  // A remote that was routed before stays with its connection, unless it sends a check
  // naming another ufrag (the same peer address in another of our connections).
  const auto ufrag = datagram.addressed_ufrag();
  const auto still = [&](const Connection& connection) {
    return !connection.removed && (!ufrag || *ufrag == connection.pc->local_ufrag());
  };
  if (last_route_.second != nullptr && last_route_.first == remote && still(*last_route_.second)) return last_route_.second;
  if (const auto cached = routes_.find(remote); cached != routes_.end()) {
    if (still(*cached->second)) {
      last_route_ = {remote, cached->second};
      return cached->second;
    }
    routes_.erase(cached);
  }
  // A new remote: a connectivity check names the connection by its ufrag; anything else
  // (or a check for a ufrag we do not know) is offered to each connection in turn.
  Connection* found = nullptr;
  if (ufrag) {
    if (const auto named = ufrags_.find(*ufrag); named != ufrags_.end()) {
      Connection& connection = *connections_.at(named->second);
      if (!connection.removed && connection.pc->accepts(remote, datagram)) found = &connection;
    }
  }
  for (auto it = connections_.begin(); found == nullptr && it != connections_.end(); ++it) {
    Connection& connection = *it->second;
    if (connection.sockets.empty() && !connection.removed && connection.pc->accepts(remote, datagram)) found = &connection;
  }
  if (found != nullptr) {
    routes_[remote] = found;
    last_route_ = {remote, found};
  }
  return found;
}

void RuntimeCore::receive(const UdpSocket& socket, Connection* owner) {
  const base::Instant now = monotonic_now();
  // A few batches at most, then the other sockets get their turn.
  for (int round = 0; round < kReceiveRounds; ++round) {
    const std::size_t count = socket.receive(receive_batch_);
    for (std::size_t i = 0; i < count; ++i) {
      const base::SocketAddress& from = receive_batch_.from(i);
      const ice::Inbound datagram(receive_batch_.bytes(i));  // looked at once for routing and ICE
      Connection* connection = owner != nullptr ? owner : route(from, datagram);
      if (connection == nullptr || connection->removed) continue;
      connection->pc->handle_receive(now, socket.local(), from, datagram);
      mark_dirty(*connection);
    }
    if (!receive_batch_.filled()) return;
  }
}

const UdpSocket* RuntimeCore::socket_for(const Connection& connection, const base::SocketAddress& local) const {
  for (const UdpSocket& socket : connection.sockets) {
    if (socket.local() == local) return &socket;
  }
  for (const UdpSocket& socket : shared_) {
    if (socket.local() == local) return &socket;
  }
  return nullptr;
}

std::vector<pc::Event> RuntimeCore::drain(Connection& connection) {
  std::vector<pc::Event> events;
  connection.dirty = false;
  for (;;) {
    pc::Output output = connection.pc->poll_output();
    if (auto* timeout = std::get_if<pc::Timeout>(&output)) {
      if (timeout->at != connection.next_timeout) {
        timers_.erase({connection.next_timeout, connection.id});
        connection.next_timeout = timeout->at;
        timers_.emplace(connection.next_timeout, connection.id);
      }
      flush_sends();  // before the connection (and its sockets) can go
      if (!connection.released && connection.pc->ended()) release_sockets(connection);
      return events;
    }
    if (auto* transmit = std::get_if<pc::Transmit>(&output)) {
      if (transmit->protocol == base::TransportProtocol::kTcp) {
        send_ice_tcp(connection, *transmit);
        continue;
      }
      // Consecutive datagrams of one socket leave in one sendmmsg().
      const UdpSocket* socket = socket_for(connection, transmit->local);
      if (socket == nullptr) {
        (void)send_turn(connection, *transmit);
        continue;
      }
      if (socket != batch_socket_ || send_batch_.full()) flush_sends();
      batch_socket_ = socket;
      batch_connection_ = &connection;
      socket->queue(send_batch_, transmit->remote, std::move(transmit->bytes));
      continue;
    }
    pc::Event event = std::get<pc::Event>(std::move(output));
    if (auto* query = std::get_if<pc::MdnsQueryEvent>(&event)) {
      resolve_name(connection, query->name, monotonic_now());  // the runtime's to answer, not a callback's
      continue;
    }
    events.push_back(std::move(event));
  }
}

void RuntimeCore::flush_sends() {
  if (batch_socket_ != nullptr && !send_batch_.empty()) batch_socket_->flush(send_batch_);
  // The buffers go back to the connection that made them: its next datagrams reuse them.
  send_batch_.release([&](base::Buffer buffer) {
    if (batch_connection_ != nullptr) batch_connection_->pc->recycle(std::move(buffer));
  });
  batch_socket_ = nullptr;
}

void RuntimeCore::drain_all() {
  for (int round = 0; round < kMaxDrainRounds; ++round) {
    // Under the lock: drain every dirty connection. Then, without it: the callbacks. Only
    // this thread erases connections, so the pointers stay valid in between.
    std::vector<std::tuple<std::uint64_t, Connection*, std::vector<pc::Event>>> batches;
    {
      std::lock_guard lock(cores_mutex());
      draining_.clear();
      draining_.swap(dirty_);
      for (const std::uint64_t id : draining_) {
        const auto found = connections_.find(id);
        if (found == connections_.end()) continue;
        Connection& connection = *found->second;
        if (connection.dirty) {
          auto events = drain(connection);
          if (!connection.silenced && !events.empty()) batches.emplace_back(id, &connection, std::move(events));
        }
        if (connection.removed && !connection.dirty) forget(found);
      }
    }
    if (batches.empty()) return;
    for (auto& [id, connection, events] : batches) {
      dispatching_ = id;
      dispatch(*connection, events);
      dispatching_ = 0;
    }
  }
}

void RuntimeCore::dispatch(Connection& connection, std::vector<pc::Event>& events) {
  // A callback (or another thread) may close the connection or drop its handle: stop at
  // once if it did.
  const Callbacks& on = connection.callbacks;
  for (pc::Event& event : events) {
    if (connection.silenced) return;
    if (auto* e = std::get_if<pc::SignalingStateEvent>(&event)) {
      if (on.on_signaling_state_change) on.on_signaling_state_change(e->state);
    } else if (auto* e = std::get_if<pc::IceGatheringStateEvent>(&event)) {
      if (on.on_ice_gathering_state_change) on.on_ice_gathering_state_change(e->state);
    } else if (auto* e = std::get_if<pc::IceConnectionStateEvent>(&event)) {
      if (on.on_ice_connection_state_change) on.on_ice_connection_state_change(e->state);
    } else if (auto* e = std::get_if<pc::ConnectionStateEvent>(&event)) {
      if (on.on_connection_state_change) on.on_connection_state_change(e->state, e->reason);
    } else if (auto* e = std::get_if<pc::IceCandidateEvent>(&event)) {
      if (on.on_ice_candidate) on.on_ice_candidate(e->candidate, e->mid);
    } else if (auto* e = std::get_if<pc::IceCandidateErrorEvent>(&event)) {
      if (on.on_ice_candidate_error) on.on_ice_candidate_error(*e);
    } else if (auto* e = std::get_if<pc::SelectedCandidatePairChangeEvent>(&event)) {
      if (on.on_selected_candidate_pair_change) on.on_selected_candidate_pair_change(*e);
    } else if (auto* e = std::get_if<pc::DataChannelEvent>(&event)) {
      if (on.on_data_channel) on.on_data_channel(e->channel, e->init);
    } else if (auto* e = std::get_if<pc::DataChannelStateEvent>(&event)) {
      if (on.on_channel_state) on.on_channel_state(e->channel, e->state);
    } else if (auto* e = std::get_if<pc::MessageEvent>(&event)) {
      if (on.on_message) on.on_message(e->channel, e->binary, std::move(e->data));
    } else if (auto* e = std::get_if<pc::BufferedAmountLowEvent>(&event)) {
      if (on.on_buffered_amount_low) on.on_buffered_amount_low(e->channel);
    } else if (auto* e = std::get_if<pc::TrackEvent>(&event)) {
      if (on.on_track) on.on_track(*e);
    } else if (auto* e = std::get_if<pc::RtpPacketEvent>(&event)) {
      if (on.on_rtp) on.on_rtp(e->transceiver, std::move(e->packet), e->rid);
    } else if (auto* e = std::get_if<pc::KeyFrameRequestEvent>(&event)) {
      if (on.on_key_frame_request) on.on_key_frame_request(e->transceiver, e->rid);
    } else if (auto* e = std::get_if<pc::TargetBitrateEvent>(&event)) {
      if (on.on_target_bitrate) on.on_target_bitrate(e->bitrate_bps);
    } else if (auto* e = std::get_if<pc::TrackEndedEvent>(&event)) {
      if (on.on_track_ended) on.on_track_ended(e->transceiver);
    }
  }
}

}  // namespace rtcstack::net
