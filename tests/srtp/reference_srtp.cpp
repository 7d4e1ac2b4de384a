#include "reference_srtp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <memory>

#include "base/endian.h"

namespace rtcstack::testing::reference_srtp {
namespace {

using srtp::Profile;

// Labels of RFC 3711 §4.3.1; RTCP's are the RTP ones plus 3.
constexpr std::uint8_t kCipherLabel = 0, kAuthLabel = 1, kSaltLabel = 2, kRtcpLabelOffset = 3;
constexpr std::size_t kGcmTag = 16, kHmacKey = 20, kCmSalt = 14, kGcmSalt = 12;

bool is_aead(Profile profile) { return profile == Profile::kAeadAes128Gcm || profile == Profile::kAeadAes256Gcm; }

void require(bool ok) {
  if (!ok) std::abort();  // OpenSSL refusing a fixed-size operation is a broken test build
}

struct CipherContextFree {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree>;

const EVP_CIPHER* ctr_cipher(std::size_t key_size) { return key_size == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr(); }
const EVP_CIPHER* gcm_cipher(std::size_t key_size) { return key_size == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm(); }

// RFC 3550 §5.1: fixed header, CSRCs, then the extension if X is set.
std::size_t rtp_header_size(base::ByteView packet) {
  std::size_t size = 12 + 4 * (packet[0] & 0x0f);
  if (packet[0] & 0x10) size += 4 + 4 * std::size_t{base::load_be16(packet.data() + size + 2)};
  return size;
}

// (ssrc, index) placed as RFC 3711 §4.1.1 places them in the 128-bit counter block,
// XORed with the session salt shifted left by 16 bits.
Bytes cm_counter(const Bytes& salt, std::uint32_t ssrc, std::uint64_t index) {
  Bytes counter(16, 0);
  std::copy(salt.begin(), salt.end(), counter.begin());
  std::uint8_t fields[16] = {};
  base::store_be32(fields + 4, ssrc);
  base::store_be16(fields + 8, static_cast<std::uint16_t>(index >> 32));
  base::store_be32(fields + 10, static_cast<std::uint32_t>(index));
  for (std::size_t i = 0; i < 16; ++i) counter[i] ^= fields[i];
  return counter;
}

// RFC 7714 §8.1 / §9.1: the 12-byte IV, two zero octets, SSRC, then 48 bits of index
// (ROC || SEQ for RTP; 16 zero bits || 31-bit index for RTCP), XORed with the salt.
Bytes gcm_iv(const Bytes& salt, std::uint32_t ssrc, std::uint32_t high, std::uint16_t low) {
  Bytes iv(kGcmSalt, 0);
  base::store_be32(iv.data() + 2, ssrc);
  base::store_be32(iv.data() + 6, high);
  base::store_be16(iv.data() + 10, low);
  for (std::size_t i = 0; i < kGcmSalt; ++i) iv[i] ^= salt[i];
  return iv;
}

// Encrypts data after `aad` in place and returns the tag.
Bytes gcm_seal(const Bytes& key, const Bytes& iv, base::ByteView aad, std::uint8_t* data, std::size_t size) {
  CipherContext context(EVP_CIPHER_CTX_new());
  require(context != nullptr);
  require(EVP_EncryptInit_ex(context.get(), gcm_cipher(key.size()), nullptr, key.data(), iv.data()) == 1);
  int written = 0;
  require(EVP_EncryptUpdate(context.get(), nullptr, &written, aad.data(), static_cast<int>(aad.size())) == 1);
  if (size > 0) require(EVP_EncryptUpdate(context.get(), data, &written, data, static_cast<int>(size)) == 1);
  require(EVP_EncryptFinal_ex(context.get(), data + size, &written) == 1 && written == 0);
  Bytes tag(kGcmTag);
  require(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTag), tag.data()) == 1);
  return tag;
}

Bytes hmac_sha1(const Bytes& key, base::ByteView data, std::size_t tag_size) {
  std::uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  require(HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), digest,
               &digest_size) != nullptr);
  return Bytes(digest, digest + tag_size);
}

void append(Bytes& to, base::ByteView bytes) { to.insert(to.end(), bytes.begin(), bytes.end()); }

}  // namespace

