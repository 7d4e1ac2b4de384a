// lib/dtls against an independent DTLS implementation: the openssl command-line tool
// (s_server and s_client from Debian's openssl package), over loopback UDP, in both roles.
// The test starts the tool itself and ends it by closing its standard input.
#include <catch2/catch.hpp>

#include <openssl/pem.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "dtls/endpoint.h"
#include "interop_env.h"
#include "udp_socket.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;
using testing::UdpSocket;

namespace {

Instant now() { return testing::wall_now(); }

// An openssl process with our end of its stdin and stdout.
class OpensslTool {
 public:
  explicit OpensslTool(std::vector<std::string> args) {
    int in[2];
    int out[2];
    REQUIRE(pipe(in) == 0);
    REQUIRE(pipe(out) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      dup2(out[1], 2);
      close(in[1]);
      close(out[0]);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>("openssl"));
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execvp("openssl", argv.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }
  ~OpensslTool() {
    close(stdin_);  // both tools exit when their input closes
    int status = 0;
    for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(20'000);
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, &status, 0);
    }
    close(stdout_);
  }
  void write_line(const std::string& line) { (void)!::write(stdin_, line.data(), line.size()); }
  // Everything the tool printed so far (non-blocking).
  std::string output() {
    std::string text;
    char buffer[4096];
    fd_set set;
    timeval zero{};
    while (true) {
      FD_ZERO(&set);
      FD_SET(stdout_, &set);
      if (select(stdout_ + 1, &set, nullptr, nullptr, &zero) <= 0) break;
      const ssize_t n = read(stdout_, buffer, sizeof buffer);
      if (n <= 0) break;
      text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
};

// PEM files of a certificate, for the openssl tool.
struct PemFiles {
  explicit PemFiles(const dtls::Certificate& certificate) {
    char dir_template[] = "/tmp/rtcstack-dtls-XXXXXX";
    dir = mkdtemp(dir_template);
    cert = dir + "/cert.pem";
    key = dir + "/key.pem";
    FILE* c = std::fopen(cert.c_str(), "w");
    PEM_write_X509(c, certificate.x509());
    std::fclose(c);
    FILE* k = std::fopen(key.c_str(), "w");
    PEM_write_PrivateKey(k, certificate.key(), nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(k);
  }
  ~PemFiles() {
    std::remove(cert.c_str());
    std::remove(key.c_str());
    rmdir(dir.c_str());
  }
  std::string dir, cert, key;
};

// Runs the endpoint on `socket` against `peer` until connected, failed or 20 s pass (a
// loaded machine may take seconds to start the openssl tool; DTLS retransmits meanwhile).
void run(dtls::Endpoint& endpoint, UdpSocket& socket, base::SocketAddress& peer, std::vector<std::string>& received,
         bool learn_peer, std::function<bool()> done) {
  const Instant deadline = now() + Duration::seconds(20);
  Instant timeout = Instant::max();
  while (!done() && now() < deadline && endpoint.state() != dtls::State::kFailed) {
    while (true) {
      dtls::Output output = endpoint.poll_output();
      if (auto* t = std::get_if<dtls::Timeout>(&output)) {
        timeout = t->at;
        break;
      }
      if (auto* d = std::get_if<dtls::Datagram>(&output)) {
        socket.send_to(peer, d->bytes);
      } else if (auto* a = std::get_if<dtls::ApplicationDataEvent>(&std::get<dtls::Event>(output))) {
        received.emplace_back(base::as_string_view(a->data));
      }
    }
    if (auto datagram = socket.receive(Duration::milliseconds(10))) {
      if (learn_peer) peer = datagram->from;
      endpoint.handle_receive(now(), datagram->bytes);
    }
    if (now() >= timeout) endpoint.handle_timeout(now());
  }
}

std::uint16_t free_udp_port() {
  UdpSocket probe;
  return probe.local().port();
}

// s_server on a free port, once it says it has bound it ("ACCEPT"). Guessing with a
// fixed sleep failed on a loaded machine: the tool was not yet listening, and a port
// probed free may be taken before the tool binds it, so that case tries another port.
std::unique_ptr<OpensslTool> start_server(const std::vector<std::string>& options, std::uint16_t& port) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    port = free_udp_port();
    std::vector<std::string> args = {"s_server", "-dtls1_2", "-accept", std::to_string(port)};
    args.insert(args.end(), options.begin(), options.end());
    auto server = std::make_unique<OpensslTool>(args);
    std::string printed;
    for (const Instant deadline = now() + Duration::seconds(20); now() < deadline; usleep(10'000)) {
      printed += server->output();
      if (printed.find("ACCEPT") != std::string::npos) return server;
      if (printed.find("rror") != std::string::npos) break;  // "bind: ... error": another port
    }
    INFO("s_server said: " << printed);
  }
  FAIL("openssl s_server did not start listening");
  return nullptr;
}

}  // namespace

// Each AEAD suite our record layer takes over from OpenSSL after the handshake.
#define AEAD_SUITE() \
  GENERATE(as<const char*>{}, "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", \
           "ECDHE-ECDSA-CHACHA20-POLY1305")

TEST_CASE("our DTLS client completes a DTLS-SRTP handshake with openssl s_server", "[interop][dtls]") {
  const char* suite = AEAD_SUITE();
  INFO(suite);
  const auto ours = *dtls::Certificate::generate();
  const auto theirs = *dtls::Certificate::generate();
  PemFiles files(*theirs);
  std::uint16_t port = 0;
  auto server = start_server({"-cert", files.cert, "-key", files.key, "-use_srtp", "SRTP_AES128_CM_SHA1_80", "-verify",
                              "1", "-cipher", suite},
                             port);
  dtls::Config config;
  config.role = dtls::Role::kClient;
  config.certificate = ours;
  config.remote_fingerprint = *theirs->fingerprint();
  dtls::Endpoint endpoint(config);
  UdpSocket socket;
  base::SocketAddress peer(base::IpAddress::v4(127, 0, 0, 1), port);
  std::vector<std::string> received;
  endpoint.start(now());
  run(endpoint, socket, peer, received, false, [&] { return endpoint.state() == dtls::State::kConnected; });
  REQUIRE(endpoint.state() == dtls::State::kConnected);
  CHECK(endpoint.srtp_profile() == dtls::SrtpProfile::kAes128CmSha1_80);
  REQUIRE(endpoint.send(base::as_bytes("hello from rtcstack\n")).ok());
  server->write_line("hello from openssl\n");
  std::string printed;
  run(endpoint, socket, peer, received, false, [&] {
    printed += server->output();
    return !received.empty() && printed.find("hello from rtcstack") != std::string::npos;
  });
  CHECK(printed.find("hello from rtcstack") != std::string::npos);
  REQUIRE_FALSE(received.empty());
  CHECK(received[0] == "hello from openssl\n");
}

TEST_CASE("openssl s_client completes a DTLS-SRTP handshake with our DTLS server", "[interop][dtls]") {
  const char* suite = AEAD_SUITE();
  INFO(suite);
  const auto ours = *dtls::Certificate::generate();
  const auto theirs = *dtls::Certificate::generate(dtls::KeyType::kRsa2048);
  PemFiles files(*theirs);
  dtls::Config config;
  config.role = dtls::Role::kServer;
  config.certificate = ours;
  config.remote_fingerprint = *theirs->fingerprint();
  dtls::Endpoint endpoint(config);
  UdpSocket socket;
  OpensslTool client({"s_client", "-dtls1_2", "-connect", socket.local().to_string(), "-cert", files.cert, "-key",
                      files.key, "-use_srtp", "SRTP_AEAD_AES_128_GCM", "-cipher", suite});
  base::SocketAddress peer;
  std::vector<std::string> received;
  run(endpoint, socket, peer, received, true, [&] { return endpoint.state() == dtls::State::kConnected; });
  REQUIRE(endpoint.state() == dtls::State::kConnected);
  CHECK(endpoint.srtp_profile() == dtls::SrtpProfile::kAeadAes128Gcm);
  client.write_line("ping from openssl\n");
  run(endpoint, socket, peer, received, true, [&] { return !received.empty(); });
  REQUIRE_FALSE(received.empty());
  CHECK(received[0] == "ping from openssl\n");
  // And back: s_client prints what our record layer sealed.
  REQUIRE(endpoint.send(base::as_bytes("pong from rtcstack\n")).ok());
  std::string printed;
  run(endpoint, socket, peer, received, true, [&] {
    printed += client.output();
    return printed.find("pong from rtcstack") != std::string::npos;
  });
  CHECK(printed.find("pong from rtcstack") != std::string::npos);
}
