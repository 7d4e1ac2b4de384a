// The native SRTP engine: RFC 3711 (AES-CM with HMAC-SHA1) and RFC 7714 (AEAD AES-GCM)
// on OpenSSL's EVP interfaces. Every cipher and MAC context is keyed once when the
// session is made; a packet only sets an IV, so nothing is allocated per packet. Streams
// (one per SSRC: roll-over counter, replay windows, SRTCP index) are made on a sender's
// first packet, and on a receiver's first packet that authenticates.
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "base/endian.h"
#include "srtp/engine.h"
#include "base/replay_window.h"

namespace rtcstack::srtp {
namespace {

constexpr std::size_t kGcmTag = 16;
constexpr std::size_t kRtcpTrailer = 4;          // E flag and 31-bit SRTCP index
constexpr std::size_t kRtcpReplayWindow = 128;   // as libsrtp: reports are few
constexpr std::size_t kMaxStreams = 64;          // SSRCs one session keeps state for
constexpr std::uint32_t kMaxRtcpIndex = 0x7fffffff;

// RFC 3711 §4.3.1 labels; RTCP's are these plus 3.
constexpr std::uint8_t kCipherLabel = 0, kAuthLabel = 1, kSaltLabel = 2, kRtcpLabels = 3;

bool is_gcm(Profile profile) { return profile == Profile::kAeadAes128Gcm || profile == Profile::kAeadAes256Gcm; }

base::Error error(base::ErrorCode code, std::string message) { return base::make_error(code, "SRTP: " + std::move(message)); }

struct CipherDeleter {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
struct MacDeleter {
  void operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter>;
using MacContext = std::unique_ptr<EVP_MAC_CTX, MacDeleter>;

const EVP_CIPHER* ctr_cipher(std::size_t key_bytes) { return key_bytes == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr(); }
const EVP_CIPHER* gcm_cipher(std::size_t key_bytes) { return key_bytes == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm(); }

// RFC 3711 §4.3.3 with a key derivation rate of 0: AES-CM keystream under the master key
// from x = label (octet 7 of the 112-bit salt) XOR master salt, shifted left 16 bits. A
// 12-byte AEAD master salt is zero-extended (RFC 7714 §11, erratum 4938).
bool derive(base::ByteView master_key, base::ByteView master_salt, std::uint8_t label, base::MutableByteView out) {
  std::array<std::uint8_t, 16> counter{};
  std::copy(master_salt.begin(), master_salt.end(), counter.begin());
  counter[7] ^= label;
  CipherContext context(EVP_CIPHER_CTX_new());
  std::fill(out.begin(), out.end(), 0);
  int written = 0;
  return context && EVP_EncryptInit_ex(context.get(), ctr_cipher(master_key.size()), nullptr, master_key.data(),
                                       counter.data()) == 1 &&
         EVP_EncryptUpdate(context.get(), out.data(), &written, out.data(), static_cast<int>(out.size())) == 1;
}

// The session keys of RTP or of RTCP, and the contexts keyed with them.
struct Keys {
  std::array<std::uint8_t, 14> salt{};  // 14 bytes for AES-CM, the first 12 for GCM
  CipherContext cipher;
  MacContext mac;  // AES-CM only
};

base::Result<Keys> make_keys(Profile profile, Direction direction, base::ByteView key, base::ByteView salt, bool rtcp) {
  const std::uint8_t offset = rtcp ? kRtcpLabels : 0;
  Keys keys;
  std::array<std::uint8_t, 32> cipher_key{};
  std::array<std::uint8_t, 20> auth_key{};
  const std::size_t salt_bytes = is_gcm(profile) ? 12 : 14;
  bool ok = derive(key, salt, kCipherLabel + offset, {cipher_key.data(), key.size()}) &&
            derive(key, salt, kSaltLabel + offset, {keys.salt.data(), salt_bytes}) &&
            (is_gcm(profile) || derive(key, salt, kAuthLabel + offset, auth_key));
  keys.cipher.reset(EVP_CIPHER_CTX_new());
  ok = ok && keys.cipher != nullptr;
  if (ok && is_gcm(profile)) {
    ok = EVP_CipherInit_ex(keys.cipher.get(), gcm_cipher(key.size()), nullptr, cipher_key.data(), nullptr,
                           direction == Direction::kSend ? 1 : 0) == 1;
  } else if (ok) {
    // Counter mode is its own inverse: both directions encrypt.
    ok = EVP_EncryptInit_ex(keys.cipher.get(), ctr_cipher(key.size()), nullptr, cipher_key.data(), nullptr) == 1;
    EVP_MAC* hmac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    keys.mac.reset(hmac != nullptr ? EVP_MAC_CTX_new(hmac) : nullptr);
    EVP_MAC_free(hmac);  // the context holds its own reference
    char digest[] = "SHA1";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
    ok = ok && keys.mac && EVP_MAC_init(keys.mac.get(), auth_key.data(), auth_key.size(), params) == 1;
  }
  OPENSSL_cleanse(cipher_key.data(), cipher_key.size());
  OPENSSL_cleanse(auth_key.data(), auth_key.size());
  if (!ok) return error(base::ErrorCode::kInternal, "OpenSSL could not set up the session keys");
  return keys;
}

struct Stream {
  Stream(std::uint32_t ssrc, std::size_t window) : ssrc(ssrc), rtp_window(window), rtcp_window(kRtcpReplayWindow) {}
  std::uint32_t ssrc;
  bool rtp_seen = false;
  std::uint16_t last_sequence = 0;  // s_l of RFC 3711 §3.3.1
  std::uint32_t roc = 0;
  base::ReplayWindow rtp_window;
  std::uint32_t rtcp_index = 0;  // the last one sent
  base::ReplayWindow rtcp_window;
};

std::size_t rtp_header_size(base::ByteView packet) {
  std::size_t size = 12 + 4 * std::size_t{packet[0] & 0x0fu};
  if ((packet[0] & 0x10u) != 0) {
    if (packet.size() < size + 4) return packet.size() + 1;
    size += 4 + 4 * std::size_t{base::load_be16(packet.data() + size + 2)};
  }
  return size;
}

class NativeEngine final : public Engine {
 public:
  NativeEngine(Profile profile, Keys rtp, Keys rtcp, std::size_t window)
      : profile_(profile), rtp_(std::move(rtp)), rtcp_(std::move(rtcp)), window_(window) {
    streams_.reserve(4);
  }

