#include <catch2/catch.hpp>

#include <string>

#include "dtls/certificate.h"

using namespace rtcstack;

namespace {

std::shared_ptr<const dtls::Certificate> certificate(dtls::KeyType type = dtls::KeyType::kEcdsaP256) {
  auto generated = dtls::Certificate::generate(type);
  REQUIRE(generated.ok());
  return *generated;
}

}  // namespace

TEST_CASE("certificates: ECDSA and RSA, fingerprints in every hash", "[dtls][certificate]") {
  for (auto type : {dtls::KeyType::kEcdsaP256, dtls::KeyType::kRsa2048}) {
    const auto cert = certificate(type);
    const std::pair<const char*, std::size_t> hashes[] = {
        {"sha-1", 20}, {"sha-224", 28}, {"sha-256", 32}, {"sha-384", 48}, {"SHA-512", 64}};
    for (const auto& [name, size] : hashes) {
      const auto fingerprint = cert->fingerprint(name);
      REQUIRE(fingerprint.ok());
      CHECK(fingerprint->digest.size() == size);
    }
    const std::string text = cert->fingerprint()->to_string();
    CHECK(text.starts_with("sha-256 "));
    CHECK(text.size() == 8 + 32 * 3 - 1);
    CHECK(cert->fingerprint("md5").error().code == base::ErrorCode::kUnsupported);
  }
  CHECK_FALSE(certificate()->fingerprint()->digest == certificate()->fingerprint()->digest);
}
