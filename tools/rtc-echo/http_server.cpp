#include "http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "base/socket_address.h"
#include "http_request.h"

namespace rtcstack::echo::http {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kListenId = 0;
constexpr std::uint64_t kWakeId = 1;
constexpr std::size_t kReadChunk = 16 * 1024;
// Out of descriptors, accept() fails at once and the listening socket stays readable:
// it rests this long instead of waking the loop without end.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);
// After an answer, what the client still sends is read and dropped for this long, so
// that closing with unread bytes (a reset) does not destroy the answer on its way.
constexpr auto kLinger = std::chrono::milliseconds(1000);
constexpr auto kMaxWait = std::chrono::milliseconds(1000);

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return status < 500 ? "Client Error" : "Server Error";
  }
}

std::string client_address(const sockaddr_storage& storage) {
  char text[INET6_ADDRSTRLEN] = {};
  if (storage.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(storage).sin_addr, text, sizeof text);
  } else {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(storage).sin6_addr, text, sizeof text);
  }
  return text;
}

Response error(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

}  // namespace

struct Server::State {
  enum class Phase : std::uint8_t { kReading, kHandling, kWriting, kLingering };
  struct Connection {
    int fd = -1;
    std::string client;
    Phase phase = Phase::kReading;
    std::string in;
    std::size_t header_end = 0;  // 0 until the blank line after the headers has come
    std::size_t body_length = 0;
    Request request;
    std::string out;
    std::size_t written = 0;
    Clock::time_point deadline;
  };

  Limits limits;
  Handler handler;
  std::vector<std::pair<std::string, std::string>> headers;
  int listen_fd = -1, epoll_fd = -1, wake_fd = -1;
  std::atomic<bool> stopping{false};

  // Loop thread only.
  std::unordered_map<std::uint64_t, Connection> connections;
  std::unordered_map<std::string, std::size_t> per_address;
  std::uint64_t next_id = 2;
  std::optional<Clock::time_point> accept_resumes;

  // Shared with the workers.
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::pair<std::uint64_t, Request>> jobs;
  std::vector<std::pair<std::uint64_t, Response>> done;
  std::vector<std::thread> workers;

  mutable std::mutex counters_mutex;
  Counters counters;

  void count(std::uint64_t Counters::*field) {
    std::lock_guard lock(counters_mutex);
    ++(counters.*field);
  }
  void watch(std::uint64_t id, int fd, std::uint32_t events, int op = EPOLL_CTL_MOD) const {
    epoll_event event{};
    event.events = events;
    event.data.u64 = id;
    epoll_ctl(epoll_fd, op, fd, &event);
  }

  void work();
  void accept_all();
  void on_ready(std::uint64_t id, std::uint32_t events);
  void read_some(std::uint64_t id, Connection& connection);
  std::optional<Response> parse_head(Connection& connection);
  void dispatch(std::uint64_t id, Connection& connection);
  void respond(std::uint64_t id, Connection& connection, const Response& response);
  void write_some(std::uint64_t id, Connection& connection);
  void linger(std::uint64_t id, Connection& connection);
  void collect_done();
  void expire();
  int wait_ms() const;
  void close_connection(std::uint64_t id);
};

Server::Server(Limits limits, Handler handler, std::vector<std::pair<std::string, std::string>> headers)
    : state_(std::make_unique<State>()) {
  state_->limits = limits;
  state_->handler = std::move(handler);
  state_->headers = std::move(headers);
  state_->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  state_->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  state_->watch(kWakeId, state_->wake_fd, EPOLLIN, EPOLL_CTL_ADD);
}

Server::~Server() {
  for (auto& [id, connection] : state_->connections) ::close(connection.fd);
  for (const int fd : {state_->listen_fd, state_->epoll_fd, state_->wake_fd}) {
    if (fd >= 0) ::close(fd);
  }
}

base::Result<std::uint16_t> Server::listen(const std::string& host, std::uint16_t port) {
  auto ip = base::IpAddress::parse(host == "localhost" ? "127.0.0.1" : host);
  if (!ip) return ip.error();
  sockaddr_storage storage{};
  socklen_t size = 0;
  if (ip->is_v4()) {
    auto& v4 = reinterpret_cast<sockaddr_in&>(storage);
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&v4.sin_addr, ip->bytes().data(), 4);
    size = sizeof v4;
  } else {
    auto& v6 = reinterpret_cast<sockaddr_in6&>(storage);
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&v6.sin6_addr, ip->bytes().data(), 16);
    size = sizeof v6;
  }
  const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return base::Error{base::ErrorCode::kInternal, std::string("socket: ") + std::strerror(errno)};
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), size) != 0 || ::listen(fd, 128) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return base::Error{base::ErrorCode::kInternal, "listen on " + host + ":" + std::to_string(port) + ": " + why};
  }
  socklen_t bound = sizeof storage;
  getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &bound);
  state_->listen_fd = fd;
  state_->watch(kListenId, fd, EPOLLIN, EPOLL_CTL_ADD);
  return ntohs(storage.ss_family == AF_INET ? reinterpret_cast<sockaddr_in&>(storage).sin_port
                                            : reinterpret_cast<sockaddr_in6&>(storage).sin6_port);
}