  base::Result<std::size_t> protect_rtp(base::MutableByteView buffer, std::size_t length) override {
    const base::ByteView packet(buffer.data(), length);
    const std::size_t header = rtp_header_size(packet);
    if (header > length) return error(base::ErrorCode::kMalformed, "protect RTP: the header runs past the packet");
    Stream* stream = find_or_add(base::load_be32(packet.data() + 8));
    if (stream == nullptr) return too_many_streams();
    const std::uint16_t sequence = base::load_be16(packet.data() + 2);
    const std::uint64_t index = estimate(*stream, sequence);
    // A retransmission may repeat an index (senders allow it, as libsrtp's allow_repeat_tx
    // does), but a packet older than the receiver's window would only be dropped there.
    if (stream->rtp_window.check(index) == base::ReplayWindow::Verdict::kTooOld) {
      return error(base::ErrorCode::kWrongState, "protect RTP: replay window passed (packet too old for the receiver)");
    }
    stream->rtp_window.accept(index);
    advance(*stream, index);
    const auto roc = static_cast<std::uint32_t>(index >> 16);
    if (is_gcm(profile_)) {
      const auto iv = gcm_iv(rtp_.salt, stream->ssrc, roc, sequence);
      if (!gcm_seal(rtp_, iv, packet.first(header), buffer.subspan(header, length - header), buffer.subspan(length, kGcmTag))) {
        return crypto_failed("protect RTP");
      }
      return length + kGcmTag;
    }
    if (!ctr_apply(rtp_, cm_iv(rtp_.salt, stream->ssrc, index), buffer.subspan(header, length - header))) {
      return crypto_failed("protect RTP");
    }
    // RFC 3711 §4.2: the tag covers the packet and then the ROC.
    std::array<std::uint8_t, 4> roc_bytes{};
    base::store_be32(roc_bytes.data(), roc);
    const std::size_t tag = rtp_tag_size();
    if (!hmac(rtp_, packet, roc_bytes, buffer.subspan(length, tag))) return crypto_failed("protect RTP");
    return length + tag;
  }

