// The native engine against libsrtp2: for the same keys both must write the same bytes,
// and each must open what the other protected - over random packets (CSRCs, header
// extensions, empty and full payloads), across the sequence-number wrap, with packets out
// of order, for RTP and RTCP, in every profile. Then the replay window alone, and the
// native engine's bound on per-SSRC state.
#include <catch2/catch.hpp>

#include <vector>

#include "base/endian.h"
#include "base/random.h"
#include "base/replay_window.h"
#include "libsrtp_engine.h"
#include "srtp/session.h"

using namespace rtcstack;
using support::SrtpEngine;
using srtp::Direction;
using srtp::Profile;
using srtp::Session;

namespace {

using Bytes = std::vector<std::uint8_t>;

// A random RTP packet: 0-3 CSRCs, maybe a header extension, 0-1200 payload bytes.
Bytes random_rtp(std::uint16_t sequence, std::uint32_t ssrc, base::SeededRandom& random) {
  const std::size_t csrcs = random.uniform(4);
  const bool extension = random.uniform(2) == 1;
  const std::size_t extension_words = random.uniform(4);
  const std::size_t payload = random.uniform(3) == 0 ? 0 : random.uniform(1201);
  Bytes packet(12 + 4 * csrcs + (extension ? 4 + 4 * extension_words : 0) + payload);
  random.fill(packet);
  packet[0] = static_cast<std::uint8_t>(0x80 | (extension ? 0x10 : 0) | csrcs);
  packet[1] = 96;
  base::store_be16(packet.data() + 2, sequence);
  base::store_be32(packet.data() + 8, ssrc);
  if (extension) base::store_be16(packet.data() + 12 + 4 * csrcs + 2, static_cast<std::uint16_t>(extension_words));
  return packet;
}

Bytes random_rtcp(std::uint32_t ssrc, base::SeededRandom& random) {
  Bytes packet(8 + 4 * random.uniform(60));
  random.fill(packet);
  packet[0] = 0x80;
  packet[1] = 201;
  base::store_be16(packet.data() + 2, static_cast<std::uint16_t>(packet.size() / 4 - 1));
  base::store_be32(packet.data() + 4, ssrc);
  return packet;
}

Bytes protect(Session& session, const Bytes& plain, bool rtcp) {
  Bytes buffer(plain);
  buffer.resize(plain.size() + srtp::kMaxOverhead);
  const auto size = rtcp ? session.protect_rtcp(buffer, plain.size()) : session.protect_rtp(buffer, plain.size());
  REQUIRE(size.ok());
  buffer.resize(*size);
  return buffer;
}

Bytes unprotect(Session& session, Bytes packet, bool rtcp) {
  const auto size = rtcp ? session.unprotect_rtcp(packet) : session.unprotect_rtp(packet);
  REQUIRE(size.ok());
  packet.resize(*size);
  return packet;
}

struct Pair {
  Pair(Profile profile, Direction direction, std::uint64_t seed) {
    base::SeededRandom random(seed);
    Bytes key(srtp::key_size(profile)), salt(srtp::salt_size(profile));
    random.fill(key);
    random.fill(salt);
    native.emplace(*Session::create(profile, direction, key, salt, 1024, support::factory(SrtpEngine::kNative)));
    libsrtp.emplace(*Session::create(profile, direction, key, salt, 1024, support::factory(SrtpEngine::kLibsrtp)));
  }
  std::optional<Session> native, libsrtp;
};

}  // namespace

TEST_CASE("native and libsrtp2 write the same SRTP and SRTCP bytes and open each other's", "[srtp][engines]") {
  for (Profile profile : {Profile::kAes128CmSha1_80, Profile::kAes128CmSha1_32, Profile::kAeadAes128Gcm,
                          Profile::kAeadAes256Gcm}) {
    INFO("profile " << static_cast<int>(profile));
    Pair send(profile, Direction::kSend, 5764);
    Pair receive(profile, Direction::kReceive, 5764);
    base::SeededRandom random(static_cast<std::uint64_t>(profile));
    // Two SSRCs, interleaved, both crossing the 65535 -> 0 wrap (ROC 0 -> 1).
    for (int i = 0; i < 400; ++i) {
      const std::uint32_t ssrc = i % 2 == 0 ? 0x11223344u : 0xcafef00du;
      const auto sequence = static_cast<std::uint16_t>(65336 + i / 2 + (ssrc & 7));
      const Bytes plain = random_rtp(sequence, ssrc, random);
      const Bytes by_native = protect(*send.native, plain, false);
      const Bytes by_libsrtp = protect(*send.libsrtp, plain, false);
      REQUIRE(by_native == by_libsrtp);
      // Each receiver opens what the other engine's sender made.
      CHECK(unprotect(i % 3 == 0 ? *receive.libsrtp : *receive.native, by_libsrtp, false) == plain);
      if (i % 3 != 0) CHECK(unprotect(*receive.libsrtp, by_native, false) == plain);
      else CHECK(unprotect(*receive.native, by_native, false) == plain);
      if (i % 7 == 0) {
        const Bytes report = random_rtcp(ssrc, random);
        const Bytes rtcp_native = protect(*send.native, report, true);
        REQUIRE(rtcp_native == protect(*send.libsrtp, report, true));  // the same SRTCP index too
        CHECK(unprotect(*receive.libsrtp, rtcp_native, true) == report);
        CHECK(unprotect(*receive.native, rtcp_native, true) == report);
      }
    }
  }
}

