#include "echo_server.h"

#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "http_server.h"
#include "media/rtp_packet.h"
#include "net/runtime.h"
#include "net/interfaces.h"
#include "page.h"
#include "sdp/session_description.h"
#include "session_json.h"
#include "media_check.h"

namespace rtcstack::echo {
namespace {

http::Server* g_server = nullptr;
void on_signal(int) {
  if (g_server != nullptr) g_server->stop();
}

// The connections the server has answered, by the session number their answer's Location
// names (POST there renegotiates: an ICE restart, say). One that fails or closes lets go
// of its handle from its own callback (its resources were freed already; this drops the
// rest).
class Connections {
 public:
  std::uint64_t add(std::shared_ptr<net::PeerConnectionHandle> handle) {
    std::lock_guard lock(mutex_);
    handles_.emplace(++last_id_, std::move(handle));
    return last_id_;
  }
  std::shared_ptr<net::PeerConnectionHandle> find(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    const auto found = handles_.find(id);
    return found == handles_.end() ? nullptr : found->second;
  }
  void remove(const net::PeerConnectionHandle* handle) {
    std::shared_ptr<net::PeerConnectionHandle> dropped;  // dropped outside the lock
    std::lock_guard lock(mutex_);
    const auto found = std::find_if(handles_.begin(), handles_.end(), [&](const auto& h) { return h.second.get() == handle; });
    if (found == handles_.end()) return;
    dropped = std::move(found->second);
    handles_.erase(found);
  }
  void clear() {
    std::map<std::uint64_t, std::shared_ptr<net::PeerConnectionHandle>> dropped;
    {
      std::lock_guard lock(mutex_);
      dropped.swap(handles_);
    }
    for (const auto& [id, handle] : dropped) handle->close();  // waits for running callbacks: not under the lock
  }

