// A small HTTP/1.1 server for rtc-echo's signalling that anyone may reach: every
// resource a client can make it spend is bounded. One thread reads and writes every
// connection (epoll, non-blocking), so a client that sends one byte a second holds one
// slot, not a thread; requests run on a few worker threads, and answers go back through
// the loop. Limits: connections in total and per client address, request line and
// headers in bytes and in number, the body (refused from its Content-Length, before a
// byte of it is read), and one deadline for the whole request. Each response closes its
// connection (Connection: close), which the echo convention's clients and browsers take.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace rtcstack::echo::http {

struct Request {
  std::string method;  ///< "GET", "POST", ...
  std::string path;    ///< the target without its query
  std::string body;
  std::string client;  ///< the client's IP address
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Runs on a worker thread; may block (rtc-echo waits for ICE gathering).
using Handler = std::function<Response(const Request&)>;

struct Limits {
  std::size_t max_body = 1'310'720;          ///< bytes; a larger Content-Length gets 413 at once
  std::size_t max_header_bytes = 16 * 1024;  ///< request line and headers; more gets 431
  std::size_t max_headers = 64;              ///< header lines; more gets 431
  std::chrono::milliseconds request_deadline{10'000};  ///< accept to whole request; then 408
  std::chrono::milliseconds write_deadline{10'000};    ///< to hand the response to the kernel
  std::size_t max_connections = 256;   ///< open at once; more are closed on accept
  std::size_t max_per_address = 16;    ///< open at once from one client IP
  std::size_t workers = 4;             ///< handler threads
  std::size_t max_queued = 64;         ///< whole requests waiting for a worker; more get 503
};

/// What the server refused, by reason (read after run() or from the handler's thread).
struct Counters {
  std::uint64_t accepted = 0, served = 0;
  std::uint64_t refused_connections = 0;  ///< over max_connections or max_per_address
  std::uint64_t too_large = 0, bad_requests = 0, timed_out = 0, busy = 0, accept_failures = 0;
};

class Server {
 public:
  /// `headers` go on every response (CORS, say).
  Server(Limits limits, Handler handler, std::vector<std::pair<std::string, std::string>> headers = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and listens on host:port (port 0: the kernel picks); returns the port.
  base::Result<std::uint16_t> listen(const std::string& host, std::uint16_t port);
  /// Serves until stop(). Starts the workers and joins them before it returns.
  void run();
  /// Makes run() return soon; async-signal-safe.
  void stop();
  Counters counters() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace rtcstack::echo::http