Bytes aes_ctr(base::ByteView key, base::ByteView counter, base::ByteView data) {
  Bytes out(data.begin(), data.end());
  CipherContext context(EVP_CIPHER_CTX_new());
  require(context != nullptr);
  require(EVP_EncryptInit_ex(context.get(), ctr_cipher(key.size()), nullptr, key.data(), counter.data()) == 1);
  int written = 0;
  if (!out.empty()) require(EVP_EncryptUpdate(context.get(), out.data(), &written, out.data(), static_cast<int>(out.size())) == 1);
  return out;
}

Bytes derive(base::ByteView master_key, base::ByteView master_salt, std::uint8_t label, std::size_t length) {
  // x = (label || index DIV kdr) XOR master salt, right-aligned in 112 bits: with kdr 0
  // the label lands in octet 7. The counter block is x * 2^16.
  Bytes counter(16, 0);
  std::copy(master_salt.begin(), master_salt.end(), counter.begin());
  counter[7] ^= label;
  return aes_ctr(master_key, counter, Bytes(length, 0));
}

SessionKeys session_keys(Profile profile, base::ByteView master_key, base::ByteView master_salt, bool rtcp) {
  const std::uint8_t offset = rtcp ? kRtcpLabelOffset : 0;
  SessionKeys keys;
  keys.cipher_key = derive(master_key, master_salt, kCipherLabel + offset, master_key.size());
  keys.salt = derive(master_key, master_salt, kSaltLabel + offset, is_aead(profile) ? kGcmSalt : kCmSalt);
  if (!is_aead(profile)) keys.auth_key = derive(master_key, master_salt, kAuthLabel + offset, kHmacKey);
  return keys;
}

Bytes protect_rtp(Profile profile, const SessionKeys& keys, std::uint32_t roc, base::ByteView packet) {
  const std::size_t header = rtp_header_size(packet);
  const std::uint32_t ssrc = base::load_be32(packet.data() + 8);
  const std::uint16_t sequence = base::load_be16(packet.data() + 2);
  Bytes out(packet.begin(), packet.end());
  if (is_aead(profile)) {
    const Bytes tag = gcm_seal(keys.cipher_key, gcm_iv(keys.salt, ssrc, roc, sequence), packet.first(header),
                               out.data() + header, out.size() - header);
    append(out, tag);
    return out;
  }
  const std::uint64_t index = (std::uint64_t{roc} << 16) | sequence;
  const Bytes payload = aes_ctr(keys.cipher_key, cm_counter(keys.salt, ssrc, index), packet.subspan(header));
  std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(header));
  // RFC 3711 §4.2: the tag covers the authenticated portion followed by the ROC.
  Bytes authenticated = out;
  authenticated.resize(out.size() + 4);
  base::store_be32(authenticated.data() + out.size(), roc);
  append(out, hmac_sha1(keys.auth_key, authenticated, profile == Profile::kAes128CmSha1_32 ? 4 : 10));
  return out;
}

Bytes protect_rtcp(Profile profile, const SessionKeys& keys, std::uint32_t index, base::ByteView packet) {
  const std::uint32_t ssrc = base::load_be32(packet.data() + 4);
  std::uint8_t e_index[4];
  base::store_be32(e_index, 0x80000000u | index);
  Bytes out(packet.begin(), packet.end());
  if (is_aead(profile)) {
    // RFC 7714 §9.2: the associated data is the first 8 octets and then E || index.
    Bytes aad(packet.begin(), packet.begin() + 8);
    append(aad, e_index);
    const Bytes tag = gcm_seal(keys.cipher_key, gcm_iv(keys.salt, ssrc, index >> 16, static_cast<std::uint16_t>(index)),
                               aad, out.data() + 8, out.size() - 8);
    append(out, tag);
    append(out, e_index);
    return out;
  }
  const Bytes payload = aes_ctr(keys.cipher_key, cm_counter(keys.salt, ssrc, index), packet.subspan(8));
  std::copy(payload.begin(), payload.end(), out.begin() + 8);
  append(out, e_index);
  // RFC 5764 §4.1.2: SRTCP keeps an 80-bit tag even in the _32 profile.
  append(out, hmac_sha1(keys.auth_key, out, 10));
  return out;
}

}  // namespace rtcstack::testing::reference_srtp
