// rtc-echo: the echo convention's server and client (DESIGN.md §7).
//   rtc-echo server [--port P] [--host H] [--bind IP] [--cors ORIGIN] [--max-connections N]
//                   [--max-unconnected N] [--media-ports MIN-MAX] [--log LEVEL]
//                   [--interface NAME]... [--exclude-interface NAME]...
//   rtc-echo client -s URL -t TYPE [--bind IP] [--timeout S] [--log LEVEL]
//   either, ICE: [--ice-server URL]... [--ice-username U] [--ice-credential C] [--relay-only]
//                [--tls-ca FILE] [--transports udp|tcp|udp,tcp] [--mdns-host-names]
// --log: the library's log level on stderr (error, warning - the default -, info, debug,
// trace). --ice-server: stun:, turn:[...?transport=tcp] or turns: (RFC 7064/7065), with the
// TURN credentials of --ice-username/--ice-credential; --relay-only: iceTransportPolicy
// "relay"; --tls-ca: a PEM file of CAs trusted for turns: besides the system's;
// --transports: the host candidates' transports (udp by default; tcp adds or, alone, keeps
// to ICE-TCP, RFC 6544); --mdns-host-names: our host candidates are signalled as random
// .local names that our mDNS responder answers for (remote .local names are always
// resolved).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/log.h"
#include "echo_client.h"
#include "echo_server.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: rtc-echo server [--port P] [--host H] [--bind IP] [--cors ORIGIN] [--max-connections N]\n"
               "                       [--max-unconnected N] [--media-ports MIN-MAX] [--log LEVEL]\n"
               "                       [--interface NAME]... [--exclude-interface NAME]... [--decode-media]\n"
               "       rtc-echo client -s URL -t TYPE [--codec VP8|H264|VP9|AV1] [--audio-red] [--simulcast] [--bind IP]\n"
               "                       [--timeout SECONDS] [--log LEVEL]\n"
               "  ICE, either: [--ice-server stun:|turn:|turns:URL]... [--ice-username U] [--ice-credential C]\n"
               "               [--relay-only] [--tls-ca FILE] [--transports udp|tcp|udp,tcp] [--mdns-host-names]\n"
               "types: 0 connection, 1 data channel echo, 2 media (video + Opus echoed and decoded), 3 data channel stress,\n"
               "       4 throughput (16 MiB echoed), 5 wrong fingerprint (passes when the server refuses it),\n"
               "       6 garbage sprayed at the server during a session\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string_view mode = argv[1];
  rtcstack::echo::ServerOptions server;
  rtcstack::echo::ClientOptions client;
  for (int i = 2; i < argc; ++i) {
    const std::string_view flag = argv[i];
    // The flags without a value.
    if (flag == "--relay-only") {
      server.ice.relay_only = client.ice.relay_only = true;
      continue;
    }
    if (flag == "--audio-red") {
      client.media.audio_red = true;
      continue;
    }
    if (flag == "--simulcast") {
      client.media.simulcast = true;
      continue;
    }
    if (flag == "--decode-media") {
      server.decode_media = true;
      continue;
    }
    if (flag == "--mdns-host-names") {
      server.ice.mdns_host_names = client.ice.mdns_host_names = true;
      continue;
    }
    if (i + 1 >= argc) return usage();
    const std::string value = argv[++i];
    if (flag == "--port" || flag == "-p") {
      server.port = static_cast<std::uint16_t>(std::atoi(value.c_str()));
    } else if (flag == "--host") {
      server.host = value;
    } else if (flag == "--cors") {
      server.cors = value;
    } else if (flag == "--max-connections") {
      server.max_connections = std::strtoul(value.c_str(), nullptr, 10);
    } else if (flag == "--max-unconnected") {
      server.max_unconnected = std::strtoul(value.c_str(), nullptr, 10);
    } else if (flag == "--media-ports") {
      // MIN-MAX: every media socket takes a port in it (a firewall's opening).
      const auto dash = value.find('-');
      if (dash == std::string::npos) return usage();
      server.media_ports = {static_cast<std::uint16_t>(std::atoi(value.substr(0, dash).c_str())),
                            static_cast<std::uint16_t>(std::atoi(value.substr(dash + 1).c_str()))};
    } else if (flag == "--bind") {
      server.bind = client.bind = value;
    } else if (flag == "-s" || flag == "--server") {
      client.server = value;
    } else if (flag == "-t" || flag == "--type") {
      client.type = std::atoi(value.c_str());
    } else if (flag == "--codec") {
      client.media.video_codec = rtcstack::media::video_codec_from_name(value);
      if (!client.media.video_codec) return usage();
    } else if (flag == "--timeout") {
      client.timeout_seconds = std::atoi(value.c_str());
    } else if (flag == "--interface") {
      server.interfaces.push_back(value);
    } else if (flag == "--exclude-interface") {
      server.excluded_interfaces.push_back(value);
    } else if (flag == "--ice-server") {
      server.ice.urls.push_back(value);
      client.ice.urls.push_back(value);
    } else if (flag == "--ice-username") {
      server.ice.username = client.ice.username = value;
    } else if (flag == "--ice-credential") {
      server.ice.credential = client.ice.credential = value;
    } else if (flag == "--tls-ca") {
      server.ice.tls_ca_file = client.ice.tls_ca_file = value;
    } else if (flag == "--transports") {
      if (!server.ice.set_transports(value)) return usage();
      client.ice.set_transports(value);
    } else if (flag == "--log") {
      const auto level = rtcstack::base::log_level_from_string(value, rtcstack::base::LogLevel::kOff);
      if (level == rtcstack::base::LogLevel::kOff && value != "off") return usage();
      rtcstack::base::set_log_level(level);
    } else {
      return usage();
    }
  }
  if (mode == "server") return rtcstack::echo::run_server(server);
  if (mode == "client") return rtcstack::echo::run_client(client);
  return usage();
}
