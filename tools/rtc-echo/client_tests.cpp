// The echo test types of rtc-echo client (client_test.h): 0 connects, 1 echoes a text
// message, 2 sends synthetic audio and video and decodes what comes back, 3 streams
// messages of every size over a reliable, an unreliable and a time-limited channel; 4, 5
// and 6 have files of their own.
#include <algorithm>
#include <map>
#include <vector>

#include "client_test.h"
#include "media_echo.h"
#include "stress.h"

namespace rtcstack::echo {
namespace {

// Type 0: a connection (ICE and DTLS) is the whole test.
class ConnectTest final : public ClientTest {
 public:
  using ClientTest::ClientTest;
  base::Result<void> prepare(std::shared_ptr<net::PeerConnectionHandle> connection) override {
    // The data section; the channel itself is not used.
    if (auto added = add_channel(*connection, "rtc-echo-connect"); !added) return added.error();
    return {};
  }
  void on_connected() override { outcome_.finish(true, "DTLS connected"); }
};

// Type 1: one text message comes back as it was sent.
class ChannelEchoTest final : public ClientTest {
 public:
  using ClientTest::ClientTest;
  base::Result<void> prepare(std::shared_ptr<net::PeerConnectionHandle> connection) override {
    if (auto added = add_channel(*connection, "rtc-echo"); !added) return added.error();
    return {};
  }
  void on_channel_open(net::PeerConnectionHandle& connection, pc::ChannelHandle channel) override {
    (void)connection.send(channel, kGreeting);
  }
  void on_message(pc::ChannelHandle, bool binary, base::Buffer data) override {
    const bool same = !binary && base::as_string_view(data) == kGreeting;
    outcome_.finish(same, same ? "echo received" : "the echo differs from what was sent");
  }

 private:
  static constexpr std::string_view kGreeting = "rtc-echo says hello";
};

// Type 2: audio and video paced from the main thread, passed once enough came back decoded.
class MediaTest final : public ClientTest {
 public:
  MediaTest(Outcome& outcome, std::shared_ptr<MediaEcho> media, const MediaChoice& choice)
      : ClientTest(outcome), media_(std::move(media)), choice_(choice) {}
  base::Result<void> prepare(std::shared_ptr<net::PeerConnectionHandle> connection) override {
    if (auto added = add_channel(*connection, "rtc-echo-connect"); !added) return added.error();
    auto video = choice_.simulcast ? connection->add_transceiver(pc::MediaKind::kVideo, {pc::RtpTransceiverDirection::kSendRecv,
                                                                                          simulcast_encodings()})
                                   : connection->add_transceiver(pc::MediaKind::kVideo);
    auto audio = connection->add_transceiver(pc::MediaKind::kAudio);
    if (!video || !audio) return base::Error{base::ErrorCode::kInternal, "no transceivers"};
    if (choice_.video_codec) {
      std::vector<pc::CodecParameters> wanted;
      for (const auto& capability : pc::PeerConnection::codec_capabilities(pc::MediaKind::kVideo)) {
        if (pc::video_codec(capability) == *choice_.video_codec) wanted.push_back(capability);
      }
      if (auto preferred = connection->set_codec_preferences(*video, std::move(wanted)); !preferred) return preferred;
    }
    if (choice_.audio_red) {
      auto audio_codecs = pc::PeerConnection::codec_capabilities(pc::MediaKind::kAudio);
      std::stable_partition(audio_codecs.begin(), audio_codecs.end(), [](const auto& codec) { return codec.name == "red"; });
      if (auto preferred = connection->set_codec_preferences(*audio, std::move(audio_codecs)); !preferred) return preferred;
    }
    media_->attach(connection, *video, *audio);
    connection_ = connection;
    video_ = *video;
    return {};
  }
  void add_callbacks(net::Callbacks& callbacks) override {
    callbacks.on_rtp = [media = media_](pc::TransceiverHandle transceiver, base::Buffer packet, const std::string&) {
      media->on_rtp(transceiver, packet);
    };
    callbacks.on_key_frame_request = [media = media_](pc::TransceiverHandle transceiver, const std::string& rid) {
      media->on_key_frame_request(transceiver, rid);
    };
    callbacks.on_target_bitrate = [media = media_](std::uint64_t bps) { media->on_target_bitrate(bps); };
  }
  void tick(Clock::time_point now) override {
    if (auto ticked = media_->tick(now); !ticked) outcome_.finish(false, "sending media: " + ticked.error().message);
    if (!media_->passed()) return;
    // Asked for RED: the echo must have come back in it, not merely as Opus.
    if (choice_.audio_red && media_->red_packets() == 0) {
      outcome_.finish(false, "the audio came back without RED; " + media_->progress());
      return;
    }
    // Simulcast: the verdict waits until every encoding has sent enough (or time runs out).
    if (choice_.simulcast && !simulcast_missing().empty()) return;
    outcome_.finish(true, media_->progress());
  }
  std::string progress() const override {
    const std::string missing = choice_.simulcast ? simulcast_missing() : std::string();
    return "; " + (missing.empty() ? std::string() : missing + "; ") + media_->progress();
  }

