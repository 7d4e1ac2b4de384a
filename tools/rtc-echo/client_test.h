// rtc-echo client: what each echo test type does on top of the common flow in
// echo_client.cpp (runtime, offer, POST, answer, wait): the channels and transceivers it
// sets up before the offer, what it does as they open and echoes arrive, and how it
// judges. Callbacks run on the runtime's IO thread; tick() and check() on the main one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "media/video_codec.h"
#include "net/runtime.h"

namespace rtcstack::echo {

using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// The verdict, reached on either thread; the first one given stands.
struct Outcome {
  std::mutex mutex;
  std::condition_variable changed;
  bool done = false;
  bool passed = false;
  std::string detail;
  double connected_ms = -1, open_ms = -1;

  void finish(bool ok, std::string why) {
    std::lock_guard lock(mutex);
    if (done) return;
    done = true;
    passed = ok;
    detail = std::move(why);
    changed.notify_all();
  }
};

class ClientTest {
 public:
  explicit ClientTest(Outcome& outcome) : outcome_(outcome) {}
  virtual ~ClientTest() = default;

  /// Channels and transceivers, before the offer so that it carries their sections.
  virtual base::Result<void> prepare(std::shared_ptr<net::PeerConnectionHandle> connection) = 0;
  /// Callbacks the test needs besides the common ones (media).
  virtual void add_callbacks(net::Callbacks&) {}
  virtual void on_connected() {}
  virtual void on_channel_open(net::PeerConnectionHandle&, pc::ChannelHandle) {}
  virtual void on_message(pc::ChannelHandle, bool /*binary*/, base::Buffer) {}
  /// The connection failed (its reason); unless the test expects it, a failure.
  virtual void on_failed(const std::string& reason) { outcome_.finish(false, "connection failed: " + reason); }
  /// The offer as posted: the one set as the local description, unless the test makes the
  /// server see another.
  virtual std::string offer_to_post(std::string sdp) const { return sdp; }
  /// Every few milliseconds from the main thread once connected, until a verdict.
  virtual void tick(Clock::time_point) {}
  /// What came back so far, for a verdict of timing out.
  virtual std::string progress() const { return {}; }

 protected:
  Outcome& outcome_;
};

/// A test on one data channel of its own, made before the offer: it keeps the connection,
/// the channel and whether it is open, under its lock (never held with the outcome's).
class ChannelClientTest : public ClientTest {
 public:
  ChannelClientTest(Outcome& outcome, const char* label) : ClientTest(outcome), label_(label) {}
  base::Result<void> prepare(std::shared_ptr<net::PeerConnectionHandle> connection) override;
  void on_channel_open(net::PeerConnectionHandle& connection, pc::ChannelHandle channel) override;

 protected:
  mutable std::mutex mutex_;
  std::weak_ptr<net::PeerConnectionHandle> connection_;
  pc::ChannelHandle channel_ = 0;
  bool open_ = false;

 private:
  const char* label_;
};

/// What type 2 offers: only `video_codec` (setCodecPreferences; nothing: every codec
/// rtcstack has), with `audio_red` RED before Opus, so that audio goes in RED, and with
/// `simulcast` video in three encodings (kSimulcast), which the answer must all take.
struct MediaChoice {
  std::optional<media::VideoCodec> video_codec;
  bool audio_red = false;
  bool simulcast = false;
};

/// The simulcast of `rtc-echo client --simulcast`, as browsers are usually set up: a
/// 640x480 picture sent whole ("f"), halved ("h") and quartered ("q"), lowest first, each
/// with a maximum bitrate for its size.
std::vector<pc::RtpEncodingParameters> simulcast_encodings();
inline constexpr int kSimulcastWidth = 640, kSimulcastHeight = 480;

/// The test of `type` (0-6); kUnsupported for another number.
base::Result<std::unique_ptr<ClientTest>> make_client_test(int type, const MediaChoice& media, Outcome& outcome);

/// Type 4 (throughput_test.cpp), type 5 (fingerprint_test.cpp) and type 6 (spray_test.cpp).
std::unique_ptr<ClientTest> make_throughput_test(Outcome& outcome);
std::unique_ptr<ClientTest> make_wrong_fingerprint_test(Outcome& outcome);
std::unique_ptr<ClientTest> make_spray_test(Outcome& outcome);
/// A channel of `label` before the offer, so that the offer carries the data section.
base::Result<pc::ChannelHandle> add_channel(net::PeerConnectionHandle& connection, const char* label);

}  // namespace rtcstack::echo
