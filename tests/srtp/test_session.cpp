#include <catch2/catch.hpp>

#include <vector>

#include "base/endian.h"
#include "base/random.h"
#include "libsrtp_engine.h"
#include "srtp/session.h"

using namespace rtcstack;
using srtp::Direction;
using srtp::Profile;
using srtp::Session;

namespace {

constexpr Profile kProfiles[] = {Profile::kAes128CmSha1_80, Profile::kAes128CmSha1_32, Profile::kAeadAes128Gcm,
                                 Profile::kAeadAes256Gcm};

std::size_t rtp_tag_size(Profile profile) {
  switch (profile) {
    case Profile::kAes128CmSha1_80: return 10;
    case Profile::kAes128CmSha1_32: return 4;
    default: return 16;
  }
}

struct Keys {
  std::vector<std::uint8_t> key, salt;
};

Keys keys_for(Profile profile, std::uint64_t seed) {
  base::SeededRandom random(seed);
  Keys keys{std::vector<std::uint8_t>(srtp::key_size(profile)), std::vector<std::uint8_t>(srtp::salt_size(profile))};
  random.fill(keys.key);
  random.fill(keys.salt);
  return keys;
}

// An RTP packet (version 2, payload type 96) with `payload` random bytes, in a buffer
// with room for the SRTP trailer.
std::vector<std::uint8_t> rtp_packet(std::uint16_t sequence, std::uint32_t ssrc, std::size_t payload, base::Random& random) {
  std::vector<std::uint8_t> packet(12 + payload + srtp::kMaxOverhead);
  packet[0] = 0x80;
  packet[1] = 96;
  base::store_be16(packet.data() + 2, sequence);
  base::store_be32(packet.data() + 4, sequence * 3000u);
  base::store_be32(packet.data() + 8, ssrc);
  random.fill(base::MutableByteView(packet).subspan(12, payload));
  return packet;
}

// Every test below runs on both engines.
#define EACH_BACKEND GENERATE(support::SrtpEngine::kNative, support::SrtpEngine::kLibsrtp)

struct Link {
  Link(Profile profile, support::SrtpEngine backend, std::uint64_t seed = 1)
      : keys(keys_for(profile, seed)),
        sender(*Session::create(profile, Direction::kSend, keys.key, keys.salt, 1024, support::factory(backend))),
        receiver(*Session::create(profile, Direction::kReceive, keys.key, keys.salt, 1024, support::factory(backend))) {}
  Keys keys;
  Session sender;
  Session receiver;
};

}  // namespace

TEST_CASE("SRTP round trips for every profile, RTP and RTCP", "[srtp]") {
  const auto backend = EACH_BACKEND;
  base::SeededRandom random(1);
  for (Profile profile : kProfiles) {
    INFO(static_cast<int>(profile));
    Link link(profile, backend);
    for (std::size_t payload : {0u, 1u, 160u, 1188u}) {
      auto packet = rtp_packet(static_cast<std::uint16_t>(payload), 0x11223344, payload, random);
      const std::vector<std::uint8_t> plain(packet.begin(), packet.begin() + 12 + static_cast<std::ptrdiff_t>(payload));
      const auto protected_size = link.sender.protect_rtp(packet, plain.size());
      REQUIRE(protected_size.ok());
      CHECK(*protected_size == plain.size() + rtp_tag_size(profile));
      if (payload > 0) CHECK_FALSE(std::equal(plain.begin() + 12, plain.end(), packet.begin() + 12));
      const auto unprotected = link.receiver.unprotect_rtp(base::MutableByteView(packet).first(*protected_size));
      REQUIRE(unprotected.ok());
      CHECK(*unprotected == plain.size());
      CHECK(std::equal(plain.begin(), plain.end(), packet.begin()));
    }
    // RTCP: a receiver report of one block.
    std::vector<std::uint8_t> rtcp(32 + srtp::kMaxOverhead);
    rtcp[0] = 0x81;
    rtcp[1] = 201;
    base::store_be16(rtcp.data() + 2, 7);
    base::store_be32(rtcp.data() + 4, 0xaabbccdd);
    const std::vector<std::uint8_t> plain_rtcp(rtcp.begin(), rtcp.begin() + 32);
    const auto sealed = link.sender.protect_rtcp(rtcp, 32);
    REQUIRE(sealed.ok());
    CHECK(*sealed > 32);
    const auto opened = link.receiver.unprotect_rtcp(base::MutableByteView(rtcp).first(*sealed));
    REQUIRE(opened.ok());
    CHECK(*opened == 32);
    CHECK(std::equal(plain_rtcp.begin(), plain_rtcp.end(), rtcp.begin()));
  }
}

TEST_CASE("tampered packets and wrong keys fail authentication", "[srtp]") {
  const auto backend = EACH_BACKEND;
  base::SeededRandom random(2);
  for (Profile profile : kProfiles) {
    Link link(profile, backend);
    auto packet = rtp_packet(1, 1, 100, random);
    const std::size_t size = *link.sender.protect_rtp(packet, 112);
    for (std::size_t i = 0; i < size; i += 7) {
      auto tampered = packet;
      tampered[i] ^= 0x01;
      const auto result = link.receiver.unprotect_rtp(base::MutableByteView(tampered).first(size));
      REQUIRE_FALSE(result.ok());
      // A flipped header bit may change the SSRC or make the packet unparsable; either way it is refused.
      CHECK((result.error().code == base::ErrorCode::kAuthentication || result.error().code == base::ErrorCode::kMalformed));
    }
    Keys other = keys_for(profile, 99);
    Session stranger = *Session::create(profile, Direction::kReceive, other.key, other.salt, 1024, support::factory(backend));
    CHECK(stranger.unprotect_rtp(base::MutableByteView(packet).first(size)).error().code == base::ErrorCode::kAuthentication);
  }
}

