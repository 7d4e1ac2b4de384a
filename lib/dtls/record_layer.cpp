#include "dtls/record_layer.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ssl.h>

#include <array>
#include <cstring>
#include <string>


namespace rtcstack::dtls {
namespace {

constexpr std::size_t kTag = 16;
constexpr std::size_t kExplicitNonce = 8;  // GCM only (RFC 5288 §3)
constexpr std::size_t kNonce = 12;
constexpr std::size_t kAad = 13;  // epoch and sequence, type, version, length (RFC 5246 §6.2.3.3)
constexpr std::uint8_t kVersion[2] = {0xfe, 0xfd};  // DTLS 1.2
constexpr std::uint64_t kMaxSequence = (std::uint64_t{1} << 48) - 1;

base::Error error(base::ErrorCode code, std::string message) { return base::make_error(code, "DTLS record: " + std::move(message)); }

bool is_gcm(RecordLayer::Suite suite) { return suite != RecordLayer::Suite::kChaCha20Poly1305; }

const EVP_CIPHER* cipher_of(RecordLayer::Suite suite) {
  switch (suite) {
    case RecordLayer::Suite::kAes128Gcm: return EVP_aes_128_gcm();
    case RecordLayer::Suite::kAes256Gcm: return EVP_aes_256_gcm();
    case RecordLayer::Suite::kChaCha20Poly1305: return EVP_chacha20_poly1305();
  }
  return nullptr;
}

std::size_t key_size(RecordLayer::Suite suite) { return suite == RecordLayer::Suite::kAes128Gcm ? 16 : 32; }
std::size_t iv_size(RecordLayer::Suite suite) { return is_gcm(suite) ? 4 : 12; }

void put_epoch_and_sequence(std::uint64_t epoch_and_sequence, std::uint8_t* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<std::uint8_t>(epoch_and_sequence);
    epoch_and_sequence >>= 8;
  }
}

void additional_data(std::uint64_t epoch_and_sequence, ContentType type, std::size_t length, std::uint8_t* out) {
  put_epoch_and_sequence(epoch_and_sequence, out);
  out[8] = static_cast<std::uint8_t>(type);
  out[9] = kVersion[0];
  out[10] = kVersion[1];
  out[11] = static_cast<std::uint8_t>(length >> 8);
  out[12] = static_cast<std::uint8_t>(length);
}

// The TLS 1.2 PRF (RFC 5246 §5) through OpenSSL's KDF, fetched once for the process.
bool prf(const EVP_MD* digest, base::ByteView secret, base::ByteView seed, base::MutableByteView out) {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_TLS1_PRF, nullptr);
  if (kdf == nullptr || digest == nullptr) return false;
  EVP_KDF_CTX* context = EVP_KDF_CTX_new(kdf);
  if (context == nullptr) return false;
  std::string digest_name = EVP_MD_get0_name(digest);
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, const_cast<std::uint8_t*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, const_cast<std::uint8_t*>(seed.data()), seed.size()),
      OSSL_PARAM_construct_end()};
  const bool ok = EVP_KDF_derive(context, out.data(), out.size(), params) == 1;
  EVP_KDF_CTX_free(context);
  return ok;
}

}  // namespace

bool RecordHeader::read(base::ByteView bytes, RecordHeader& out) {
  if (bytes.size() < kSize) return false;
  out.type = bytes[0];
  out.epoch = static_cast<std::uint16_t>((bytes[3] << 8) | bytes[4]);
  out.sequence = 0;
  for (std::size_t i = 5; i < 11; ++i) out.sequence = (out.sequence << 8) | bytes[i];
  out.length = (std::size_t{bytes[11]} << 8) | bytes[12];
  return true;
}

// One context per direction, keyed once; each record only sets its nonce.
struct RecordLayer::Contexts {
  EVP_CIPHER_CTX* write = EVP_CIPHER_CTX_new();
  EVP_CIPHER_CTX* read = EVP_CIPHER_CTX_new();
  std::array<std::uint8_t, kNonce> write_iv{};
  std::array<std::uint8_t, kNonce> read_iv{};
  ~Contexts() {
    EVP_CIPHER_CTX_free(write);
    EVP_CIPHER_CTX_free(read);
  }
};

RecordLayer::RecordLayer(Suite suite, std::unique_ptr<Contexts> contexts, std::uint64_t next_write_sequence)
    : suite_(suite), contexts_(std::move(contexts)), write_sequence_(next_write_sequence) {}
RecordLayer::RecordLayer(RecordLayer&&) noexcept = default;
RecordLayer& RecordLayer::operator=(RecordLayer&&) noexcept = default;
RecordLayer::~RecordLayer() = default;

