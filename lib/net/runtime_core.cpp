#include "net/runtime_core.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <future>

#include "base/log.h"

namespace rtcstack::net {
namespace {

// Datagrams read from one socket before the loop looks at timers and tasks again.
constexpr int kReceiveBatch = 64;
// epoll_wait never sleeps longer, so a missed wake-up costs at most this.
constexpr std::int64_t kMaxSleepMs = 1000;
// drain_all() re-drains connections that callbacks touched; the bound guards a livelock.
constexpr int kMaxDrainRounds = 64;

}  // namespace

std::mutex& cores_mutex() {
  static std::mutex mutex;
  return mutex;
}

base::Instant monotonic_now() {
  const auto since = std::chrono::steady_clock::now().time_since_epoch();
  return base::Instant::from_nanoseconds(std::chrono::duration_cast<std::chrono::nanoseconds>(since).count());
}

RuntimeCore::RuntimeCore(std::vector<UdpSocket> sockets)
    : sockets_(std::move(sockets)), receive_buffer_(65536) {}

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
  for (const UdpSocket& socket : sockets_) {
    event.data.fd = socket.fd();
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, socket.fd(), &event);
  }
  thread_ = std::thread([this] { loop(); });
  thread_id_ = thread_.get_id();
  return {};
}

void RuntimeCore::stop() {
  std::lock_guard stop_lock(stop_mutex_);
  if (stopped_) return;
  if (on_io_thread()) {
    RTC_LOG(kError, "net") << "a Runtime was destroyed from one of its own callbacks; the IO thread cannot join itself";
    std::abort();
  }
  stopped_ = true;
  {
    std::lock_guard lock(tasks_mutex_);
    stopping_ = true;
  }
  const std::uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  // The IO thread is gone: close what is left here, under the cores lock.
  std::lock_guard lock(cores_mutex());
  for (auto& [id, connection] : connections_) connection->pc->close();
  connections_.clear();
  tasks_.clear();
}

std::vector<base::SocketAddress> RuntimeCore::addresses() const {
  std::vector<base::SocketAddress> addresses;
  for (const UdpSocket& socket : sockets_) addresses.push_back(socket.local());
  return addresses;
}

bool RuntimeCore::execute(const std::function<void()>& task) {
  if (on_io_thread()) {
    task();
    return true;
  }
  if (stopping_) return false;
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  {
    std::lock_guard lock(tasks_mutex_);
    if (stopping_) return false;
    tasks_.push_back([task, done] {
      task();
      done->set_value();
    });
  }
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  // Tasks queued before stop() set `stopping_` (under the same lock) all run: the loop
  // runs the queue once more on its way out. So this wait ends.
  finished.wait();
  return true;
}

std::uint64_t RuntimeCore::add(pc::Configuration configuration, Callbacks callbacks, base::Error* error) {
  std::uint64_t id = 0;
  configuration.ice.host_addresses = addresses();
  for (const auto& address : configuration.ice.host_addresses) {
    if (address.ip().is_loopback()) configuration.ice.allow_loopback = true;
  }
  execute([&] {
    auto connection = std::make_unique<Connection>();
    std::lock_guard lock(cores_mutex());
    auto created = pc::PeerConnection::create(std::move(configuration), connection->random);
    if (!created) {
      *error = created.error();
      return;
    }
    connection->pc = std::move(*created);
    connection->callbacks = std::move(callbacks);
    id = next_id_++;
    connections_[id] = std::move(connection);
  });
  return id;
}

void RuntimeCore::remove(std::uint64_t id) {
  execute([&] {
    const auto found = connections_.find(id);
    if (found == connections_.end()) return;
    std::lock_guard lock(cores_mutex());
    found->second->pc->close();
    found->second->removed = true;  // forgotten by drain_all(), after its last datagrams
    found->second->dirty = true;
  });
}

std::size_t RuntimeCore::connection_count() {
  std::size_t count = 0;
  execute([&] {
    for (const auto& [id, connection] : connections_) count += connection->removed ? 0 : 1;
  });
  return count;
}

bool RuntimeCore::run(std::uint64_t id, const std::function<void(pc::PeerConnection&, base::Instant)>& function) {
  bool found = false;
  execute([&] {
    const auto connection = connections_.find(id);
    if (connection == connections_.end() || connection->second->removed) return;
    found = true;
    {
      std::lock_guard lock(cores_mutex());
      function(*connection->second->pc, monotonic_now());
    }
    connection->second->dirty = true;
  });
  return found;
}