 private:
  std::mutex mutex_;
  std::map<std::uint64_t, std::shared_ptr<net::PeerConnectionHandle>> handles_;
  std::uint64_t last_id_ = 0;
};

http::Response text(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// Sets the offer, answers it and waits for gathering: the answer carries every candidate
// (the convention does not trickle; host candidates come at once).
base::Result<pc::SessionDescriptionInit> answer_on(net::PeerConnectionHandle& handle, const pc::SessionDescriptionInit& offer) {
  if (auto set = handle.set_remote_description(offer); !set) return set.error();
  auto answer = handle.create_answer();
  if (!answer) return answer.error();
  if (auto set = handle.set_local_description(*answer); !set) return set.error();
  for (int i = 0; i < 200 && handle.ice_gathering_state() != pc::IceGatheringState::kComplete; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return *handle.local_description();
}

http::Response answer_offer(net::Runtime& runtime, const pc::Configuration& configuration, Connections& connections,
                            bool decode_media, const std::string& body) {
  auto offer = from_json(body);
  if (!offer || offer->type != pc::SdpType::kOffer) return text(400, offer ? "expected an offer" : offer.error().message);
  // The callbacks echo through the handle, which exists only after they are set.
  auto self = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  net::Callbacks callbacks;
  callbacks.on_data_channel = [](pc::ChannelHandle, const pc::DataChannelInit& init) {
    std::printf("channel \"%s\" opened by the peer\n", init.label.c_str());
    std::fflush(stdout);
  };
  callbacks.on_message = [self](pc::ChannelHandle channel, bool binary, base::Buffer data) {
    auto handle = self->lock();
    if (!handle) return;
    // A message that cannot be echoed is a failure the client will only see as silence.
    if (auto sent = handle->send(channel, data, binary); !sent) {
      std::printf("echo of a %zu-byte message failed: %s\n", data.size(), sent.error().message.c_str());
      std::fflush(stdout);
    }
  };
  // Media comes back on our own SSRCs, and a key frame request for what we send goes on
  // to the client, whose frames we forward. Of simulcast, one layer comes back - the first
  // the offer lists, as an SFU forwards one - on a stream of our own.
  const auto check = decode_media ? std::make_shared<MediaCheck>() : nullptr;
  const auto echoed_rids = std::make_shared<std::map<pc::TransceiverHandle, std::string>>();  // IO thread only
  const auto echoed_rid = [self, echoed_rids](pc::TransceiverHandle transceiver) -> const std::string& {
    auto [entry, added] = echoed_rids->try_emplace(transceiver);
    if (auto handle = self->lock(); added && handle) {
      const auto rids = handle->receive_rids(transceiver);
      if (!rids.empty()) entry->second = rids.front();
    }
    return entry->second;
  };
  callbacks.on_rtp = [self, check, echoed_rid](pc::TransceiverHandle transceiver, base::Buffer bytes, const std::string& rid) {
    auto handle = self->lock();
    auto packet = media::RtpPacket::parse(bytes);
    if (!handle || !packet) return;
    if (rid == echoed_rid(transceiver)) {
      (void)handle->send_rtp(transceiver, packet->payload(), packet->timestamp(), packet->marker());
    }
    if (check) check->on_packet(*handle, transceiver, rid, *packet);
  };
  callbacks.on_key_frame_request = [self, echoed_rid](pc::TransceiverHandle transceiver, const std::string&) {
    if (auto handle = self->lock()) (void)handle->request_key_frame(transceiver, echoed_rid(transceiver));
  };
  callbacks.on_connection_state_change = [self, &connections](pc::PeerConnectionState state, const std::string& reason) {
    std::printf("connection %s%s%s\n", std::string(pc::to_string(state)).c_str(), reason.empty() ? "" : ": ",
                reason.c_str());
    std::fflush(stdout);
    if (state != pc::PeerConnectionState::kFailed && state != pc::PeerConnectionState::kClosed) return;
    if (auto handle = self->lock()) connections.remove(handle.get());
  };
  auto handle = runtime.create_peer_connection(configuration, callbacks);
  if (!handle) {
    // Past the caps or out of descriptors: a client may try again once connections end.
    http::Response busy = text(handle.error().code == base::ErrorCode::kResourceExhausted ? 503 : 500,
                               handle.error().message);
    if (busy.status == 503) busy.headers.emplace_back("Retry-After", "5");
    return busy;
  }
  *self = *handle;
  // One sending transceiver per offered audio or video section, so the answer echoes.
  if (auto parsed = sdp::SessionDescription::parse(offer->sdp)) {
    for (const auto& section : parsed->media) {
      if (section.media_line.port == 0 && !section.bundle_only()) continue;  // rejected (not Firefox's bundle-only)
      if (section.media_line.media == "audio") (void)(*handle)->add_transceiver(pc::MediaKind::kAudio);
      if (section.media_line.media == "video") (void)(*handle)->add_transceiver(pc::MediaKind::kVideo);
    }
  }
  auto answered = answer_on(**handle, *offer);
  if (!answered) {
    (*handle)->close();
    return text(400, answered.error().message);
  }
  http::Response response = text(200, to_json(*answered));
  response.content_type = "application/json";
  response.headers.emplace_back("Location", "/session/" + std::to_string(connections.add(*handle)));
  return response;
}

// POST /session/N: a new offer on a connection the server answered before (renegotiation,
// e.g. after the client's restartIce()).
http::Response answer_reoffer(Connections& connections, std::string_view id, const std::string& body) {
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), number);
  auto handle = error == std::errc{} && end == id.data() + id.size() ? connections.find(number) : nullptr;
  if (!handle) return text(404, "no such session");
  auto offer = from_json(body);
  if (!offer || offer->type != pc::SdpType::kOffer) return text(400, offer ? "expected an offer" : offer.error().message);
  auto answered = answer_on(*handle, *offer);
  if (!answered) return text(400, answered.error().message);
  http::Response response = text(200, to_json(*answered));
  response.content_type = "application/json";
  return response;
}

// Caps that keep the process inside its descriptor limit: the HTTP front end takes an
// eighth of it (at most 256), each PeerConnection one socket per media address.
struct Budget {
  http::Limits http;
  std::size_t connections, unconnected;
};

Budget budget(const ServerOptions& options, std::size_t addresses) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  const std::size_t descriptors = limit.rlim_cur == RLIM_INFINITY ? 1 << 20 : static_cast<std::size_t>(limit.rlim_cur);
  Budget budget;
  budget.http.max_connections = std::clamp<std::size_t>(descriptors / 8, 8, 256);
  const std::size_t reserve = budget.http.max_connections + 64;  // the runtime, the log, libraries
  const std::size_t derived = descriptors > reserve ? (descriptors - reserve) / std::max<std::size_t>(addresses, 1) : 1;
  budget.connections = options.max_connections != 0 ? options.max_connections : std::max<std::size_t>(derived, 1);
  budget.unconnected = options.max_unconnected != 0 ? options.max_unconnected : budget.connections;
  return budget;
}

}  // namespace