 private:
  // Asked for simulcast: every encoding was taken and has sent as many frames as the echo
  // needs (the server decodes each: the top one starts once the target has room for it),
  // with an outbound-rtp per rid; what is missing, if anything.
  std::string simulcast_missing() const {
    if (const auto fewest = media_->fewest_frames_sent(); fewest < MediaEcho::kFramesWanted) {
      return "an encoding has sent " + std::to_string(fewest) + " frames";
    }
    auto connection = connection_.lock();
    if (!connection) return "the connection is gone";
    const std::size_t taken = connection->send_encodings(video_).size();
    if (taken != simulcast_encodings().size()) {
      return "the answer took " + std::to_string(taken) + " of " + std::to_string(simulcast_encodings().size()) + " encodings";
    }
    std::size_t sending = 0;
    for (const pc::Stats& stats : connection->get_stats()) {
      const auto* packets = stats.get("packetsSent");
      if (stats.type == "outbound-rtp" && stats.get("rid") && packets && std::get<std::uint64_t>(*packets) > 0) ++sending;
    }
    return sending == taken ? std::string() : std::to_string(sending) + " of " + std::to_string(taken) + " encodings sent";
  }

  std::shared_ptr<MediaEcho> media_;
  MediaChoice choice_;
  std::weak_ptr<net::PeerConnectionHandle> connection_;
  pc::TransceiverHandle video_ = 0;
};

// Type 3: every message of every channel echoed byte for byte, in order where ordered.
// Partially reliable channels may lose messages even on loopback (a full socket buffer
// is enough): two seconds after the reliable channel is complete, what came back of them
// is judged - all of it byte-exact (checked on arrival), and some of it there.
class StressTest final : public ClientTest {
 public:
  using ClientTest::ClientTest;
  base::Result<void> prepare(std::shared_ptr<net::PeerConnectionHandle> connection) override;
  void on_channel_open(net::PeerConnectionHandle& connection, pc::ChannelHandle channel) override;
  void on_message(pc::ChannelHandle channel, bool binary, base::Buffer data) override;
  void tick(Clock::time_point now) override;
  std::string progress() const override;

 private:
  struct Channel {
    std::vector<StressMessage> sent;
    std::map<std::pair<std::size_t, bool>, std::size_t> by_key;  // (size, binary) -> index
    std::vector<bool> echoed;
    std::size_t received = 0, next_in_order = 0;
    bool reliable = true, ordered = true;
  };
  /// Judges one echo under the lock; what failed, if anything.
  std::string take_echo(pc::ChannelHandle channel, bool binary, const base::Buffer& data);