void RuntimeCore::loop() {
  std::vector<epoll_event> events(16);
  while (!stopping_) {
    base::Instant next = base::Instant::max();
    for (const auto& [id, connection] : connections_) next = std::min(next, connection->next_timeout);
    const base::Instant now = monotonic_now();
    std::int64_t sleep_ms = kMaxSleepMs;
    if (next != base::Instant::max()) {
      // Round up: waking a little late is fine, waking early spins.
      sleep_ms = std::clamp<std::int64_t>(((next - now).as_nanoseconds() + 999'999) / 1'000'000, 0, kMaxSleepMs);
    }
    const int ready = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), static_cast<int>(sleep_ms));
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.fd == wake_fd_) {
        std::uint64_t count = 0;
        (void)!::read(wake_fd_, &count, sizeof count);
        continue;
      }
      for (const UdpSocket& socket : sockets_) {
        if (socket.fd() == events[i].data.fd) receive(socket);
      }
    }
    run_tasks();
    run_timers(monotonic_now());
    drain_all();
  }
  run_tasks();  // callers waiting for a task get their answer (a closed connection)
}

void RuntimeCore::run_tasks() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(tasks_mutex_);
    tasks.swap(tasks_);
  }
  for (auto& task : tasks) {
    task();
    drain_all();
  }
}

RuntimeCore::Connection* RuntimeCore::route(const base::SocketAddress& remote, base::ByteView datagram) {
  if (const auto cached = routes_.find(remote); cached != routes_.end()) {
    const auto connection = connections_.find(cached->second);
    if (connection != connections_.end() && !connection->second->removed &&
        connection->second->pc->accepts(remote, datagram)) {
      return connection->second.get();
    }
    routes_.erase(cached);
  }
  for (auto& [id, connection] : connections_) {
    if (!connection->removed && connection->pc->accepts(remote, datagram)) {
      routes_[remote] = id;
      return connection.get();
    }
  }
  return nullptr;
}

void RuntimeCore::receive(const UdpSocket& socket) {
  std::lock_guard lock(cores_mutex());
  const base::Instant now = monotonic_now();
  for (int i = 0; i < kReceiveBatch; ++i) {
    const auto received = socket.receive(receive_buffer_);
    if (!received) return;
    if (Connection* connection = route(received->from, received->bytes)) {
      connection->pc->handle_receive(now, socket.local(), received->from, received->bytes);
      connection->dirty = true;
    }
  }
}

void RuntimeCore::run_timers(base::Instant now) {
  std::lock_guard lock(cores_mutex());
  for (auto& [id, connection] : connections_) {
    if (connection->removed || connection->next_timeout > now) continue;
    connection->pc->handle_timeout(now);
    connection->dirty = true;
  }
}

const UdpSocket* RuntimeCore::socket_for(const base::SocketAddress& local) const {
  for (const UdpSocket& socket : sockets_) {
    if (socket.local() == local) return &socket;
  }
  return nullptr;
}

std::vector<pc::Event> RuntimeCore::drain(Connection& connection) {
  std::vector<pc::Event> events;
  std::lock_guard lock(cores_mutex());
  connection.dirty = false;
  for (;;) {
    pc::Output output = connection.pc->poll_output();
    if (auto* timeout = std::get_if<pc::Timeout>(&output)) {
      connection.next_timeout = timeout->at;
      return events;
    }
    if (auto* transmit = std::get_if<pc::Transmit>(&output)) {
      if (const UdpSocket* socket = socket_for(transmit->local)) socket->send_to(transmit->remote, transmit->bytes);
      continue;
    }
    events.push_back(std::get<pc::Event>(std::move(output)));
  }
}

void RuntimeCore::drain_all() {
  for (int round = 0; round < kMaxDrainRounds; ++round) {
    bool any = false;
    for (auto it = connections_.begin(); it != connections_.end();) {
      Connection& connection = *it->second;
      if (connection.dirty) {
        any = true;
        std::vector<pc::Event> events = drain(connection);
        if (!connection.removed) dispatch(connection, events);  // no lock held here
      }
      if (connection.removed && !connection.dirty) {
        std::lock_guard lock(cores_mutex());
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
    if (!any) return;
  }
}

void RuntimeCore::dispatch(Connection& connection, std::vector<pc::Event>& events) {
  // A callback may close the connection or drop its handle: stop at once if it did.
  for (pc::Event& event : events) {
    if (connection.removed) return;
    const Callbacks& on = connection.callbacks;
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
    } else if (auto* e = std::get_if<pc::DataChannelEvent>(&event)) {
      if (on.on_data_channel) on.on_data_channel(e->channel, e->init);
    } else if (auto* e = std::get_if<pc::DataChannelStateEvent>(&event)) {
      if (on.on_channel_state) on.on_channel_state(e->channel, e->state);
    } else if (auto* e = std::get_if<pc::MessageEvent>(&event)) {
      if (on.on_message) on.on_message(e->channel, e->binary, std::move(e->data));
    } else if (auto* e = std::get_if<pc::BufferedAmountLowEvent>(&event)) {
      if (on.on_buffered_amount_low) on.on_buffered_amount_low(e->channel);
    }
  }
}

}  // namespace rtcstack::net
