// Known answers for every profile. RFC 3711 Appendix B and RFC 7714 §16-17 state their
// vectors in session keys, below the master-key interface lib/srtp offers; so an
// independent reference (reference_srtp.h, OpenSSL) reproduces each vector first, and
// then must agree byte for byte with lib/srtp on packets protected from master keys.
#include <catch2/catch.hpp>

#include <vector>

#include "base/endian.h"
#include "base/random.h"
#include "hex_bytes.h"
#include "reference_srtp.h"
#include "srtp/session.h"

using namespace rtcstack;
using srtp::Direction;
using srtp::Profile;
using srtp::Session;
using testing::hex_bytes;
namespace reference = testing::reference_srtp;

namespace {

reference::Bytes bytes_of(std::string_view hex) {
  const base::Buffer buffer = hex_bytes(hex);
  return reference::Bytes(buffer.data(), buffer.data() + buffer.size());
}

// RFC 7714 §16-17 share one session salt ("Quid pro quo") and these two packets.
constexpr std::string_view kRfc7714Salt = "517569642070726f2071756f";
constexpr std::string_view kRfc7714Rtp =
    "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573";
constexpr std::string_view kRfc7714Rtcp =
    "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef "
    "deadbeef";
constexpr std::uint32_t kRfc7714RtcpIndex = 0x5d4;

// Copies `plain` into a buffer with room for the trailer, as callers of protect_*() must.
std::vector<std::uint8_t> with_room(const reference::Bytes& plain) {
  std::vector<std::uint8_t> buffer(plain);
  buffer.resize(plain.size() + srtp::kMaxOverhead);
  return buffer;
}

reference::Bytes protected_bytes(const std::vector<std::uint8_t>& buffer, std::size_t size) {
  return reference::Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(size));
}

// An RTP packet with `csrcs` CSRCs and, optionally, a one-byte-header extension of two
// words, so header-length handling is part of what both sides must agree on.
reference::Bytes rtp_packet(std::uint16_t sequence, std::size_t csrcs, bool extension, std::size_t payload,
                            base::Random& random) {
  reference::Bytes packet(12 + 4 * csrcs + (extension ? 12 : 0) + payload);
  packet[0] = static_cast<std::uint8_t>(0x80 | (extension ? 0x10 : 0) | csrcs);
  packet[1] = 111;
  base::store_be16(packet.data() + 2, sequence);
  base::store_be32(packet.data() + 4, 960u * sequence);
  base::store_be32(packet.data() + 8, 0x5eed1234);
  random.fill(base::MutableByteView(packet).subspan(12));
  if (extension) {
    const std::size_t at = 12 + 4 * csrcs;
    base::store_be16(packet.data() + at, 0xbede);
    base::store_be16(packet.data() + at + 2, 2);
  }
  return packet;
}

}  // namespace

