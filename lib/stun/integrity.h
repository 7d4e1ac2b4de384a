// Credentials and the keyed hashes behind MESSAGE-INTEGRITY (HMAC-SHA1) and
// MESSAGE-INTEGRITY-SHA256 (RFC 8489 §9, §14.5, §14.6). The crypto is OpenSSL's.
//
// Short-term credentials (ICE): the key is the password's bytes as they are.
// Long-term credentials (TURN): the key is MD5 or SHA-256 of username ":" realm ":"
// password. RFC 8489 asks for the OpaqueString profile (RFC 8265) on the password first;
// rtcstack uses the bytes it is given, which is the same for the ASCII passwords TURN
// servers hand out. A caller with non-ASCII passwords must prepare them itself (RFC 5769
// §2.4's "The<U+00AD>M<U+00AA>tr<U+2168>" is "TheMatrIX" after preparation).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "stun/attributes.h"

namespace rtcstack::stun {

/// A long-term credential key: 16 bytes (MD5) or 32 bytes (SHA-256).
class LongTermKey {
 public:
  base::ByteView view() const { return {bytes_.data(), size_}; }
  operator base::ByteView() const { return view(); }

 private:
  friend LongTermKey long_term_key(PasswordAlgorithmId, std::string_view, std::string_view,
                                   std::string_view);
  std::array<std::uint8_t, 32> bytes_{};
  std::size_t size_ = 0;
};

/// H(username ":" realm ":" password) with H = MD5 or SHA-256.
LongTermKey long_term_key(PasswordAlgorithmId algorithm, std::string_view username,
                          std::string_view realm, std::string_view password);

/// The USERHASH value: SHA-256(username ":" realm) (RFC 8489 §14.4).
std::array<std::uint8_t, 32> userhash(std::string_view username, std::string_view realm);

/// Compares secrets in time that depends only on their lengths.
bool constant_time_equal(base::ByteView a, base::ByteView b);

enum class HmacAlgorithm : std::uint8_t { kSha1, kSha256 };

/// HMAC of `first` followed by `second` (STUN hashes a patched copy of the header and
/// then the message body, so the message itself is never modified). Writes 20 (SHA-1)
/// or 32 (SHA-256) bytes to `out`. Reuses one OpenSSL context per thread and algorithm,
/// so it does not allocate after its first call on a thread.
void hmac(HmacAlgorithm algorithm, base::ByteView key, base::ByteView first,
          base::ByteView second, std::uint8_t* out);

}  // namespace rtcstack::stun
