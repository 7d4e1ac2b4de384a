// The ceiling for bench/sctp_bench.cpp: bare usrsctp, two AF_CONN sockets in one process
// passing packets directly, 64 KiB messages on one reliable ordered stream, with the same
// buffer sizes and checksum offload as lib/sctp. Its own program, because usrsctp's
// packet callback is process-global and lib/sctp owns it wherever an Association lives.
#include <benchmark/benchmark.h>
#include <usrsctp.h>

#include <arpa/inet.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <vector>

namespace {

struct Endpoint {
  struct socket* socket = nullptr;
  std::deque<std::vector<std::uint8_t>> inbox;  // packets addressed to this endpoint
};
Endpoint g_endpoints[2];

int on_output(void* address, void* data, std::size_t length, std::uint8_t, std::uint8_t) {
  // Each socket is bound and connected to its own address (as lib/sctp does), so
  // `address` names the sender; the packet goes to the other one.
  auto* to = static_cast<Endpoint*>(address) == &g_endpoints[0] ? &g_endpoints[1] : &g_endpoints[0];
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  to->inbox.emplace_back(bytes, bytes + length);
  return 0;
}

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

sockaddr_conn address_of(Endpoint& endpoint) {
  sockaddr_conn address{};
  address.sconn_family = AF_CONN;
  address.sconn_port = htons(5000);
  address.sconn_addr = &endpoint;
  return address;
}

struct Stack {
  Stack() {
    usrsctp_init_nothreads(0, &on_output, nullptr);
    usrsctp_enable_crc32c_offload();
    usrsctp_sysctl_set_sctp_ecn_enable(0);
    usrsctp_sysctl_set_sctp_max_chunks_on_queue(16 * 1024);
    usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);
    last = now_ms();
  }
  std::uint64_t last;
  std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(64 * 1024);

  // Runs timers, delivers queued packets, reads what arrived; returns bytes read at b.
  std::size_t pump() {
    const std::uint64_t now = now_ms();
    if (now > last) {
      usrsctp_handle_timers(static_cast<std::uint32_t>(now - last));
      last = now;
    }
    std::size_t read = 0;
    for (int i = 0; i < 2; ++i) {
      Endpoint& endpoint = g_endpoints[i];
      while (!endpoint.inbox.empty()) {
        const std::vector<std::uint8_t> packet = std::move(endpoint.inbox.front());
        endpoint.inbox.pop_front();
        usrsctp_conninput(&endpoint, packet.data(), packet.size(), 0);
      }
      for (;;) {
        sctp_rcvinfo info{};
        socklen_t info_size = sizeof info;
        unsigned int info_type = 0;
        int flags = 0;
        const ssize_t size = usrsctp_recvv(endpoint.socket, buffer.data(), buffer.size(), nullptr, nullptr, &info,
                                           &info_size, &info_type, &flags);
        if (size <= 0) break;
        if (i == 1 && (flags & MSG_NOTIFICATION) == 0) read += static_cast<std::size_t>(size);
      }
    }
    return read;
  }
};

void usrsctp_ceiling_throughput(benchmark::State& state) {
  static Stack stack;
  for (Endpoint& endpoint : g_endpoints) {
    usrsctp_register_address(&endpoint);
    endpoint.socket = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
    usrsctp_set_non_blocking(endpoint.socket, 1);
    const int on = 1, receive = 1024 * 1024, send = 5 * 1024 * 1024;
    const linger abort_on_close{1, 0};  // each run starts afresh, as lib/sctp's destructor does
    usrsctp_setsockopt(endpoint.socket, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    usrsctp_setsockopt(endpoint.socket, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on);
    usrsctp_setsockopt(endpoint.socket, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on);
    usrsctp_setsockopt(endpoint.socket, SOL_SOCKET, SO_RCVBUF, &receive, sizeof receive);
    usrsctp_setsockopt(endpoint.socket, SOL_SOCKET, SO_SNDBUF, &send, sizeof send);
    sctp_paddrparams path{};
    path.spp_flags = SPP_PMTUD_DISABLE;
    path.spp_pathmtu = 1163 - 12;  // as lib/sctp: the DTLS record must fit 1200 bytes
    usrsctp_setsockopt(endpoint.socket, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &path, sizeof path);
    sockaddr_conn local = address_of(endpoint);
    usrsctp_bind(endpoint.socket, reinterpret_cast<sockaddr*>(&local), sizeof local);
  }
  for (int i = 0; i < 2; ++i) {
    sockaddr_conn remote = address_of(g_endpoints[i]);
    usrsctp_connect(g_endpoints[i].socket, reinterpret_cast<sockaddr*>(&remote), sizeof remote);
  }
  std::size_t received = 0;
  for (int i = 0; i < 1000; ++i) received += stack.pump();

  const std::vector<std::uint8_t> message(64 * 1024, 0x5a);
  sctp_sendv_spa info{};
  info.sendv_flags = SCTP_SEND_SNDINFO_VALID;
  info.sendv_sndinfo.snd_ppid = htonl(53);
  std::size_t sent = 0;
  for (auto _ : state) {
    while (usrsctp_sendv(g_endpoints[0].socket, message.data(), message.size(), nullptr, 0, &info, sizeof info,
                         SCTP_SENDV_SPA, 0) < 0) {
      if (errno != EWOULDBLOCK && errno != EAGAIN) {
        state.SkipWithError(("usrsctp_sendv failed: " + std::string(std::strerror(errno))).c_str());
        return;
      }
      received += stack.pump();
    }
    sent += message.size();
    while (sent - received > 2 * 1024 * 1024) received += stack.pump();
  }
  while (received < sent) received += stack.pump();
  for (Endpoint& endpoint : g_endpoints) {
    usrsctp_close(endpoint.socket);
    usrsctp_deregister_address(&endpoint);
    endpoint.inbox.clear();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(sent));
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(usrsctp_ceiling_throughput)->Unit(benchmark::kMicrosecond)->MinTime(2.0);