base::Result<RecordLayer> RecordLayer::from_keys(Suite suite, base::ByteView write_key, base::ByteView write_iv,
                                                 base::ByteView read_key, base::ByteView read_iv,
                                                 std::uint64_t next_write_sequence) {
  if (write_key.size() != key_size(suite) || read_key.size() != key_size(suite) || write_iv.size() != iv_size(suite) ||
      read_iv.size() != iv_size(suite)) {
    return error(base::ErrorCode::kInvalidArgument, "key or IV of the wrong size for the suite");
  }
  auto contexts = std::make_unique<Contexts>();
  std::memcpy(contexts->write_iv.data(), write_iv.data(), write_iv.size());
  std::memcpy(contexts->read_iv.data(), read_iv.data(), read_iv.size());
  const EVP_CIPHER* cipher = cipher_of(suite);
  if (contexts->write == nullptr || contexts->read == nullptr ||
      EVP_CipherInit_ex(contexts->write, cipher, nullptr, write_key.data(), nullptr, 1) != 1 ||
      EVP_CipherInit_ex(contexts->read, cipher, nullptr, read_key.data(), nullptr, 0) != 1) {
    return error(base::ErrorCode::kInternal, "OpenSSL could not set up the record keys");
  }
  return RecordLayer(suite, std::move(contexts), next_write_sequence);
}

base::Result<RecordLayer> RecordLayer::from_session(SSL* ssl, bool client, std::uint64_t next_write_sequence) {
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  SSL_SESSION* session = SSL_get_session(ssl);
  if (cipher == nullptr || session == nullptr) return error(base::ErrorCode::kWrongState, "no established session");
  Suite suite;
  switch (SSL_CIPHER_get_cipher_nid(cipher)) {
    case NID_aes_128_gcm: suite = Suite::kAes128Gcm; break;
    case NID_aes_256_gcm: suite = Suite::kAes256Gcm; break;
    case NID_chacha20_poly1305: suite = Suite::kChaCha20Poly1305; break;
    default:
      return error(base::ErrorCode::kUnsupported, std::string("cipher suite ") + SSL_CIPHER_get_name(cipher) + " is not an AEAD suite");
  }
  // RFC 5246 §6.3: key_block = PRF(master_secret, "key expansion", server_random + client_random),
  // cut into client write key, server write key, client write IV, server write IV.
  std::array<std::uint8_t, 48> master{};
  static constexpr char kLabel[] = "key expansion";
  constexpr std::size_t kLabelSize = sizeof kLabel - 1;
  std::array<std::uint8_t, kLabelSize + 64> seed{};
  std::memcpy(seed.data(), kLabel, kLabelSize);
  std::array<std::uint8_t, 2 * 32 + 2 * kNonce> block{};
  const std::size_t key = key_size(suite), iv = iv_size(suite);
  const bool derived = SSL_SESSION_get_master_key(session, master.data(), master.size()) == master.size() &&
                       SSL_get_server_random(ssl, seed.data() + kLabelSize, 32) == 32 &&
                       SSL_get_client_random(ssl, seed.data() + kLabelSize + 32, 32) == 32 &&
                       prf(SSL_CIPHER_get_handshake_digest(cipher), master, seed, {block.data(), 2 * key + 2 * iv});
  OPENSSL_cleanse(master.data(), master.size());
  if (!derived) {
    OPENSSL_cleanse(block.data(), block.size());
    return error(base::ErrorCode::kInternal, "deriving the record keys failed");
  }
  const base::ByteView b(block.data(), 2 * key + 2 * iv);
  const base::ByteView client_key = b.subspan(0, key), server_key = b.subspan(key, key);
  const base::ByteView client_iv = b.subspan(2 * key, iv), server_iv = b.subspan(2 * key + iv, iv);
  auto layer = client ? from_keys(suite, client_key, client_iv, server_key, server_iv, next_write_sequence)
                      : from_keys(suite, server_key, server_iv, client_key, client_iv, next_write_sequence);
  OPENSSL_cleanse(block.data(), block.size());
  return layer;
}

std::size_t RecordLayer::overhead() const { return RecordHeader::kSize + (is_gcm(suite_) ? kExplicitNonce : 0) + kTag; }

void RecordLayer::nonce(const std::uint8_t* iv, std::uint64_t epoch_and_sequence, std::uint8_t* out) const {
  std::memcpy(out, iv, kNonce);
  if (is_gcm(suite_)) {
    put_epoch_and_sequence(epoch_and_sequence, out + 4);  // fixed salt, then the explicit part
    return;
  }
  std::uint8_t counter[8];
  put_epoch_and_sequence(epoch_and_sequence, counter);
  for (std::size_t i = 0; i < 8; ++i) out[4 + i] ^= counter[i];
}