TEST_CASE("replayed packets are rejected", "[srtp]") {
  const auto backend = EACH_BACKEND;
  base::SeededRandom random(3);
  for (Profile profile : kProfiles) {
    Link link(profile, backend);
    auto packet = rtp_packet(500, 7, 50, random);
    const std::size_t size = *link.sender.protect_rtp(packet, 62);
    auto copy = packet;
    REQUIRE(link.receiver.unprotect_rtp(base::MutableByteView(packet).first(size)).ok());
    const auto replay = link.receiver.unprotect_rtp(base::MutableByteView(copy).first(size));
    REQUIRE_FALSE(replay.ok());
    CHECK(replay.error().code == base::ErrorCode::kWrongState);
    CHECK_THAT(replay.error().message, Catch::Contains("replay"));
  }
}

TEST_CASE("the roll-over counter carries decryption across the 65535 -> 0 wrap", "[srtp]") {
  const auto backend = EACH_BACKEND;
  base::SeededRandom random(4);
  for (Profile profile : kProfiles) {
    Link link(profile, backend);
    int received = 0;
    for (std::uint32_t i = 0; i < 200; ++i) {
      const auto sequence = static_cast<std::uint16_t>(65436 + i);  // wraps after 100 packets
      auto packet = rtp_packet(sequence, 9, 20, random);
      const std::vector<std::uint8_t> plain(packet.begin(), packet.begin() + 32);
      const std::size_t size = *link.sender.protect_rtp(packet, 32);
      const auto result = link.receiver.unprotect_rtp(base::MutableByteView(packet).first(size));
      REQUIRE(result.ok());
      CHECK(std::equal(plain.begin(), plain.end(), packet.begin()));
      ++received;
    }
    CHECK(received == 200);
  }
}

TEST_CASE("bad arguments are typed errors", "[srtp]") {
  const auto backend = EACH_BACKEND;
  const Keys keys = keys_for(Profile::kAes128CmSha1_80, 5);
  CHECK(Session::create(Profile::kAeadAes256Gcm, Direction::kSend, keys.key, keys.salt).error().code ==
        base::ErrorCode::kInvalidArgument);
  CHECK(Session::create(Profile::kAes128CmSha1_80, Direction::kReceive, keys.key, keys.salt, 1 << 15).error().code ==
        base::ErrorCode::kInvalidArgument);
  Link link(Profile::kAes128CmSha1_80, backend);
  std::vector<std::uint8_t> small(20);
  CHECK(link.sender.protect_rtp(small, 12).error().code == base::ErrorCode::kInvalidArgument);  // no room for the tag
  std::vector<std::uint8_t> tiny(8 + srtp::kMaxOverhead);
  CHECK(link.sender.protect_rtp(tiny, 8).error().code == base::ErrorCode::kMalformed);
  CHECK(link.receiver.protect_rtp(tiny, 8).error().code == base::ErrorCode::kWrongState);
  CHECK(link.sender.unprotect_rtp(tiny).error().code == base::ErrorCode::kWrongState);
}

TEST_CASE("known answer: AES_CM_128_HMAC_SHA1_80 packet from libsrtp's validation vector", "[srtp]") {
  const auto backend = EACH_BACKEND;
  // libsrtp's srtp_validate(): master key || salt, an RTP packet (SSRC 0xcafebabe,
  // sequence 0x1234) and its protected form.
  const std::uint8_t master[30] = {0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f,
                                   0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39, 0x0e, 0xc6, 0x75, 0xad,
                                   0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6};
  const std::uint8_t ciphertext[38] = {0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe,
                                       0xba, 0xbe, 0x4e, 0x55, 0xdc, 0x4c, 0xe7, 0x99, 0x78, 0xd8,
                                       0x8c, 0xa4, 0xd2, 0x15, 0x94, 0x9d, 0x24, 0x02, 0xb7, 0x8d,
                                       0x6a, 0xcc, 0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb};
  std::vector<std::uint8_t> plain = {0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe};
  plain.resize(28, 0xab);
  const base::ByteView key(master, 16);
  const base::ByteView salt(master + 16, 14);
  auto sender = *Session::create(Profile::kAes128CmSha1_80, Direction::kSend, key, salt, 1024, support::factory(backend));
  auto receiver = *Session::create(Profile::kAes128CmSha1_80, Direction::kReceive, key, salt, 1024, support::factory(backend));

  std::vector<std::uint8_t> buffer(plain);
  buffer.resize(plain.size() + srtp::kMaxOverhead);
  const auto sealed = sender.protect_rtp(buffer, plain.size());
  REQUIRE(sealed.ok());
  REQUIRE(*sealed == sizeof ciphertext);
  CHECK(std::equal(std::begin(ciphertext), std::end(ciphertext), buffer.begin()));

  std::vector<std::uint8_t> received(std::begin(ciphertext), std::end(ciphertext));
  const auto opened = receiver.unprotect_rtp(received);
  REQUIRE(opened.ok());
  CHECK(*opened == plain.size());
  CHECK(std::equal(plain.begin(), plain.end(), received.begin()));
}