  mutable std::mutex mutex_;  // never held with the outcome's
  std::map<pc::ChannelHandle, Channel> channels_;
  std::optional<Clock::time_point> reliable_done_;
};

base::Result<void> StressTest::prepare(std::shared_ptr<net::PeerConnectionHandle> connection) {
  struct Kind {
    const char* label;
    bool ordered;
    std::optional<std::uint16_t> retransmits;
    std::optional<std::uint32_t> lifetime;
  };
  const Kind kinds[] = {{"stress-reliable", true, std::nullopt, std::nullopt},
                        {"stress-unordered-rtx0", false, 0, std::nullopt},
                        {"stress-lifetime", true, std::nullopt, 3000}};
  std::lock_guard lock(mutex_);
  std::uint32_t seed = 1;
  for (const Kind& kind : kinds) {
    pc::DataChannelInit init;
    init.label = kind.label;
    init.ordered = kind.ordered;
    init.max_retransmits = kind.retransmits;
    init.max_packet_lifetime = kind.lifetime;
    auto handle = connection->create_data_channel(init);
    if (!handle) return handle.error();
    Channel& channel = channels_[*handle];
    channel.sent = stress_messages(seed++);
    channel.echoed.assign(channel.sent.size(), false);
    channel.ordered = kind.ordered;
    channel.reliable = !kind.retransmits && !kind.lifetime;
    for (std::size_t i = 0; i < channel.sent.size(); ++i) {
      channel.by_key[{channel.sent[i].bytes.size(), channel.sent[i].binary}] = i;
    }
  }
  return {};
}

void StressTest::on_channel_open(net::PeerConnectionHandle& connection, pc::ChannelHandle channel) {
  std::vector<StressMessage> messages;
  {
    std::lock_guard lock(mutex_);
    messages = channels_[channel].sent;
  }
  for (const StressMessage& message : messages) {
    auto sent = connection.send(channel, message.bytes, message.binary);
    if (!sent) outcome_.finish(false, "send failed: " + sent.error().message);
  }
}

std::string StressTest::take_echo(pc::ChannelHandle handle, bool binary, const base::Buffer& data) {
  Channel& channel = channels_[handle];
  const auto key = channel.by_key.find({data.size(), binary});
  if (key == channel.by_key.end() || !base::bytes_equal(data, channel.sent[key->second].bytes) ||
      channel.echoed[key->second]) {
    return "channel " + std::to_string(handle) + ": an echo matches nothing sent";
  }
  if (channel.ordered && key->second != channel.next_in_order) {
    return "channel " + std::to_string(handle) + ": an echo arrived out of order";
  }
  channel.echoed[key->second] = true;
  channel.next_in_order = key->second + 1;
  ++channel.received;
  return {};
}

void StressTest::on_message(pc::ChannelHandle channel, bool binary, base::Buffer data) {
  // Judged under the table's lock, reported after it: the two locks are never held together.
  std::string failure;
  bool all = true, reliable = true;
  {
    std::lock_guard lock(mutex_);
    failure = take_echo(channel, binary, data);
    for (const auto& [id, other] : channels_) {
      all = all && other.received == other.sent.size();
      if (other.reliable) reliable = reliable && other.received == other.sent.size();
    }
    if (failure.empty() && !all && reliable && !reliable_done_) reliable_done_ = Clock::now();
  }
  if (!failure.empty()) {
    outcome_.finish(false, failure);
  } else if (all) {
    outcome_.finish(true, "every message of every channel echoed byte for byte");
  }
}

void StressTest::tick(Clock::time_point now) {
  std::string counts;
  bool some = true;
  {
    std::lock_guard lock(mutex_);
    if (!reliable_done_ || now - *reliable_done_ <= std::chrono::seconds(2)) return;
    for (const auto& [id, channel] : channels_) {
      counts += " " + std::to_string(channel.received) + "/" + std::to_string(channel.sent.size());
      some = some && channel.received > 0;
    }
  }
  outcome_.finish(some, "echoes byte-exact; received per channel" + counts);
}

std::string StressTest::progress() const {
  std::lock_guard lock(mutex_);
  std::string counts;
  for (const auto& [id, channel] : channels_) {
    counts += "; channel " + std::to_string(id) + " " + std::to_string(channel.received) + "/" +
              std::to_string(channel.sent.size());
  }
  return counts;
}

}  // namespace

base::Result<pc::ChannelHandle> add_channel(net::PeerConnectionHandle& connection, const char* label) {
  pc::DataChannelInit init;
  init.label = label;
  return connection.create_data_channel(init);
}

base::Result<void> ChannelClientTest::prepare(std::shared_ptr<net::PeerConnectionHandle> connection) {
  auto channel = add_channel(*connection, label_);
  if (!channel) return channel.error();
  std::lock_guard lock(mutex_);
  connection_ = connection;
  channel_ = *channel;
  return {};
}

void ChannelClientTest::on_channel_open(net::PeerConnectionHandle&, pc::ChannelHandle channel) {
  std::lock_guard lock(mutex_);
  if (channel == channel_) open_ = true;
}

std::vector<pc::RtpEncodingParameters> simulcast_encodings() {
  // Lower layers capped low, so that the top one has most of a modest target: on a busy
  // machine the scheduling jitter holds the estimate near 500 kbit/s over loopback, and the
  // top layer resumes once the video's share passes 250 kbit/s (split_simulcast).
  return {{"q", true, 50'000, 4.0}, {"h", true, 150'000, 2.0}, {"f", true, 1'000'000, 1.0}};
}

base::Result<std::unique_ptr<ClientTest>> make_client_test(int type, const MediaChoice& media, Outcome& outcome) {
  switch (type) {
    case 0: return std::unique_ptr<ClientTest>(std::make_unique<ConnectTest>(outcome));
    case 1: return std::unique_ptr<ClientTest>(std::make_unique<ChannelEchoTest>(outcome));
    case 2: {
      MediaEchoConfig config;
      if (media.simulcast) {
        config.width = kSimulcastWidth;
        config.height = kSimulcastHeight;
      }
      auto echo = MediaEcho::create(config);
      if (!echo) return echo.error();
      return std::unique_ptr<ClientTest>(std::make_unique<MediaTest>(outcome, std::move(*echo), media));
    }
    case 3: return std::unique_ptr<ClientTest>(std::make_unique<StressTest>(outcome));
    case 4: return make_throughput_test(outcome);
    case 5: return make_wrong_fingerprint_test(outcome);
    case 6: return make_spray_test(outcome);
    default: return base::Error{base::ErrorCode::kUnsupported, "unsupported"};
  }
}

}  // namespace rtcstack::echo
