// Echo test type 5, wrong fingerprint: the offer posted names a certificate that is not
// ours (the last digit of our a=fingerprint changed), while the DTLS handshake presents our
// real one. A server that checks the certificate against the SDP (RFC 8122 §5, RFC 5763
// §5) must end the session: the test passes when DTLS fails before the connection ever
// connects (the server aborted the handshake), or within a second of connecting (a server
// that refuses after its handshake completed and says so with an alert, as rtcstack does);
// it fails when the connection stays up, or fails in ICE before DTLS could tell.
#include <mutex>
#include <optional>
#include <string>

#include "client_test.h"

namespace rtcstack::echo {
namespace {

// How long a connection may last before the server's silence counts as acceptance.
constexpr auto kRefusalWindow = std::chrono::seconds(1);

class WrongFingerprintTest final : public ClientTest {
 public:
  using ClientTest::ClientTest;

  base::Result<void> prepare(std::shared_ptr<net::PeerConnectionHandle> connection) override {
    // The data section gives DTLS something to carry; the channel itself is not used.
    if (auto added = add_channel(*connection, "rtc-echo-fingerprint"); !added) return added.error();
    return {};
  }

  std::string offer_to_post(std::string sdp) const override {
    // Every a=fingerprint line gets another last hex digit: still well-formed, never ours.
    for (std::size_t at = sdp.find("a=fingerprint:"); at != std::string::npos; at = sdp.find("a=fingerprint:", at + 1)) {
      const std::size_t end = sdp.find_first_of("\r\n", at);
      if (end == std::string::npos || end == 0) break;
      char& digit = sdp[end - 1];
      digit = digit == '0' ? '1' : '0';
    }
    return sdp;
  }

  void on_connected() override {
    std::lock_guard lock(mutex_);
    connected_at_ = Clock::now();
  }

  void on_failed(const std::string& reason) override {
    std::optional<Clock::time_point> connected;
    {
      std::lock_guard lock(mutex_);
      connected = connected_at_;
    }
    if (connected && Clock::now() - *connected > kRefusalWindow) {
      outcome_.finish(false, "the connection failed only after it had been up: " + reason);
      return;
    }
    // Refused in DTLS, not lost to ICE or a timeout before the handshake could tell.
    if (reason.find("DTLS") == std::string::npos) {
      outcome_.finish(false, "the connection failed before DTLS could refuse anything: " + reason);
      return;
    }
    outcome_.finish(true, std::string("the server refused a certificate that does not match the offer's fingerprint") +
                              (connected ? " (after its handshake)" : "") + ": " + reason);
  }

  void tick(Clock::time_point now) override {
    bool accepted = false;
    {
      std::lock_guard lock(mutex_);
      accepted = connected_at_ && now - *connected_at_ > kRefusalWindow;
    }
    if (accepted) {
      outcome_.finish(false, "the connection stayed up with a certificate that does not match the offer's fingerprint "
                             "(the server took it, or refused it without a word)");
    }
  }

 private:
  std::mutex mutex_;  // never held with the outcome's
  std::optional<Clock::time_point> connected_at_;
};

}  // namespace

std::unique_ptr<ClientTest> make_wrong_fingerprint_test(Outcome& outcome) {
  return std::make_unique<WrongFingerprintTest>(outcome);
}

}  // namespace rtcstack::echo
