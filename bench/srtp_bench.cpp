// SRTP protect and unprotect of 1200-byte RTP packets for each profile and each engine
// of srtp::Session (native on OpenSSL EVP, libsrtp2), and through a bare libsrtp2 call,
// so the wrapper's cost is a ratio.
// (Debian's libsrtp2 is built on NSS; see ../shared/ENVIRONMENT.md for its own figures.)
#include <benchmark/benchmark.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <vector>

#include "base/endian.h"
#include "libsrtp_engine.h"
#include "srtp/session.h"

namespace {

using namespace rtcstack;

constexpr std::size_t kPacket = 1200;

std::vector<std::uint8_t> packet_buffer() {
  std::vector<std::uint8_t> packet(kPacket + srtp::kMaxOverhead, 0x5a);
  packet[0] = 0x80;
  packet[1] = 96;
  base::store_be32(packet.data() + 8, 0x01020304);
  return packet;
}

void session_protect(benchmark::State& state) {
  const auto profile = static_cast<srtp::Profile>(state.range(0));
  const auto backend = static_cast<support::SrtpEngine>(state.range(1));
  const std::vector<std::uint8_t> key(srtp::key_size(profile), 1), salt(srtp::salt_size(profile), 2);
  auto sender = *srtp::Session::create(profile, srtp::Direction::kSend, key, salt, 1024, support::factory(backend));
  auto packet = packet_buffer();
  std::uint16_t sequence = 0;
  for (auto _ : state) {
    base::store_be16(packet.data() + 2, sequence++);
    benchmark::DoNotOptimize(sender.protect_rtp(packet, kPacket));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPacket));
}

void session_unprotect(benchmark::State& state) {
  const auto profile = static_cast<srtp::Profile>(state.range(0));
  const auto backend = static_cast<support::SrtpEngine>(state.range(1));
  const std::vector<std::uint8_t> key(srtp::key_size(profile), 1), salt(srtp::salt_size(profile), 2);
  auto sender = *srtp::Session::create(profile, srtp::Direction::kSend, key, salt, 1024, support::factory(backend));
  auto receiver = *srtp::Session::create(profile, srtp::Direction::kReceive, key, salt, 1024, support::factory(backend));
  // Pre-protect a ring of packets with increasing sequence numbers (the replay window
  // forbids unprotecting one twice).
  constexpr int kRing = 1 << 14;
  std::vector<std::vector<std::uint8_t>> ring;
  std::vector<std::size_t> sizes;
  int next = 0;
  std::uint16_t sequence = 0;
  auto refill = [&] {
    ring.clear();
    sizes.clear();
    for (int i = 0; i < kRing; ++i) {
      auto packet = packet_buffer();
      base::store_be16(packet.data() + 2, sequence++);
      sizes.push_back(*sender.protect_rtp(packet, kPacket));
      ring.push_back(std::move(packet));
    }
    next = 0;
  };
  refill();
  for (auto _ : state) {
    if (next == kRing) {
      state.PauseTiming();
      refill();
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(receiver.unprotect_rtp(base::MutableByteView(ring[next]).first(sizes[next])));
    ++next;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPacket));
}

void bare_libsrtp_protect(benchmark::State& state) {
  const auto profile = static_cast<srtp::Profile>(state.range(0));
  srtp_init();
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  switch (profile) {
    case srtp::Profile::kAes128CmSha1_80: srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp); break;
    case srtp::Profile::kAes128CmSha1_32: srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp); break;
    case srtp::Profile::kAeadAes128Gcm: srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp); break;
    case srtp::Profile::kAeadAes256Gcm: srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp); break;
  }
  policy.rtcp = policy.rtp;
  std::vector<unsigned char> master(srtp::key_size(profile) + srtp::salt_size(profile), 1);
  policy.key = master.data();
  policy.ssrc.type = ssrc_any_outbound;
  policy.window_size = 1024;
  policy.allow_repeat_tx = 1;
  srtp_t session = nullptr;
  srtp_create(&session, &policy);
  auto packet = packet_buffer();
  std::uint16_t sequence = 0;
  for (auto _ : state) {
    base::store_be16(packet.data() + 2, sequence++);
    int size = static_cast<int>(kPacket);
    benchmark::DoNotOptimize(srtp_protect(session, packet.data(), &size));
  }
  srtp_dealloc(session);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPacket));
}

}  // namespace

// Arguments: the profile's IANA value (1, 2: AES-CM; 7, 8: AES-GCM), then the engine
// (0: native, 1: libsrtp2).
BENCHMARK(session_protect)->ArgsProduct({{1, 2, 7, 8}, {0, 1}});
BENCHMARK(session_unprotect)->ArgsProduct({{1, 2, 7, 8}, {0, 1}});
BENCHMARK(bare_libsrtp_protect)->Arg(1)->Arg(2)->Arg(7)->Arg(8);
