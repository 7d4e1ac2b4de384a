// Two PeerConnections whose media events (tracks, RTP, key-frame requests, ended
// tracks) are recorded, for the media and rollback tests.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pc_harness.h"

namespace rtcstack::testing {

struct Received {
  std::vector<pc::TrackEvent> tracks;
  std::map<pc::TransceiverHandle, std::vector<base::Buffer>> packets;
  std::map<pc::TransceiverHandle, std::vector<std::string>> rids;  // of each packet, in step
  std::vector<pc::TransceiverHandle> key_frame_requests;
  std::vector<std::string> key_frame_rids;  // of each request, in step
  std::vector<pc::TransceiverHandle> ended;
};

inline void record(testing::PcEndpoint& endpoint, Received& received) {
  endpoint.on_event = [&received](const pc::Event& event) {
    if (const auto* track = std::get_if<pc::TrackEvent>(&event)) received.tracks.push_back(*track);
    if (const auto* rtp = std::get_if<pc::RtpPacketEvent>(&event)) {
      received.packets[rtp->transceiver].push_back(rtp->packet);
      received.rids[rtp->transceiver].push_back(rtp->rid);
    }
    if (const auto* request = std::get_if<pc::KeyFrameRequestEvent>(&event)) {
      received.key_frame_requests.push_back(request->transceiver);
      received.key_frame_rids.push_back(request->rid);
    }
    if (const auto* ended = std::get_if<pc::TrackEndedEvent>(&event)) received.ended.push_back(ended->transceiver);
  };
}

// Two connections whose media events are recorded.
struct MediaPair : PcPair {
  explicit MediaPair(std::uint64_t seed) : PcPair(seed) {
    record(a, at_a);
    record(b, at_b);
  }
  Received at_a, at_b;
};

inline bool has_line(const std::optional<pc::SessionDescriptionInit>& description, std::string_view line) {
  return description && description->sdp.find(std::string(line) + "\r\n") != std::string::npos;
}
inline bool has_text(const std::optional<pc::SessionDescriptionInit>& description, std::string_view text) {
  return description && description->sdp.find(text) != std::string::npos;
}

}  // namespace rtcstack::testing