int run_server(const ServerOptions& options) {
  net::RuntimeOptions runtime_options;
  if (!options.bind.empty()) {
    auto ip = base::IpAddress::parse(options.bind);
    if (!ip) {
      std::fprintf(stderr, "rtc-echo: --bind %s is not an IP address\n", options.bind.c_str());
      return 2;
    }
    runtime_options.addresses = {*ip};
  } else {
    runtime_options.include_loopback = true;
    runtime_options.interfaces = options.interfaces;
    runtime_options.excluded_interfaces = options.excluded_interfaces;
  }
  const std::size_t addresses =
      options.bind.empty() ? net::interface_addresses(true, options.interfaces, options.excluded_interfaces).size()
                           : runtime_options.addresses.size();
  const Budget caps = budget(options, addresses);
  runtime_options.ports = options.media_ports;
  options.ice.apply(runtime_options);
  const auto configuration = options.ice.configuration();
  if (!configuration) {
    std::fprintf(stderr, "rtc-echo: %s\n", configuration.error().message.c_str());
    return 2;
  }
  runtime_options.max_connections = caps.connections;
  runtime_options.max_unconnected = caps.unconnected;
  auto runtime = net::Runtime::create(runtime_options);
  if (!runtime) {
    std::fprintf(stderr, "rtc-echo: %s\n", runtime.error().message.c_str());
    return 1;
  }
  Connections connections;
  const auto handle = [&](const http::Request& request) -> http::Response {
    if (request.path == "/offer" && request.method == "POST") {
      return answer_offer(**runtime, *configuration, connections, options.decode_media, request.body);
    }
    if (request.path.starts_with("/session/") && request.method == "POST") {
      return answer_reoffer(connections, std::string_view(request.path).substr(9), request.body);
    }
    if ((request.path == "/offer" || request.path.starts_with("/session/")) && request.method == "OPTIONS") return text(204, "");
    if (request.path == "/" && request.method == "GET") {
      http::Response page = text(200, std::string(kPage));
      page.content_type = "text/html; charset=utf-8";
      return page;
    }
    if (request.path == "/offer" || request.path == "/") return text(405, "method not allowed");
    return text(404, "not found");
  };
  http::Server server(caps.http, handle,
                      {{"Access-Control-Allow-Origin", options.cors},
                       {"Access-Control-Allow-Methods", "POST, GET, OPTIONS"},
                       {"Access-Control-Allow-Headers", "Content-Type"},
                       {"Access-Control-Expose-Headers", "Location"}});
  auto port = server.listen(options.host, options.port);
  if (!port) {
    std::fprintf(stderr, "rtc-echo: %s\n", port.error().message.c_str());
    return 1;
  }
  g_server = &server;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  // Port 0: the kernel picks one, and the line below says which (scripts read it).
  std::printf("rtc-echo server: http://%s:%u/ (POST /offer, POST /session/N to renegotiate; each connection gets its own UDP sockets; "
              "at most %zu connections, %zu not yet connected)\n",
              options.host.c_str(), *port, caps.connections, caps.unconnected);
  std::fflush(stdout);
  server.run();
  g_server = nullptr;
  connections.clear();
  return 0;
}

}  // namespace rtcstack::echo