  base::Result<std::size_t> protect_rtcp(base::MutableByteView buffer, std::size_t length) override {
    Stream* stream = find_or_add(base::load_be32(buffer.data() + 4));
    if (stream == nullptr) return too_many_streams();
    if (stream->rtcp_index == kMaxRtcpIndex) {
      return error(base::ErrorCode::kResourceExhausted, "protect RTCP: the SRTCP index is used up; rekey");
    }
    const std::uint32_t index = ++stream->rtcp_index;
    std::array<std::uint8_t, kRtcpTrailer> trailer{};
    base::store_be32(trailer.data(), 0x80000000u | index);  // E: encrypted
    if (is_gcm(profile_)) {
      // RFC 7714 §9: AAD is the first 8 octets and E || index; the trailer follows the tag.
      std::array<std::uint8_t, 12> aad{};
      std::copy_n(buffer.data(), 8, aad.begin());
      std::copy(trailer.begin(), trailer.end(), aad.begin() + 8);
      const auto iv = gcm_iv(rtcp_.salt, stream->ssrc, index >> 16, static_cast<std::uint16_t>(index));
      if (!gcm_seal(rtcp_, iv, aad, buffer.subspan(8, length - 8), buffer.subspan(length, kGcmTag))) {
        return crypto_failed("protect RTCP");
      }
      std::copy(trailer.begin(), trailer.end(), buffer.begin() + static_cast<std::ptrdiff_t>(length + kGcmTag));
      return length + kGcmTag + kRtcpTrailer;
    }
    if (!ctr_apply(rtcp_, cm_iv(rtcp_.salt, stream->ssrc, index), buffer.subspan(8, length - 8))) {
      return crypto_failed("protect RTCP");
    }
    std::copy(trailer.begin(), trailer.end(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
    const std::size_t covered = length + kRtcpTrailer;
    // RFC 5764 §4.1.2: SRTCP keeps the 80-bit tag in both AES-CM profiles.
    if (!hmac(rtcp_, {buffer.data(), covered}, {}, buffer.subspan(covered, 10))) return crypto_failed("protect RTCP");
    return covered + 10;
  }

  base::Result<std::size_t> unprotect_rtp(base::MutableByteView packet) override {
    const std::size_t tag = is_gcm(profile_) ? kGcmTag : rtp_tag_size();
    if (packet.size() < 12 + tag) return error(base::ErrorCode::kMalformed, "unprotect RTP: too short for the tag");
    const std::size_t length = packet.size() - tag;
    const std::size_t header = rtp_header_size(packet.first(length));
    if (header > length) return error(base::ErrorCode::kMalformed, "unprotect RTP: the header runs past the packet");
    const std::uint32_t ssrc = base::load_be32(packet.data() + 8);
    const std::uint16_t sequence = base::load_be16(packet.data() + 2);
    Stream* known = find(ssrc);
    // A stream yet to authenticate has seen nothing: ROC 0.
    const std::uint64_t index = known != nullptr ? estimate(*known, sequence) : sequence;
    if (known != nullptr) {
      if (auto verdict = known->rtp_window.check(index); verdict != base::ReplayWindow::Verdict::kNew) return replay(verdict, "RTP");
    }
    const auto roc = static_cast<std::uint32_t>(index >> 16);
    if (is_gcm(profile_)) {
      const auto iv = gcm_iv(rtp_.salt, ssrc, roc, sequence);
      if (!gcm_open(rtp_, iv, packet.first(header), packet.subspan(header, length - header), packet.subspan(length, tag))) {
        return auth_failed("RTP");
      }
    } else {
      std::array<std::uint8_t, 4> roc_bytes{};
      base::store_be32(roc_bytes.data(), roc);
      std::array<std::uint8_t, 20> expected{};
      if (!hmac(rtp_, packet.first(length), roc_bytes, {expected.data(), tag})) return crypto_failed("unprotect RTP");
      if (CRYPTO_memcmp(expected.data(), packet.data() + length, tag) != 0) return auth_failed("RTP");
      if (!ctr_apply(rtp_, cm_iv(rtp_.salt, ssrc, index), packet.subspan(header, length - header))) {
        return crypto_failed("unprotect RTP");
      }
    }
    Stream* stream_state = known != nullptr ? known : find_or_add(ssrc);
    if (stream_state == nullptr) return too_many_streams();
    stream_state->rtp_window.accept(index);
    advance(*stream_state, index);
    return length;
  }

  base::Result<std::size_t> unprotect_rtcp(base::MutableByteView packet) override {
    const bool gcm = is_gcm(profile_);
    const std::size_t tag = gcm ? kGcmTag : 10;
    if (packet.size() < 8 + tag + kRtcpTrailer) return error(base::ErrorCode::kMalformed, "unprotect RTCP: too short");
    // AES-CM: ... E||index, tag.  GCM: ... tag, E||index.
    const std::size_t trailer_at = gcm ? packet.size() - kRtcpTrailer : packet.size() - tag - kRtcpTrailer;
    const std::size_t length = gcm ? packet.size() - kRtcpTrailer - tag : trailer_at;
    const std::uint32_t e_index = base::load_be32(packet.data() + trailer_at);
    const bool encrypted = (e_index & 0x80000000u) != 0;
    const std::uint32_t index = e_index & kMaxRtcpIndex;
    const std::uint32_t ssrc = base::load_be32(packet.data() + 4);
    Stream* known = find(ssrc);
    if (known != nullptr) {
      if (auto verdict = known->rtcp_window.check(index); verdict != base::ReplayWindow::Verdict::kNew) return replay(verdict, "RTCP");
    }
    if (gcm) {
      const auto iv = gcm_iv(rtcp_.salt, ssrc, index >> 16, static_cast<std::uint16_t>(index));
      std::array<std::uint8_t, 12> aad{};
      std::copy_n(packet.data(), 8, aad.begin());
      base::store_be32(aad.data() + 8, e_index);
      const bool ok = encrypted ? gcm_open(rtcp_, iv, aad, packet.subspan(8, length - 8), packet.subspan(length, tag))
                                // RFC 7714 §9.3: unencrypted, the whole packet is associated data.
                                : gcm_open(rtcp_, iv, packet.first(length), {}, packet.subspan(length, tag), aad.data() + 8);
      if (!ok) return auth_failed("RTCP");
    } else {
      std::array<std::uint8_t, 20> expected{};
      if (!hmac(rtcp_, packet.first(trailer_at + kRtcpTrailer), {}, {expected.data(), tag})) return crypto_failed("unprotect RTCP");
      if (CRYPTO_memcmp(expected.data(), packet.data() + trailer_at + kRtcpTrailer, tag) != 0) return auth_failed("RTCP");
      if (encrypted && !ctr_apply(rtcp_, cm_iv(rtcp_.salt, ssrc, index), packet.subspan(8, length - 8))) {
        return crypto_failed("unprotect RTCP");
      }
    }
    Stream* stream = known != nullptr ? known : find_or_add(ssrc);
    if (stream == nullptr) return too_many_streams();
    stream->rtcp_window.accept(index);
    return length;
  }

 private:
  std::size_t rtp_tag_size() const { return profile_ == Profile::kAes128CmSha1_32 ? 4 : 10; }

  Stream* find(std::uint32_t ssrc) {
    for (Stream& stream : streams_) {
      if (stream.ssrc == ssrc) return &stream;
    }
    return nullptr;
  }
  Stream* find_or_add(std::uint32_t ssrc) {
    if (Stream* stream = find(ssrc)) return stream;
    if (streams_.size() == kMaxStreams) return nullptr;
    return &streams_.emplace_back(ssrc, window_);
  }

  // RFC 3711 §3.3.1 and Appendix A: the index closest to the highest seen. While the
  // ROC is 0 there is no earlier roll-over to fall back to: a sequence number far ahead is
  // a jump forward (as libsrtp reads it too).
  static std::uint64_t estimate(const Stream& stream, std::uint16_t sequence) {
    if (!stream.rtp_seen) return sequence;
    std::uint64_t roc = stream.roc;
    if (stream.last_sequence < 32768) {
      if (sequence - stream.last_sequence > 32768 && roc > 0) --roc;
    } else if (stream.last_sequence - 32768 > sequence) {
      ++roc;
    }
    return (roc << 16) | sequence;
  }
  static void advance(Stream& stream, std::uint64_t index) {
    const std::uint64_t highest = (std::uint64_t{stream.roc} << 16) | stream.last_sequence;
    if (!stream.rtp_seen || index > highest) {
      stream.rtp_seen = true;
      stream.roc = static_cast<std::uint32_t>(index >> 16);
      stream.last_sequence = static_cast<std::uint16_t>(index);
    }
  }

  // RFC 3711 §4.1.1: (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16).
  static std::array<std::uint8_t, 16> cm_iv(const std::array<std::uint8_t, 14>& salt, std::uint32_t ssrc, std::uint64_t index) {
    std::array<std::uint8_t, 16> iv{};
    std::copy(salt.begin(), salt.end(), iv.begin());
    for (int i = 0; i < 4; ++i) iv[static_cast<std::size_t>(4 + i)] ^= static_cast<std::uint8_t>(ssrc >> (24 - 8 * i));
    for (int i = 0; i < 6; ++i) iv[static_cast<std::size_t>(8 + i)] ^= static_cast<std::uint8_t>(index >> (40 - 8 * i));
    return iv;
  }
  // RFC 7714 §8.1 / §9.1: salt XOR (0x0000 || SSRC || ROC || SEQ), 12 octets.
  static std::array<std::uint8_t, 12> gcm_iv(const std::array<std::uint8_t, 14>& salt, std::uint32_t ssrc, std::uint32_t roc,
                                             std::uint16_t sequence) {
    std::array<std::uint8_t, 12> iv{};
    base::store_be32(iv.data() + 2, ssrc);
    base::store_be32(iv.data() + 6, roc);
    base::store_be16(iv.data() + 10, sequence);
    for (std::size_t i = 0; i < iv.size(); ++i) iv[i] ^= salt[i];
    return iv;
  }

  static bool ctr_apply(const Keys& keys, const std::array<std::uint8_t, 16>& iv, base::MutableByteView data) {
    int written = 0;
    return EVP_EncryptInit_ex(keys.cipher.get(), nullptr, nullptr, nullptr, iv.data()) == 1 &&
           (data.empty() || EVP_EncryptUpdate(keys.cipher.get(), data.data(), &written, data.data(),
                                              static_cast<int>(data.size())) == 1);
  }
  static bool hmac(const Keys& keys, base::ByteView data, base::ByteView suffix, base::MutableByteView tag) {
    std::array<std::uint8_t, 20> full{};
    std::size_t out = 0;
    // A null key re-initialises the context with the key it already holds.
    if (EVP_MAC_init(keys.mac.get(), nullptr, 0, nullptr) != 1 || EVP_MAC_update(keys.mac.get(), data.data(), data.size()) != 1 ||
        (!suffix.empty() && EVP_MAC_update(keys.mac.get(), suffix.data(), suffix.size()) != 1) ||
        EVP_MAC_final(keys.mac.get(), full.data(), &out, full.size()) != 1) {
      return false;
    }
    std::copy_n(full.begin(), tag.size(), tag.begin());
    return true;
  }
  static bool gcm_seal(const Keys& keys, const std::array<std::uint8_t, 12>& iv, base::ByteView aad,
                       base::MutableByteView data, base::MutableByteView tag) {
    EVP_CIPHER_CTX* context = keys.cipher.get();
    int written = 0;
    return EVP_CipherInit_ex(context, nullptr, nullptr, nullptr, iv.data(), -1) == 1 &&
           EVP_EncryptUpdate(context, nullptr, &written, aad.data(), static_cast<int>(aad.size())) == 1 &&
           (data.empty() || EVP_EncryptUpdate(context, data.data(), &written, data.data(), static_cast<int>(data.size())) == 1) &&
           EVP_EncryptFinal_ex(context, nullptr, &written) == 1 &&
           EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag.size()), tag.data()) == 1;
  }
  // Decrypts `data` in place when the tag verifies; `more_aad` (4 bytes) follows `aad`.
  static bool gcm_open(const Keys& keys, const std::array<std::uint8_t, 12>& iv, base::ByteView aad,
                       base::MutableByteView data, base::MutableByteView tag, const std::uint8_t* more_aad = nullptr) {
    EVP_CIPHER_CTX* context = keys.cipher.get();
    int written = 0;
    return EVP_CipherInit_ex(context, nullptr, nullptr, nullptr, iv.data(), -1) == 1 &&
           EVP_DecryptUpdate(context, nullptr, &written, aad.data(), static_cast<int>(aad.size())) == 1 &&
           (more_aad == nullptr || EVP_DecryptUpdate(context, nullptr, &written, more_aad, kRtcpTrailer) == 1) &&
           (data.empty() || EVP_DecryptUpdate(context, data.data(), &written, data.data(), static_cast<int>(data.size())) == 1) &&
           EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag.size()), tag.data()) == 1 &&
           EVP_DecryptFinal_ex(context, nullptr, &written) == 1;
  }

