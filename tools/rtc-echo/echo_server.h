// rtc-echo server: the echo convention's answering peer (DESIGN.md §7). POST /offer takes
// a JSON offer and answers (non-trickle) from a new PeerConnection that echoes every
// data channel message back on its channel; GET / serves a page that runs the same tests
// from a browser against this server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ice_options.h"
#include "net/port_range.h"

namespace rtcstack::echo {

struct ServerOptions {
  std::string host = "0.0.0.0";        ///< HTTP listen address
  std::uint16_t port = 8080;
  std::string bind;                    ///< one IP for the media sockets; empty: every interface
  /// Access-Control-Allow-Origin of every answer. "*" lets the echo convention's
  /// cross-origin browser pages in; a deployed server names its own origin.
  std::string cors = "*";
  /// Caps on PeerConnections (net::RuntimeOptions); 0: derived from RLIMIT_NOFILE.
  std::size_t max_connections = 0, max_unconnected = 0;
  /// The UDP ports media sockets may take (net::RuntimeOptions::ports); empty: any.
  net::PortRange media_ports;
  /// Without --bind: only these interfaces / never these (names, a trailing '*' matches
  /// any suffix; net::RuntimeOptions::interfaces, excluded_interfaces).
  std::vector<std::string> interfaces, excluded_interfaces;
  IceOptions ice;
  /// Decode the video clients send and read their audio in RED, besides echoing them
  /// (media_check.h): a line per stream once enough came.
  bool decode_media = false;
};

/// Serves until the process is stopped (SIGINT/SIGTERM end it cleanly). Returns the exit code.
int run_server(const ServerOptions& options);

}  // namespace rtcstack::echo
