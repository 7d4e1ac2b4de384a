#include "dtls/certificate.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>

#include "base/hex.h"

namespace rtcstack::dtls {

namespace {

constexpr std::int64_t kNotBefore = 1577836800;  // 2020-01-01T00:00:00Z
constexpr std::int64_t kNotAfter = 2524608000;   // 2050-01-01T00:00:00Z

base::Error openssl_error(const std::string& what) {
  return base::make_error(base::ErrorCode::kInternal, "DTLS certificate: " + what + " failed in OpenSSL");
}

const EVP_MD* digest_named(std::string_view algorithm) {
  std::string lower(algorithm);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "sha-1") return EVP_sha1();
  if (lower == "sha-224") return EVP_sha224();
  if (lower == "sha-256") return EVP_sha256();
  if (lower == "sha-384") return EVP_sha384();
  if (lower == "sha-512") return EVP_sha512();
  return nullptr;
}

}  // namespace

std::string Fingerprint::to_string() const {
  return algorithm + ' ' + base::to_hex(digest, ':', base::HexCase::kUpper);
}

base::Result<Fingerprint> fingerprint_of(X509* certificate, std::string_view algorithm) {
  const EVP_MD* md = digest_named(algorithm);
  if (md == nullptr) {
    return base::make_error(base::ErrorCode::kUnsupported,
                            "fingerprint hash \"" + std::string(algorithm) + "\" is not sha-1/224/256/384/512");
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(certificate, md, digest, &size) != 1) return openssl_error("X509_digest");
  std::string name(algorithm);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return Fingerprint{std::move(name), base::Buffer(base::ByteView(digest, size))};
}

void Certificate::X509Deleter::operator()(X509* x) const { X509_free(x); }

base::Buffer Certificate::der() const {
  unsigned char* der = nullptr;
  const int size = i2d_X509(x509_.get(), &der);
  if (size <= 0) return {};
  base::Buffer out(base::ByteView(der, static_cast<std::size_t>(size)));
  OPENSSL_free(der);
  return out;
}
void Certificate::KeyDeleter::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }

base::Result<std::shared_ptr<const Certificate>> Certificate::generate(KeyType type) {
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(type == KeyType::kEcdsaP256 ? EVP_EC_gen("P-256")
                                                                       : EVP_RSA_gen(2048));
  if (!key) return openssl_error("key generation");
  std::unique_ptr<X509, X509Deleter> x509(X509_new());
  if (!x509) return openssl_error("X509_new");
  // A random positive 64-bit serial, as browsers use.
  std::uint8_t serial_bytes[8];
  if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) return openssl_error("RAND_bytes");
  serial_bytes[0] &= 0x7f;
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  const bool serial_ok = serial != nullptr && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x509.get())) != nullptr;
  BN_free(serial);
  X509_NAME* name = X509_get_subject_name(x509.get());
  const bool ok =
      serial_ok && X509_set_version(x509.get(), 2) == 1 &&
      ASN1_TIME_set(X509_getm_notBefore(x509.get()), static_cast<time_t>(kNotBefore)) != nullptr &&
      ASN1_TIME_set(X509_getm_notAfter(x509.get()), static_cast<time_t>(kNotAfter)) != nullptr &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("rtcstack"), -1, -1, 0) == 1 &&
      X509_set_issuer_name(x509.get(), name) == 1 && X509_set_pubkey(x509.get(), key.get()) == 1 &&
      X509_sign(x509.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) return openssl_error("building the certificate");
  return std::shared_ptr<const Certificate>(new Certificate(type, std::move(key), std::move(x509)));
}

}  // namespace rtcstack::dtls