  static base::Error replay(base::ReplayWindow::Verdict verdict, const char* what) {
    return verdict == base::ReplayWindow::Verdict::kReplay
               ? error(base::ErrorCode::kWrongState, std::string("unprotect ") + what + ": replay of a packet already seen")
               : error(base::ErrorCode::kWrongState, std::string("unprotect ") + what + ": replay window passed (packet too old)");
  }
  static base::Error auth_failed(const char* what) {
    return error(base::ErrorCode::kAuthentication, std::string("unprotect ") + what + ": authentication tag mismatch");
  }
  static base::Error crypto_failed(const char* what) {
    return error(base::ErrorCode::kInternal, std::string(what) + ": OpenSSL failed");
  }
  static base::Error too_many_streams() {
    return error(base::ErrorCode::kResourceExhausted, "more than " + std::to_string(kMaxStreams) + " SSRCs in one session");
  }

  Profile profile_;
  Keys rtp_, rtcp_;
  std::size_t window_;
  std::vector<Stream> streams_;
};

}  // namespace

base::Result<std::unique_ptr<Engine>> make_native_engine(Profile profile, Direction direction, base::ByteView key,
                                                         base::ByteView salt, std::size_t replay_window) {
  auto rtp = make_keys(profile, direction, key, salt, false);
  if (!rtp) return rtp.error();
  auto rtcp = make_keys(profile, direction, key, salt, true);
  if (!rtcp) return rtcp.error();
  return std::unique_ptr<Engine>(std::make_unique<NativeEngine>(profile, std::move(*rtp), std::move(*rtcp), replay_window));
}

}  // namespace rtcstack::srtp