TEST_CASE("reference KDF reproduces RFC 3711 B.3", "[srtp][kat]") {
  const auto master_key = bytes_of("E1F97A0D3E018BE0D64FA32C06DE4139");
  const auto master_salt = bytes_of("0EC675AD498AFEEBB6960B3AABE6");
  CHECK(reference::derive(master_key, master_salt, 0, 16) == bytes_of("C61E7A93744F39EE10734AFE3FF7A087"));
  CHECK(reference::derive(master_key, master_salt, 1, 20) == bytes_of("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
  CHECK(reference::derive(master_key, master_salt, 2, 14) == bytes_of("30CBBC08863D8C85D49DB34A9AE1"));
}

TEST_CASE("reference AES-CM keystream reproduces RFC 3711 B.2", "[srtp][kat]") {
  const auto key = bytes_of("2B7E151628AED2A6ABF7158809CF4F3C");
  const auto counter = bytes_of("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
  const auto keystream = reference::aes_ctr(key, counter, reference::Bytes(16 * 0xff02, 0));
  auto block = [&](std::size_t i) { return reference::Bytes(keystream.begin() + 16 * i, keystream.begin() + 16 * (i + 1)); };
  CHECK(block(0) == bytes_of("E03EAD0935C95E80E166B16DD92B4EB4"));
  CHECK(block(1) == bytes_of("D23513162B02D0F72A43A2FE4A5F97AB"));
  CHECK(block(2) == bytes_of("41E95B3BB0A2E8DD477901E4FCA894C0"));
  CHECK(block(0xfeff) == bytes_of("EC8CDF7398607CB0F2D21675EA9EA1E4"));
  CHECK(block(0xff00) == bytes_of("362B7C3C6773516318A077D7FC5073AE"));
  CHECK(block(0xff01) == bytes_of("6A2CC3787889374FBEB4C81B17BA6C44"));
}

TEST_CASE("reference AES-GCM reproduces RFC 7714 §16.1.1, §16.2.1, §17.1 and §17.2", "[srtp][kat]") {
  struct Vector {
    Profile profile;
    std::string_view key, srtp, srtcp;
  };
  const Vector vectors[] = {
      {Profile::kAeadAes128Gcm, "000102030405060708090a0b0c0d0e0f",
       "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf "
       "8833899d 7f27beb1 6a9152cf 765ee439 0cce",
       "81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded "
       "0bb9275b c84aa458 96cf4d2f c5abf872 45d9eade 800005d4"},
      {Profile::kAeadAes256Gcm, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
       "8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238 9a58e2f3 b50b2a02 76ffae0f 1ba63799 "
       "b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13",
       "81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50 a2eaa5c1 110555be 8415f658 c61de047 "
       "6f1b6fad 1d1eb30c 4446839f 57ff6f6c b26ac3be 800005d4"},
  };
  for (const Vector& vector : vectors) {
    INFO(static_cast<int>(vector.profile));
    const reference::SessionKeys keys{bytes_of(vector.key), bytes_of(kRfc7714Salt), {}};
    CHECK(reference::protect_rtp(vector.profile, keys, 0, bytes_of(kRfc7714Rtp)) == bytes_of(vector.srtp));
    CHECK(reference::protect_rtcp(vector.profile, keys, kRfc7714RtcpIndex, bytes_of(kRfc7714Rtcp)) ==
          bytes_of(vector.srtcp));
  }
}

TEST_CASE("lib/srtp agrees with the reference from master keys: every profile, RTP across a ROC wrap, RTCP",
          "[srtp][kat]") {
  base::SeededRandom random(7714);
  for (Profile profile : {Profile::kAes128CmSha1_80, Profile::kAes128CmSha1_32, Profile::kAeadAes128Gcm,
                          Profile::kAeadAes256Gcm}) {
    INFO(static_cast<int>(profile));
    reference::Bytes master_key(srtp::key_size(profile)), master_salt(srtp::salt_size(profile));
    random.fill(master_key);
    random.fill(master_salt);
    auto sender = *Session::create(profile, Direction::kSend, master_key, master_salt);
    auto receiver = *Session::create(profile, Direction::kReceive, master_key, master_salt);
    const auto rtp_keys = reference::session_keys(profile, master_key, master_salt, false);
    const auto rtcp_keys = reference::session_keys(profile, master_key, master_salt, true);

    std::uint32_t roc = 0;
    for (std::uint32_t i = 0; i < 12; ++i) {
      const auto sequence = static_cast<std::uint16_t>(65530 + i);
      if (sequence == 0) ++roc;
      const auto plain = rtp_packet(sequence, i % 3, i % 2 == 1, i * 37, random);
      auto buffer = with_room(plain);
      const auto size = sender.protect_rtp(buffer, plain.size());
      REQUIRE(size.ok());
      const auto expected = reference::protect_rtp(profile, rtp_keys, roc, plain);
      REQUIRE(protected_bytes(buffer, *size) == expected);

      auto incoming = expected;  // what the reference sent, opened by the library
      const auto opened = receiver.unprotect_rtp(incoming);
      REQUIRE(opened.ok());
      CHECK(reference::Bytes(incoming.begin(), incoming.begin() + static_cast<std::ptrdiff_t>(*opened)) == plain);
    }
    CHECK(roc == 1);

    for (std::size_t report = 0; report < 3; ++report) {
      reference::Bytes plain(8 + 24 * report + 4);
      random.fill(plain);
      plain[0] = static_cast<std::uint8_t>(0x80 | report);
      plain[1] = 201;
      base::store_be16(plain.data() + 2, static_cast<std::uint16_t>(plain.size() / 4 - 1));
      auto buffer = with_room(plain);
      const auto size = sender.protect_rtcp(buffer, plain.size());
      REQUIRE(size.ok());
      // The SRTCP index the library chose sits after the ciphertext (and before the HMAC tag).
      const std::size_t index_at = plain.size() + (rtcp_keys.auth_key.empty() ? 16 : 0);
      const std::uint32_t index = base::load_be32(buffer.data() + index_at) & 0x7fffffff;
      const auto expected = reference::protect_rtcp(profile, rtcp_keys, index, plain);
      REQUIRE(protected_bytes(buffer, *size) == expected);

      auto incoming = expected;
      const auto opened = receiver.unprotect_rtcp(incoming);
      REQUIRE(opened.ok());
      CHECK(reference::Bytes(incoming.begin(), incoming.begin() + static_cast<std::ptrdiff_t>(*opened)) == plain);
    }
  }
}