base::Result<std::size_t> RecordLayer::seal(ContentType type, base::ByteView payload, base::MutableByteView out) {
  const std::size_t size = payload.size() + overhead();
  if (out.size() < size) return error(base::ErrorCode::kInvalidArgument, "no room for the record");
  if (size - RecordHeader::kSize > 0xffff) return error(base::ErrorCode::kInvalidArgument, "payload too large for one record");
  if (write_sequence_ > kMaxSequence) return error(base::ErrorCode::kWrongState, "sequence numbers exhausted");
  const std::uint64_t epoch_and_sequence = (std::uint64_t{kEpoch} << 48) | write_sequence_;
  std::uint8_t* p = out.data();
  p[0] = static_cast<std::uint8_t>(type);
  p[1] = kVersion[0];
  p[2] = kVersion[1];
  put_epoch_and_sequence(epoch_and_sequence, p + 3);  // epoch (2) and sequence (6)
  const std::size_t fragment = size - RecordHeader::kSize;
  p[11] = static_cast<std::uint8_t>(fragment >> 8);
  p[12] = static_cast<std::uint8_t>(fragment);
  std::uint8_t* body = p + RecordHeader::kSize;
  if (is_gcm(suite_)) {
    put_epoch_and_sequence(epoch_and_sequence, body);  // the explicit nonce: unique per record
    body += kExplicitNonce;
  }
  std::uint8_t iv[kNonce], aad[kAad];
  nonce(contexts_->write_iv.data(), epoch_and_sequence, iv);
  additional_data(epoch_and_sequence, type, payload.size(), aad);
  EVP_CIPHER_CTX* context = contexts_->write;
  int written = 0;
  const bool ok = EVP_CipherInit_ex(context, nullptr, nullptr, nullptr, iv, -1) == 1 &&
                  EVP_EncryptUpdate(context, nullptr, &written, aad, kAad) == 1 &&
                  (payload.empty() ||
                   EVP_EncryptUpdate(context, body, &written, payload.data(), static_cast<int>(payload.size())) == 1) &&
                  EVP_EncryptFinal_ex(context, nullptr, &written) == 1 &&
                  EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, kTag, body + payload.size()) == 1;
  if (!ok) return error(base::ErrorCode::kInternal, "OpenSSL could not seal the record");
  ++write_sequence_;
  return size;
}

base::Result<RecordLayer::Opened> RecordLayer::open(const RecordHeader& header, base::ByteView record,
                                                    base::MutableByteView out) {
  if (header.epoch != kEpoch) return error(base::ErrorCode::kInvalidArgument, "record of epoch " + std::to_string(header.epoch));
  const std::size_t prefix = is_gcm(suite_) ? kExplicitNonce : 0;
  if (record.size() != RecordHeader::kSize + header.length || header.length < prefix + kTag) {
    return error(base::ErrorCode::kMalformed, "record too short for its cipher");
  }
  if (record[1] != kVersion[0] || record[2] != kVersion[1]) return error(base::ErrorCode::kMalformed, "record not of DTLS 1.2");
  const base::ReplayWindow::Verdict verdict = window_.check(header.sequence);
  if (verdict != base::ReplayWindow::Verdict::kNew) {
    return error(base::ErrorCode::kAuthentication,
                 verdict == base::ReplayWindow::Verdict::kReplay ? "replayed record" : "record too old for the replay window");
  }
  const std::size_t size = header.length - prefix - kTag;
  if (out.size() < size) return error(base::ErrorCode::kInvalidArgument, "no room for the plaintext");
  const std::uint8_t* fragment = record.data() + RecordHeader::kSize;
  const std::uint64_t epoch_and_sequence = (std::uint64_t{header.epoch} << 48) | header.sequence;
  std::uint8_t iv[kNonce], aad[kAad];
  nonce(contexts_->read_iv.data(), epoch_and_sequence, iv);
  if (is_gcm(suite_)) std::memcpy(iv + 4, fragment, kExplicitNonce);  // whatever the sender chose
  const auto type = static_cast<ContentType>(header.type);
  additional_data(epoch_and_sequence, type, size, aad);
  EVP_CIPHER_CTX* context = contexts_->read;
  int written = 0;
  const bool ok =
      EVP_CipherInit_ex(context, nullptr, nullptr, nullptr, iv, -1) == 1 &&
      EVP_DecryptUpdate(context, nullptr, &written, aad, kAad) == 1 &&
      (size == 0 || EVP_DecryptUpdate(context, out.data(), &written, fragment + prefix, static_cast<int>(size)) == 1) &&
      EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, kTag, const_cast<std::uint8_t*>(fragment + prefix + size)) == 1 &&
      EVP_DecryptFinal_ex(context, nullptr, &written) == 1;
  if (!ok) {
    OPENSSL_cleanse(out.data(), size);  // nothing of a forged record leaves
    return error(base::ErrorCode::kAuthentication, "record does not authenticate");
  }
  window_.accept(header.sequence);
  return Opened{type, size};
}

}  // namespace rtcstack::dtls
