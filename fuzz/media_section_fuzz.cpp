// Fuzzes what lib/pc reads of a peer's audio and video sections (codecs with their fmtp,
// feedback and RTX, header extensions, SSRCs, simulcast rids) and the answer it writes.
// Every section read_remote_media() accepts is answered by answer_media() or refused as
// unsupported; an answer's section must be SDP that lib/sdp parses back, receive at most
// three simulcast rids, each valid and one the offer sends, and name only extensions
// rtcstack knows.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "media/rtp_extensions.h"
#include "pc/media_section.h"
#include "pc/rtp_encoding.h"
#include "sdp/session_description.h"

using namespace rtcstack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto session = sdp::SessionDescription::parse(text);
  if (!session.ok()) return 0;
  for (const auto& section : session->media) {
    const auto remote = pc::read_remote_media(section, false);
    if (!remote.ok()) continue;
    if (remote->send_rids.size() > 3 || remote->receive_rids.size() > 3) std::abort();
    for (const auto* rids : {&remote->send_rids, &remote->receive_rids}) {
      for (const std::string& rid : *rids) {
        if (!pc::valid_rid(rid)) std::abort();
      }
    }
    const auto answer = pc::answer_media(*remote, sdp::Direction::kSendRecv);
    if (!answer.ok()) {
      if (answer.error().code != base::ErrorCode::kUnsupported) std::abort();
      continue;
    }
    for (const std::string& rid : answer->receive_rids) {
      bool offered = false;
      for (const std::string& sent : remote->send_rids) offered |= sent == rid;
      if (!offered) std::abort();
    }
    pc::SdpWriteStatus status;
    const sdp::MediaDescription written = pc::media_section(*answer, status, [](sdp::MediaDescription&) {});
    if (status.error) std::abort();
    sdp::SessionDescription wrapper;  // as lib/pc's jsep.cpp writes one
    wrapper.origin = {"-", "1", "1", "IN", "IP4", "127.0.0.1"};
    if (!wrapper.add_line('t', "0 0").ok()) std::abort();
    wrapper.media.push_back(written);
    const std::string serialized = wrapper.to_string();
    const auto again = sdp::SessionDescription::parse(serialized);
    if (!again.ok() || again->media.size() != 1) std::abort();
    const auto simulcast = again->media.front().simulcast();
    if (simulcast && simulcast->recv.size() != answer->receive_rids.size()) std::abort();
    for (const auto& extmap : again->media.front().extmaps()) {
      if (!media::extension_kind(extmap.uri)) std::abort();
    }
  }
  return 0;
}
