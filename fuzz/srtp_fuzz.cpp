// Fuzzes both SRTP engines. The first byte picks the profile, RTP or RTCP, and the mode:
//   open   - unprotect arbitrary bytes on the native or the libsrtp2 engine: no crash, no
//            access outside the packet, nothing accepted (the keys are random to it);
//   agree  - the rest is a plain packet: both engines protect it and must write the same
//            bytes (or both refuse), then both receivers must open it back to the plain
//            packet or refuse it alike (a replay of an earlier input, say).
// Sessions live across inputs, so roll-over counters and replay windows get exercised.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/endian.h"
#include "libsrtp_engine.h"
#include "srtp/session.h"

namespace {

using namespace rtcstack;

constexpr srtp::Profile kProfiles[] = {srtp::Profile::kAes128CmSha1_80, srtp::Profile::kAes128CmSha1_32,
                                       srtp::Profile::kAeadAes128Gcm, srtp::Profile::kAeadAes256Gcm};

// sessions[profile][backend][direction]
srtp::Session& session(std::size_t profile, support::SrtpEngine backend, srtp::Direction direction) {
  static std::vector<srtp::Session> sessions = [] {
    std::vector<srtp::Session> list;
    for (auto profile : kProfiles) {
      const std::vector<std::uint8_t> key(srtp::key_size(profile), 0x42);
      const std::vector<std::uint8_t> salt(srtp::salt_size(profile), 0x24);
      for (auto backend : {support::SrtpEngine::kNative, support::SrtpEngine::kLibsrtp}) {
        for (auto direction : {srtp::Direction::kSend, srtp::Direction::kReceive}) {
          list.push_back(*srtp::Session::create(profile, direction, key, salt, 1024, support::factory(backend)));
        }
      }
    }
    return list;
  }();
  return sessions[profile * 4 + static_cast<std::size_t>(backend) * 2 + static_cast<std::size_t>(direction)];
}

// What libsrtp2 and the native engine both take as a plain packet to protect.
bool plausible(const std::vector<std::uint8_t>& packet, bool rtcp) {
  if (rtcp) return packet.size() >= 8;
  if (packet.size() < 12 || (packet[0] >> 6) != 2) return false;
  std::size_t header = 12 + 4 * std::size_t{packet[0] & 0x0fu};
  if ((packet[0] & 0x10u) != 0) {
    if (packet.size() < header + 4) return false;
    header += 4 + 4 * std::size_t{base::load_be16(packet.data() + header + 2)};
  }
  return header <= packet.size();
}

template <class A, class B>
void disagree(const char* step, const A& native, const B& libsrtp) {
  std::fprintf(stderr, "engines disagree on %s: native %s, libsrtp2 %s\n", step,
               native.ok() ? std::to_string(*native).c_str() : native.error().message.c_str(),
               libsrtp.ok() ? std::to_string(*libsrtp).c_str() : libsrtp.error().message.c_str());
  std::abort();
}

void agree(std::size_t profile, bool rtcp, std::vector<std::uint8_t>& plain) {
  if (!plausible(plain, rtcp)) return;
  // Eight SSRCs at most: the native engine keeps state for 64 and refuses more, where
  // libsrtp2 grows without bound (a difference by design, tested in test_engines.cpp).
  std::uint8_t* ssrc = plain.data() + (rtcp ? 4 : 8);
  base::store_be32(ssrc, 0x1000u + (base::load_be32(ssrc) & 7u));
  std::vector<std::uint8_t> native(plain), libsrtp(plain);
  native.resize(plain.size() + srtp::kMaxOverhead);
  libsrtp.resize(plain.size() + srtp::kMaxOverhead);
  auto& native_sender = session(profile, support::SrtpEngine::kNative, srtp::Direction::kSend);
  auto& libsrtp_sender = session(profile, support::SrtpEngine::kLibsrtp, srtp::Direction::kSend);
  const auto a = rtcp ? native_sender.protect_rtcp(native, plain.size()) : native_sender.protect_rtp(native, plain.size());
  const auto b = rtcp ? libsrtp_sender.protect_rtcp(libsrtp, plain.size()) : libsrtp_sender.protect_rtp(libsrtp, plain.size());
  if (a.ok() != b.ok()) disagree("protect", a, b);
  if (!a.ok()) return;
  if (*a != *b || std::memcmp(native.data(), libsrtp.data(), *a) != 0) disagree("the protected bytes", a, b);
  native.resize(*a);
  libsrtp.resize(*b);
  auto& native_receiver = session(profile, support::SrtpEngine::kNative, srtp::Direction::kReceive);
  auto& libsrtp_receiver = session(profile, support::SrtpEngine::kLibsrtp, srtp::Direction::kReceive);
  const auto c = rtcp ? native_receiver.unprotect_rtcp(native) : native_receiver.unprotect_rtp(native);
  const auto d = rtcp ? libsrtp_receiver.unprotect_rtcp(libsrtp) : libsrtp_receiver.unprotect_rtp(libsrtp);
  if (c.ok() != d.ok()) disagree("unprotect", c, d);
  if (!c.ok()) return;
  if (*c != plain.size() || *d != plain.size() || std::memcmp(native.data(), plain.data(), plain.size()) != 0 ||
      std::memcmp(libsrtp.data(), plain.data(), plain.size()) != 0) {
    disagree("the opened bytes", c, d);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t profile = data[0] % 4;
  const bool rtcp = (data[0] & 4) != 0;
  // An exact-size copy: any access past the packet is a sanitizer report.
  std::vector<std::uint8_t> packet(data + 1, data + size);
  if ((data[0] & 8) != 0) {
    agree(profile, rtcp, packet);
    return 0;
  }
  const auto backend = (data[0] & 16) != 0 ? support::SrtpEngine::kLibsrtp : support::SrtpEngine::kNative;
  auto& receiver = session(profile, backend, srtp::Direction::kReceive);
  auto result = rtcp ? receiver.unprotect_rtcp(packet) : receiver.unprotect_rtp(packet);
  if (result.ok()) std::abort();  // nothing here carries a tag made with these keys
  return 0;
}