void Server::stop() {
  state_->stopping = true;
  const std::uint64_t one = 1;
  (void)!::write(state_->wake_fd, &one, sizeof one);
}

Counters Server::counters() const {
  std::lock_guard lock(state_->counters_mutex);
  return state_->counters;
}

void Server::run() {
  State& s = *state_;
  for (std::size_t i = 0; i < std::max<std::size_t>(s.limits.workers, 1); ++i) s.workers.emplace_back([&s] { s.work(); });
  epoll_event events[64];
  while (!s.stopping) {
    const int ready = epoll_wait(s.epoll_fd, events, 64, s.wait_ms());
    for (int i = 0; i < ready; ++i) {
      const std::uint64_t id = events[i].data.u64;
      if (id == kListenId) {
        s.accept_all();
      } else if (id == kWakeId) {
        std::uint64_t count = 0;
        (void)!::read(s.wake_fd, &count, sizeof count);
      } else {
        s.on_ready(id, events[i].events);
      }
    }
    s.collect_done();
    s.expire();
  }
  {
    std::lock_guard lock(s.mutex);
    s.jobs.clear();
  }
  s.ready.notify_all();
  for (std::thread& worker : s.workers) worker.join();
  s.workers.clear();
}

void Server::State::work() {
  for (;;) {
    std::pair<std::uint64_t, Request> job;
    {
      std::unique_lock lock(mutex);
      ready.wait(lock, [&] { return stopping || !jobs.empty(); });
      if (stopping) return;
      job = std::move(jobs.front());
      jobs.pop_front();
    }
    Response response;
    try {
      response = handler(job.second);
    } catch (const std::exception& e) {
      response = error(500, e.what());
    }
    {
      std::lock_guard lock(mutex);
      done.emplace_back(job.first, std::move(response));
    }
    const std::uint64_t one = 1;
    (void)!::write(wake_fd, &one, sizeof one);
  }
}

void Server::State::accept_all() {
  for (;;) {
    sockaddr_storage storage{};
    socklen_t size = sizeof storage;
    const int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&storage), &size, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        // EMFILE, ENFILE, ENOBUFS: the connection waits in the backlog until we can take it.
        count(&Counters::accept_failures);
        watch(kListenId, listen_fd, 0);
        accept_resumes = Clock::now() + kAcceptPause;
      }
      return;
    }
    std::string client = client_address(storage);
    const auto from_client = per_address.find(client);
    if (connections.size() >= limits.max_connections ||
        (from_client != per_address.end() && from_client->second >= limits.max_per_address)) {
      count(&Counters::refused_connections);
      ::close(fd);
      continue;
    }
    count(&Counters::accepted);
    ++per_address[client];
    const std::uint64_t id = next_id++;
    Connection& connection = connections[id];
    connection.fd = fd;
    connection.client = std::move(client);
    connection.deadline = Clock::now() + limits.request_deadline;
    watch(id, fd, EPOLLIN, EPOLL_CTL_ADD);
  }
}

void Server::State::on_ready(std::uint64_t id, std::uint32_t events) {
  const auto found = connections.find(id);
  if (found == connections.end()) return;
  Connection& connection = found->second;
  switch (connection.phase) {
    case Phase::kReading: return read_some(id, connection);
    case Phase::kWriting: return write_some(id, connection);
    case Phase::kLingering: return linger(id, connection);
    case Phase::kHandling:
      // Not watched for input meanwhile; an error or hang-up means the client left.
      if ((events & (EPOLLERR | EPOLLHUP)) != 0) close_connection(id);
      return;
  }
}

