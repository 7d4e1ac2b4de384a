#include "stun/integrity.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rtcstack::stun {

namespace {

[[noreturn]] void openssl_failed(const char* what) {
  // These calls only fail when OpenSSL is broken or out of memory; no STUN input can
  // cause it, and continuing without integrity would be unsafe.
  std::fprintf(stderr, "rtcstack: OpenSSL %s failed\n", what);
  std::abort();
}

// One HMAC context per algorithm and thread, initialised with its digest once and
// re-keyed per message.
class HmacContext {
 public:
  explicit HmacContext(const char* digest) {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    if (mac == nullptr) openssl_failed("EVP_MAC_fetch(HMAC)");
    context_ = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context keeps its own reference
    if (context_ == nullptr) openssl_failed("EVP_MAC_CTX_new");
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(context_, params) != 1) openssl_failed("EVP_MAC_CTX_set_params");
  }
  ~HmacContext() { EVP_MAC_CTX_free(context_); }
  HmacContext(const HmacContext&) = delete;
  HmacContext& operator=(const HmacContext&) = delete;

  void compute(base::ByteView key, base::ByteView first, base::ByteView second,
               std::uint8_t* out, std::size_t out_size) {
    // Re-keying costs two digest blocks; ICE checks and TURN refreshes use the same key
    // again and again, and initialising with a null key reuses the one already set.
    const bool same_key = key_size_ == key.size() && key.size() <= sizeof key_ &&
                          std::memcmp(key_, key.data(), key.size()) == 0 && keyed_;
    // HMAC accepts an empty key, but OpenSSL wants a non-null pointer for it.
    static const std::uint8_t kEmpty = 0;
    const std::uint8_t* new_key = same_key ? nullptr : (key.empty() ? &kEmpty : key.data());
    std::size_t written = 0;
    if (EVP_MAC_init(context_, new_key, same_key ? 0 : key.size(), nullptr) != 1 ||
        EVP_MAC_update(context_, first.data(), first.size()) != 1 ||
        EVP_MAC_update(context_, second.data(), second.size()) != 1 ||
        EVP_MAC_final(context_, out, &written, out_size) != 1 || written != out_size) {
      openssl_failed("HMAC");
    }
    keyed_ = key.size() <= sizeof key_;
    if (keyed_ && !same_key) {
      if (!key.empty()) std::memcpy(key_, key.data(), key.size());
      key_size_ = key.size();
    }
  }

 private:
  EVP_MAC_CTX* context_ = nullptr;
  // The key the context holds (remembered only when short enough: STUN keys are 16-32
  // bytes for long-term and ICE passwords are at most 256 characters).
  std::uint8_t key_[256];
  std::size_t key_size_ = 0;
  bool keyed_ = false;
};

void digest(const char* name, std::initializer_list<std::string_view> parts, std::uint8_t* out,
            std::size_t out_size) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  unsigned int written = 0;
  bool ok = context != nullptr && EVP_DigestInit_ex2(context, EVP_get_digestbyname(name), nullptr) == 1;
  for (std::size_t i = 0; ok && i < parts.size(); ++i) {
    const std::string_view part = parts.begin()[i];
    ok = (i == 0 || EVP_DigestUpdate(context, ":", 1) == 1) &&
         EVP_DigestUpdate(context, part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(context, out, &written) == 1 && written == out_size;
  EVP_MD_CTX_free(context);
  if (!ok) openssl_failed(name);
}

}  // namespace

LongTermKey long_term_key(PasswordAlgorithmId algorithm, std::string_view username,
                          std::string_view realm, std::string_view password) {
  LongTermKey key;
  if (algorithm == PasswordAlgorithmId::kSha256) {
    key.size_ = 32;
    digest("SHA256", {username, realm, password}, key.bytes_.data(), key.size_);
  } else {
    key.size_ = 16;
    digest("MD5", {username, realm, password}, key.bytes_.data(), key.size_);
  }
  return key;
}

std::array<std::uint8_t, 32> userhash(std::string_view username, std::string_view realm) {
  std::array<std::uint8_t, 32> hash{};
  digest("SHA256", {username, realm}, hash.data(), hash.size());
  return hash;
}

bool constant_time_equal(base::ByteView a, base::ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void hmac(HmacAlgorithm algorithm, base::ByteView key, base::ByteView first,
          base::ByteView second, std::uint8_t* out) {
  if (algorithm == HmacAlgorithm::kSha256) {
    thread_local HmacContext sha256("SHA256");
    sha256.compute(key, first, second, out, 32);
  } else {
    thread_local HmacContext sha1("SHA1");
    sha1.compute(key, first, second, out, 20);
  }
}

}  // namespace rtcstack::stun
