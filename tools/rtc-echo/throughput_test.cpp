// Echo test type 4, throughput: 16 MiB in 64 KiB binary messages on one reliable ordered
// channel, at most 2 MiB sent and not yet echoed at a time (what the server buffers stays
// bounded), every echo compared with the message sent in its place; the CRC-32 of all that
// came back must be that of all that was sent. The verdict gives the echo rate in MB/s
// (16 MiB each way) from the first message sent to the last echo.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/crc32.h"
#include "client_test.h"

namespace rtcstack::echo {
namespace {

constexpr std::size_t kMessageSize = 64 * 1024;
constexpr std::size_t kMessages = 256;  // 16 MiB
constexpr std::size_t kMaxUnechoed = 2 * 1024 * 1024;

// Message `index`: bytes of a xorshift sequence seeded by the index, so that a message
// out of place or corrupted differs from what is expected there.
void fill_message(std::size_t index, std::vector<std::uint8_t>& out) {
  std::uint32_t state = static_cast<std::uint32_t>(index) * 2654435761u + 1;
  for (std::uint8_t& byte : out) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    byte = static_cast<std::uint8_t>(state);
  }
}

class ThroughputTest final : public ChannelClientTest {
 public:
  explicit ThroughputTest(Outcome& outcome) : ChannelClientTest(outcome, "rtc-echo-throughput") {}

  void on_message(pc::ChannelHandle channel, bool binary, base::Buffer data) override {
    // Judged under the test's lock, reported after it: the two locks are never held together.
    std::string failure;
    bool done = false, same = false;
    double seconds = 0;
    std::uint32_t crc = 0;
    {
      std::lock_guard lock(mutex_);
      if (channel != channel_) return;
      fill_message(echoed_, expected_);
      if (!binary || echoed_ >= sent_ || !base::bytes_equal(data, expected_)) {
        failure = "echo " + std::to_string(echoed_) + " is not the message sent in its place";
      } else {
        crc = received_crc_ = base::crc32(data, received_crc_);
        done = ++echoed_ == kMessages;
        same = received_crc_ == sent_crc_;
        seconds = std::chrono::duration<double>(Clock::now() - *first_sent_).count();
      }
    }
    if (!failure.empty()) {
      outcome_.finish(false, failure);
    } else if (done) {
      const double mb = static_cast<double>(kMessages * kMessageSize) / 1e6;
      char line[200];
      std::snprintf(line, sizeof line, "16 MiB echoed in %.2f s: %.1f MB/s each way, CRC-32 %08x %s", seconds,
                    mb / seconds, crc, same ? "as sent" : "differs from what was sent");
      outcome_.finish(same, line);
    }
  }

  // Sends while less than kMaxUnechoed is in flight.
  void tick(Clock::time_point now) override {
    std::shared_ptr<net::PeerConnectionHandle> connection;
    {
      std::lock_guard lock(mutex_);
      if (!open_ || sent_ == kMessages) return;
      connection = connection_.lock();
    }
    if (!connection) return;
    std::string failure;
    for (;;) {
      std::lock_guard lock(mutex_);
      if (sent_ == kMessages || (sent_ - echoed_) * kMessageSize >= kMaxUnechoed) return;
      fill_message(sent_, message_);
      if (auto sent = connection->send(channel_, message_, true); !sent) {
        failure = "send failed: " + sent.error().message;
        break;
      }
      if (!first_sent_) first_sent_ = now;
      sent_crc_ = base::crc32(message_, sent_crc_);
      ++sent_;
    }
    outcome_.finish(false, failure);
  }

  std::string progress() const override {
    std::lock_guard lock(mutex_);
    return "; " + std::to_string(echoed_) + " of " + std::to_string(kMessages) + " messages of 64 KiB echoed, " +
           std::to_string(sent_) + " sent";
  }

 private:
  std::size_t sent_ = 0, echoed_ = 0;  // these under mutex_
  std::uint32_t sent_crc_ = 0, received_crc_ = 0;
  std::optional<Clock::time_point> first_sent_;
  std::vector<std::uint8_t> message_ = std::vector<std::uint8_t>(kMessageSize);
  std::vector<std::uint8_t> expected_ = std::vector<std::uint8_t>(kMessageSize);
};

}  // namespace

std::unique_ptr<ClientTest> make_throughput_test(Outcome& outcome) { return std::make_unique<ThroughputTest>(outcome); }

}  // namespace rtcstack::echo
