// Echo test type 6, garbage during a session: once the channel is open, a text message goes
// out every 20 ms for two seconds while a socket of the test's own sprays every UDP
// candidate of the server's answer with datagrams that are not the session's - random
// bytes, truncated and forged STUN, DTLS records of every epoch, RTP and RTCP headers over
// noise, empty and full-size datagrams: 4000 of them. The test passes when every message
// came back as sent, in order, nothing came back that was not sent, and the connection is
// still connected at the end. (The spray comes from another port than the session's, as
// an attacker's would: the server must drop it before it reaches the session.)
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "client_test.h"
#include "net/sockaddr.h"
#include "sdp/session_description.h"

namespace rtcstack::echo {
namespace {

constexpr int kMessages = 100;  // one every 20 ms: two seconds
constexpr int kSprayed = 4000;

// One garbage datagram of kind `index % 6`, its bytes from `random`.
std::vector<std::uint8_t> garbage(int index, std::mt19937& random) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::uint8_t> out(std::uniform_int_distribution<std::size_t>(0, 1500)(random));
  for (auto& b : out) b = static_cast<std::uint8_t>(byte(random));
  switch (index % 6) {
    case 0: break;  // noise
    case 1:  // a STUN Binding request header with the magic cookie, its length a lie
      out.resize(std::max<std::size_t>(out.size(), 20));
      out[0] = 0x00, out[1] = 0x01, out[4] = 0x21, out[5] = 0x12, out[6] = 0xa4, out[7] = 0x42;
      break;
    case 2:  // DTLS records: handshake, alert or application data, any epoch
      out.resize(std::max<std::size_t>(out.size(), 13));
      out[0] = static_cast<std::uint8_t>(21 + index % 3), out[1] = 0xfe, out[2] = 0xfd;
      break;
    case 3:  // RTP over noise (RFC 7983: first byte 128-191)
      out.resize(std::max<std::size_t>(out.size(), 12));
      out[0] = 0x80, out[1] = 96;
      break;
    case 4:  // RTCP over noise
      out.resize(std::max<std::size_t>(out.size(), 8));
      out[0] = 0x81, out[1] = 200;
      break;
    case 5:  // the extremes
      out.resize(index % 12 == 5 ? 0 : 1500);
      break;
  }
  return out;
}

class SprayTest final : public ChannelClientTest {
 public:
  explicit SprayTest(Outcome& outcome) : ChannelClientTest(outcome, "rtc-echo-spray") {}
  ~SprayTest() override {
    if (socket_ >= 0) ::close(socket_);
  }

  void on_message(pc::ChannelHandle, bool binary, base::Buffer data) override {
    std::string failure;
    bool done = false;
    {
      std::lock_guard lock(mutex_);
      const std::string expected = message(echoed_);
      if (binary || echoed_ >= sent_ || base::as_string_view(data) != expected) {
        failure = "echo " + std::to_string(echoed_) + " is not the message sent in its place";
      } else {
        done = ++echoed_ == kMessages && sprayed_ == kSprayed;
      }
    }
    if (!failure.empty()) outcome_.finish(false, failure);
    if (done) judge();
  }

  void tick(Clock::time_point now) override {
    std::shared_ptr<net::PeerConnectionHandle> connection;
    {
      std::lock_guard lock(mutex_);
      if (!open_) return;
      connection = connection_.lock();
    }
    if (!connection) return;
    if (!targets_) targets_ = server_candidates(*connection);
    if (!started_) started_ = now;
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - *started_).count();
    // Messages on their schedule; the spray spread over the same two seconds.
    std::string failure;
    bool done = false;
    {
      std::lock_guard lock(mutex_);
      while (sent_ < kMessages && sent_ * 20 <= elapsed) {
        if (auto sent = connection->send(channel_, message(sent_)); !sent) {
          failure = "send failed: " + sent.error().message;
          break;
        }
        ++sent_;
      }
      const int due = static_cast<int>(std::min<long long>(kSprayed, elapsed * kSprayed / (kMessages * 20) + 1));
      while (sprayed_ < due) spray(sprayed_++);
      done = echoed_ == kMessages && sprayed_ == kSprayed;
    }
    if (!failure.empty()) outcome_.finish(false, failure);
    if (targets_->empty()) outcome_.finish(false, "the answer names no UDP candidate to spray");
    if (done) judge();
  }

  std::string progress() const override {
    std::lock_guard lock(mutex_);
    return "; " + std::to_string(echoed_) + " of " + std::to_string(kMessages) + " messages echoed, " +
           std::to_string(sprayed_) + " garbage datagrams sprayed";
  }

 private:
  static std::string message(int index) { return "rtc-echo spray " + std::to_string(index); }

  // The UDP candidates of the server's answer.
  static std::vector<base::SocketAddress> server_candidates(net::PeerConnectionHandle& connection) {
    std::vector<base::SocketAddress> targets;
    const auto answer = connection.remote_description();
    if (!answer) return targets;
    const auto parsed = sdp::SessionDescription::parse(answer->sdp);
    if (!parsed) return targets;
    for (const auto& section : parsed->media) {
      for (const sdp::Candidate& candidate : section.candidates()) {
        auto ip = base::IpAddress::parse(candidate.address);
        if (candidate.transport == sdp::CandidateTransport::kUdp && ip) targets.emplace_back(*ip, candidate.port);
      }
    }
    return targets;
  }

  void spray(int index) {
    if (targets_->empty()) return;
    const base::SocketAddress& target = (*targets_)[static_cast<std::size_t>(index) % targets_->size()];
    if (socket_ < 0) socket_ = ::socket(target.family() == base::AddressFamily::kIPv4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_storage address{};
    const socklen_t length = net::to_sockaddr(target, address);
    const std::vector<std::uint8_t> datagram = garbage(index, random_);
    (void)::sendto(socket_, datagram.data(), datagram.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&address), length);
  }

  void judge() {
    auto connection = connection_.lock();
    const bool up = connection && connection->connection_state() == pc::PeerConnectionState::kConnected;
    outcome_.finish(up, up ? std::to_string(kMessages) + " messages echoed as sent while " + std::to_string(kSprayed) +
                                 " garbage datagrams hit the server's candidates; still connected"
                           : "the connection did not survive the garbage");
  }

  int sent_ = 0, echoed_ = 0, sprayed_ = 0;  // under mutex_
  // Main thread only.
  std::optional<std::vector<base::SocketAddress>> targets_;
  std::optional<Clock::time_point> started_;
  std::mt19937 random_{6};
  int socket_ = -1;
};

}  // namespace

std::unique_ptr<ClientTest> make_spray_test(Outcome& outcome) { return std::make_unique<SprayTest>(outcome); }

}  // namespace rtcstack::echo
