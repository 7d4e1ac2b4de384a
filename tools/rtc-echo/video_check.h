// rtc-echo server --decode-video: the video a client sends is decoded here as well as
// echoed, so that a test knows rtcstack read what a browser encoded (each codec the page
// picks), not only that the browser rendered what came back. Each video transceiver gets
// a receiver for the codec its packets' payload type names; after 30 frames one line says
// "video: 30 frames of CODEC decoded (WxH)".
#pragma once

#include <map>
#include <mutex>
#include <optional>

#include "media/rtp_packet.h"
#include "media/video_receiver.h"
#include "net/runtime.h"

namespace rtcstack::echo {

class VideoCheck {
 public:
  static constexpr std::uint64_t kFramesReported = 30;

  /// A packet `handle`'s connection received on `transceiver` (audio ones are ignored).
  void on_packet(net::PeerConnectionHandle& handle, pc::TransceiverHandle transceiver, const media::RtpPacket& packet);

 private:
  struct Stream {
    std::optional<media::VideoReceiver> receiver;
    std::uint8_t payload_type = 0;
    int width = 0, height = 0;
    bool reported = false;
  };
  std::mutex mutex_;
  std::map<pc::TransceiverHandle, Stream> streams_;
};

}  // namespace rtcstack::echo
