// DTLS certificates for WebRTC (RFC 8827 §6.5, RFC 8122): self-signed, authenticated by
// the fingerprint the peer's SDP carries rather than by any CA. One certificate can serve
// many connections, so it is shared immutably.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

// OpenSSL's own struct tags (X509 and EVP_PKEY name them), declared here so that this
// header - and every public header above it - does not pull OpenSSL's headers in.
struct x509_st;
struct evp_pkey_st;

namespace rtcstack::dtls {

enum class KeyType : std::uint8_t { kEcdsaP256, kRsa2048 };

/// A certificate digest as SDP's a=fingerprint carries it.
struct Fingerprint {
  std::string algorithm;  ///< "sha-256" (lower case, as in SDP)
  base::Buffer digest;
  /// "sha-256 AB:CD:..." - the a=fingerprint value.
  std::string to_string() const;
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

/// The digest of `certificate` with `algorithm` (sha-1, sha-224, sha-256, sha-384,
/// sha-512, case-insensitive). kUnsupported for other names.
base::Result<Fingerprint> fingerprint_of(x509_st* certificate, std::string_view algorithm);

class Certificate {
 public:
  /// A new key and a self-signed certificate over it. Validity runs from 2020 to 2050 by
  /// default: WebRTC authenticates by fingerprint, and the library reads no clock.
  static base::Result<std::shared_ptr<const Certificate>> generate(KeyType type = KeyType::kEcdsaP256);

  base::Result<Fingerprint> fingerprint(std::string_view algorithm = "sha-256") const {
    return fingerprint_of(x509_.get(), algorithm);
  }
  /// The certificate in DER (what W3C RTCCertificateStats carries in base64).
  base::Buffer der() const;
  x509_st* x509() const { return x509_.get(); }
  evp_pkey_st* key() const { return key_.get(); }
  KeyType type() const { return type_; }

 private:
  struct X509Deleter { void operator()(x509_st* x) const; };
  struct KeyDeleter { void operator()(evp_pkey_st* k) const; };
  Certificate(KeyType type, std::unique_ptr<evp_pkey_st, KeyDeleter> key, std::unique_ptr<x509_st, X509Deleter> x509)
      : type_(type), key_(std::move(key)), x509_(std::move(x509)) {}

  KeyType type_;
  std::unique_ptr<evp_pkey_st, KeyDeleter> key_;
  std::unique_ptr<x509_st, X509Deleter> x509_;
};

}  // namespace rtcstack::dtls