TEST_CASE("out of order across the wrap: both engines guess the ROC alike and reject the same replays", "[srtp][engines]") {
  for (Profile profile : {Profile::kAes128CmSha1_80, Profile::kAeadAes128Gcm}) {
    Pair send(profile, Direction::kSend, 3711);
    Pair receive(profile, Direction::kReceive, 3711);
    base::SeededRandom random(9);
    std::vector<Bytes> plain, sent;
    for (std::uint32_t n = 65500; n < 65600; ++n) {
      plain.push_back(random_rtp(static_cast<std::uint16_t>(n), 0xabcdef01u, random));
      sent.push_back(protect(*send.native, plain.back(), false));
      REQUIRE(sent.back() == protect(*send.libsrtp, plain.back(), false));
    }
    // A sender repeats an index (a retransmission) but refuses one older than the
    // receiver's window, which would only be dropped there; both engines alike.
    const Bytes repeat = random_rtp(30, 0xabcdef01u, random);  // sent already, after the wrap
    CHECK(protect(*send.native, repeat, false) == protect(*send.libsrtp, repeat, false));
    Bytes stale = random_rtp(63599, 0xabcdef01u, random);  // 2000 behind the highest, before the wrap
    const std::size_t stale_size = stale.size();
    stale.resize(stale_size + srtp::kMaxOverhead);
    Bytes stale_copy = stale;
    CHECK(send.native->protect_rtp(stale, stale_size).error().code == base::ErrorCode::kWrongState);
    CHECK(send.libsrtp->protect_rtp(stale_copy, stale_size).error().code == base::ErrorCode::kWrongState);
    // Deliver in blocks of ten, each block reversed: packets from before the wrap arrive
    // after packets from after it.
    for (std::size_t block = 0; block < sent.size(); block += 10) {
      for (std::size_t i = block + 10; i-- > block;) {
        CHECK(unprotect(*receive.native, sent[i], false) == plain[i]);
        CHECK(unprotect(*receive.libsrtp, sent[i], false) == plain[i]);
      }
    }
    for (std::size_t i : {0u, 37u, 99u}) {
      Bytes again = sent[i];
      const auto native = receive.native->unprotect_rtp(again);
      again = sent[i];
      const auto libsrtp = receive.libsrtp->unprotect_rtp(again);
      REQUIRE_FALSE(native.ok());
      REQUIRE_FALSE(libsrtp.ok());
      CHECK(native.error().code == libsrtp.error().code);
    }
  }
}

TEST_CASE("the replay window: new, replayed and too old, across large jumps", "[srtp][engines]") {
  base::ReplayWindow window(64);
  using Verdict = base::ReplayWindow::Verdict;
  CHECK(window.check(1000) == Verdict::kNew);
  window.accept(1000);
  CHECK(window.check(1000) == Verdict::kReplay);
  CHECK(window.check(999) == Verdict::kNew);
  CHECK(window.check(937) == Verdict::kNew);      // 63 behind: inside
  CHECK(window.check(936) == Verdict::kTooOld);   // 64 behind: outside
  window.accept(990);
  window.accept(1010);
  CHECK(window.check(990) == Verdict::kReplay);
  CHECK(window.check(1000) == Verdict::kReplay);
  CHECK(window.check(1005) == Verdict::kNew);     // skipped over, never seen
  window.accept(1'000'000);                       // a jump past the whole bitmap
  CHECK(window.highest() == 1'000'000);
  CHECK(window.check(1010) == Verdict::kTooOld);
  CHECK(window.check(999'999) == Verdict::kNew);  // no stale bit survives the jump
  CHECK(window.check(999'937) == Verdict::kNew);
}

TEST_CASE("the native engine keeps state for at most 64 SSRCs; bad packets make none", "[srtp][engines]") {
  Pair send(Profile::kAeadAes128Gcm, Direction::kSend, 1);
  Pair receive(Profile::kAeadAes128Gcm, Direction::kReceive, 1);
  base::SeededRandom random(2);
  for (std::uint32_t ssrc = 1; ssrc <= 64; ++ssrc) protect(*send.native, random_rtp(1, ssrc, random), false);
  Bytes buffer = random_rtp(1, 65, random);
  const std::size_t length = buffer.size();
  buffer.resize(length + srtp::kMaxOverhead);
  CHECK(send.native->protect_rtp(buffer, length).error().code == base::ErrorCode::kResourceExhausted);
  // A flood of forged packets under new SSRCs fails authentication and leaves no stream
  // behind: a real one still gets through afterwards.
  for (std::uint32_t ssrc = 100; ssrc < 300; ++ssrc) {
    Bytes forged = random_rtp(5, ssrc, random);
    forged.resize(forged.size() + 16);
    CHECK(receive.native->unprotect_rtp(forged).error().code == base::ErrorCode::kAuthentication);
  }
  const Bytes plain = random_rtp(7, 0x5555, random);
  Pair real(Profile::kAeadAes128Gcm, Direction::kSend, 1);
  CHECK(unprotect(*receive.native, protect(*real.native, plain, false), false) == plain);
}
