// rtc-echo server --decode-media: what a client sends is read here as well as echoed, so
// that a test knows rtcstack understood what a browser encoded, not only that the browser
// rendered what came back. Each video transceiver gets a receiver for the codec its
// packets' payload type names - a simulcast one, a receiver per layer; after 30 frames one
// line says "video: 30 frames of CODEC decoded (WxH)", or
// "video rid=RID: 30 frames of CODEC decoded (WxH)" for a layer. Audio in RED (RFC 2198) is parsed block by
// block, the primary checked as Opus; after 50 packets: "audio: 50 packets of Opus in RED".
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "media/rtp_packet.h"
#include "media/video_receiver.h"
#include "net/runtime.h"

namespace rtcstack::echo {

class MediaCheck {
 public:
  static constexpr std::uint64_t kFramesReported = 30;
  static constexpr std::uint64_t kRedPacketsReported = 50;

  /// A packet `handle`'s connection received on `transceiver`, on the simulcast layer `rid`.
  void on_packet(net::PeerConnectionHandle& handle, pc::TransceiverHandle transceiver, const std::string& rid,
                 const media::RtpPacket& packet);

 private:
  struct Stream {
    std::optional<media::VideoReceiver> receiver;  // video
    bool red = false;                              // audio in RED
    std::uint8_t payload_type = 0;
    int width = 0, height = 0;
    std::uint64_t red_packets = 0, redundant_blocks = 0;
    bool reported = false;
  };
  void on_video(Stream& stream, const std::string& rid, const media::RtpPacket& packet);
  void on_red(Stream& stream, const media::RtpPacket& packet);

  std::mutex mutex_;
  std::map<std::pair<pc::TransceiverHandle, std::string>, Stream> streams_;
};

}  // namespace rtcstack::echo
