#include "echo_server.h"

#include <httplib.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "media/rtp_packet.h"
#include "net/runtime.h"
#include "page.h"
#include "session_json.h"

namespace rtcstack::echo {
namespace {

httplib::Server* g_server = nullptr;
void on_signal(int) {
  if (g_server != nullptr) g_server->stop();
}

// The connections the server has answered; closed and failed ones are let go.
class Connections {
 public:
  void add(std::shared_ptr<net::PeerConnectionHandle> handle) {
    std::lock_guard lock(mutex_);
    std::erase_if(handles_, [](const auto& h) {
      const auto state = h->connection_state();
      return state == pc::PeerConnectionState::kClosed || state == pc::PeerConnectionState::kFailed;
    });
    handles_.push_back(std::move(handle));
  }
  void clear() {
    std::lock_guard lock(mutex_);
    handles_.clear();
  }

 private:
  std::mutex mutex_;
  std::vector<std::shared_ptr<net::PeerConnectionHandle>> handles_;
};

std::string answer_offer(net::Runtime& runtime, Connections& connections, const std::string& body, int& status) {
  auto offer = from_json(body);
  if (!offer || offer->type != pc::SdpType::kOffer) {
    status = 400;
    return offer ? "expected an offer" : offer.error().message;
  }
  // The callbacks echo through the handle, which exists only after they are set.
  auto self = std::make_shared<std::weak_ptr<net::PeerConnectionHandle>>();
  net::Callbacks callbacks;
  callbacks.on_message = [self](pc::ChannelHandle channel, bool binary, base::Buffer data) {
    if (auto handle = self->lock()) (void)handle->send(channel, data, binary);
  };
  // Media comes back on our own SSRCs, and a key frame request for what we send goes on
  // to the client, whose frames we forward.
  callbacks.on_rtp = [self](pc::TransceiverHandle transceiver, base::Buffer bytes) {
    auto handle = self->lock();
    auto packet = media::RtpPacket::parse(bytes);
    if (handle && packet) (void)handle->send_rtp(transceiver, packet->payload(), packet->timestamp(), packet->marker());
  };
  callbacks.on_key_frame_request = [self](pc::TransceiverHandle transceiver) {
    if (auto handle = self->lock()) (void)handle->request_key_frame(transceiver);
  };
  callbacks.on_connection_state_change = [](pc::PeerConnectionState state, const std::string& reason) {
    std::printf("connection %s%s%s\n", std::string(pc::to_string(state)).c_str(), reason.empty() ? "" : ": ",
                reason.c_str());
    std::fflush(stdout);
  };
  auto handle = runtime.create_peer_connection({}, callbacks);
  if (!handle) {
    status = 500;
    return handle.error().message;
  }
  *self = *handle;
  auto answered = [&]() -> base::Result<pc::SessionDescription> {
    // One sending transceiver per offered audio or video section, so the answer echoes.
    if (auto parsed = sdp::SessionDescription::parse(offer->sdp)) {
      for (const auto& section : parsed->media) {
        if (section.media_line.port == 0) continue;
        if (section.media_line.media == "audio") (void)(*handle)->add_transceiver(pc::MediaKind::kAudio);
        if (section.media_line.media == "video") (void)(*handle)->add_transceiver(pc::MediaKind::kVideo);
      }
    }
    if (auto set = (*handle)->set_remote_description(*offer); !set) return set.error();
    auto answer = (*handle)->create_answer();
    if (!answer) return answer.error();
    if (auto set = (*handle)->set_local_description(*answer); !set) return set.error();
    // Non-trickle: the answer carries every candidate (host candidates come at once).
    for (int i = 0; i < 200 && (*handle)->ice_gathering_state() != ice::GatheringState::kComplete; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return *(*handle)->local_description();
  }();
  if (!answered) {
    status = 400;
    return answered.error().message;
  }
  connections.add(*handle);
  status = 200;
  return to_json(*answered);
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
  }
  auto runtime = net::Runtime::create(runtime_options);
  if (!runtime) {
    std::fprintf(stderr, "rtc-echo: %s\n", runtime.error().message.c_str());
    return 1;
  }
  Connections connections;
  httplib::Server server;
  server.set_default_headers({{"Access-Control-Allow-Origin", "*"},
                              {"Access-Control-Allow-Methods", "POST, GET, OPTIONS"},
                              {"Access-Control-Allow-Headers", "Content-Type"}});
  server.Options("/offer", [](const httplib::Request&, httplib::Response& response) { response.status = 204; });
  server.Post("/offer", [&](const httplib::Request& request, httplib::Response& response) {
    int status = 500;
    const std::string body = answer_offer(**runtime, connections, request.body, status);
    response.status = status;
    response.set_content(body, status == 200 ? "application/json" : "text/plain");
  });
  server.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(std::string(kPage), "text/html; charset=utf-8");
  });
  // Port 0: the kernel picks one, and the line below says which (scripts read it).
  const int port = options.port == 0 ? server.bind_to_any_port(options.host)
                                     : (server.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port < 0) {
    std::fprintf(stderr, "rtc-echo: cannot listen on %s:%u\n", options.host.c_str(), options.port);
    return 1;
  }
  g_server = &server;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::printf("rtc-echo server: http://%s:%d/ (POST /offer; each connection gets its own UDP sockets)\n",
              options.host.c_str(), port);
  std::fflush(stdout);
  server.listen_after_bind();
  g_server = nullptr;
  connections.clear();
  return 0;
}

}  // namespace rtcstack::echo