void Server::State::read_some(std::uint64_t id, Connection& connection) {
  char buffer[kReadChunk];
  for (;;) {
    // Never more than the head may hold (one byte over tells it is too long), or than
    // the announced body.
    const std::size_t limit = connection.header_end == 0 ? limits.max_header_bytes + 1
                                                         : connection.header_end + connection.body_length;
    const ssize_t got = ::recv(connection.fd, buffer, std::min(sizeof buffer, limit - connection.in.size()), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (got <= 0) return close_connection(id);  // the client left, or an error
    const std::size_t searched_to = connection.in.size();
    connection.in.append(buffer, static_cast<std::size_t>(got));
    if (connection.header_end == 0) {
      const std::size_t from = searched_to < 3 ? 0 : searched_to - 3;
      const std::size_t blank = connection.in.find("\r\n\r\n", from);
      if (blank == std::string::npos || blank + 4 > limits.max_header_bytes) {
        if (connection.in.size() > limits.max_header_bytes) {
          count(&Counters::too_large);
          return respond(id, connection, error(431, "the request line and headers exceed the limit"));
        }
        continue;
      }
      connection.header_end = blank + 4;
      if (auto refused = parse_head(connection)) return respond(id, connection, *refused);
    }
    // Bytes past the body (a pipelined request) are not served: one request a connection.
    if (connection.in.size() >= connection.header_end + connection.body_length) {
      connection.in.resize(connection.header_end + connection.body_length);
      return dispatch(id, connection);
    }
  }
}

std::optional<Response> Server::State::parse_head(Connection& connection) {
  auto parsed = parse_request_head({connection.in.data(), connection.header_end - 4}, limits.max_headers, limits.max_body);
  if (const auto* refusal = std::get_if<Refusal>(&parsed)) {
    if (refusal->status == 413 || refusal->status == 431) count(&Counters::too_large);
    if (refusal->status == 400) count(&Counters::bad_requests);
    return error(refusal->status, refusal->reason);
  }
  RequestHead& head = std::get<RequestHead>(parsed);
  Request& request = connection.request;
  request.method = std::move(head.method);
  request.path = std::move(head.path);
  request.headers = std::move(head.headers);
  request.client = connection.client;
  connection.body_length = head.content_length.value_or(0);
  return std::nullopt;
}

void Server::State::dispatch(std::uint64_t id, Connection& connection) {
  connection.request.body = connection.in.substr(connection.header_end);
  connection.in = {};
  {
    std::lock_guard lock(mutex);
    if (jobs.size() < limits.max_queued) {
      jobs.emplace_back(id, std::move(connection.request));
      connection.phase = Phase::kHandling;
    }
  }
  if (connection.phase != Phase::kHandling) {
    count(&Counters::busy);
    Response busy = error(503, "busy: try again shortly");
    busy.headers.emplace_back("Retry-After", "1");
    return respond(id, connection, busy);
  }
  watch(id, connection.fd, 0);
  ready.notify_one();
}

void Server::State::respond(std::uint64_t id, Connection& connection, const Response& response) {
  std::string& out = connection.out;
  out = "HTTP/1.1 " + std::to_string(response.status) + " " + std::string(reason_phrase(response.status)) + "\r\n";
  out += "Content-Type: " + response.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\nConnection: close\r\n";
  using Headers = std::vector<std::pair<std::string, std::string>>;
  for (const Headers* list : {static_cast<const Headers*>(&headers), &response.headers}) {
    for (const auto& [name, value] : *list) out += name + ": " + value + "\r\n";
  }
  out += "\r\n";
  out += response.body;
  connection.written = 0;
  connection.phase = Phase::kWriting;
  connection.deadline = Clock::now() + limits.write_deadline;
  watch(id, connection.fd, EPOLLOUT);
  write_some(id, connection);
}

void Server::State::write_some(std::uint64_t id, Connection& connection) {
  while (connection.written < connection.out.size()) {
    const ssize_t sent = ::send(connection.fd, connection.out.data() + connection.written,
                                connection.out.size() - connection.written, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (sent <= 0) return close_connection(id);
    connection.written += static_cast<std::size_t>(sent);
  }
  count(&Counters::served);
  connection.out = {};
  ::shutdown(connection.fd, SHUT_WR);
  connection.phase = Phase::kLingering;
  connection.deadline = Clock::now() + kLinger;
  watch(id, connection.fd, EPOLLIN);
  linger(id, connection);
}

void Server::State::linger(std::uint64_t id, Connection& connection) {
  char buffer[kReadChunk];
  for (;;) {
    const ssize_t got = ::recv(connection.fd, buffer, sizeof buffer, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (got <= 0) return close_connection(id);  // the client has read the answer and closed
  }
}

void Server::State::collect_done() {
  std::vector<std::pair<std::uint64_t, Response>> finished;
  {
    std::lock_guard lock(mutex);
    finished.swap(done);
  }
  for (auto& [id, response] : finished) {
    const auto found = connections.find(id);
    if (found != connections.end()) respond(id, found->second, response);  // else the client left
  }
}

void Server::State::expire() {
  const Clock::time_point now = Clock::now();
  if (accept_resumes && now >= *accept_resumes) {
    accept_resumes.reset();
    watch(kListenId, listen_fd, EPOLLIN);
  }
  std::vector<std::uint64_t> late;
  for (const auto& [id, connection] : connections) {
    if (connection.phase != Phase::kHandling && now >= connection.deadline) late.push_back(id);
  }
  for (const std::uint64_t id : late) {
    Connection& connection = connections.at(id);
    if (connection.phase == Phase::kReading && !connection.in.empty()) {
      count(&Counters::timed_out);
      respond(id, connection, error(408, "the request did not arrive in time"));
    } else {
      if (connection.phase == Phase::kReading) count(&Counters::timed_out);
      close_connection(id);  // silent, or too slow to take its answer or to close
    }
  }
}

int Server::State::wait_ms() const {
  Clock::time_point wake = Clock::now() + kMaxWait;
  if (accept_resumes) wake = std::min(wake, *accept_resumes);
  for (const auto& [id, connection] : connections) {
    if (connection.phase != Phase::kHandling) wake = std::min(wake, connection.deadline);
  }
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(wait.count(), 0));
}

void Server::State::close_connection(std::uint64_t id) {
  const auto found = connections.find(id);
  if (found == connections.end()) return;
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, found->second.fd, nullptr);
  ::close(found->second.fd);
  const auto client = per_address.find(found->second.client);
  if (client != per_address.end() && --client->second == 0) per_address.erase(client);
  connections.erase(found);
}

}  // namespace rtcstack::echo::http
