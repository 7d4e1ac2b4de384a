// An independent SRTP/SRTCP sender written straight from RFC 3711 and RFC 7714 over
// OpenSSL's AES, AES-GCM and HMAC-SHA1, so lib/srtp (libsrtp2, NSS-backed on Debian) can be
// checked against a second implementation. The RFC vectors are expressed in session keys,
// which libsrtp's interface never takes; this reference reproduces them first and then
// vouches for the library's output from master keys. Slow and allocating: tests only.
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "srtp/session.h"

namespace rtcstack::testing::reference_srtp {

using Bytes = std::vector<std::uint8_t>;

/// RFC 3711 §4.3.3 AES-CM PRF with key derivation rate 0 (RFC 6188 for 256-bit master
/// keys). A 12-byte master salt (AEAD profiles) is zero-extended to 14 bytes first, as
/// RFC 7714's erratum 4938 specifies.
Bytes derive(base::ByteView master_key, base::ByteView master_salt, std::uint8_t label, std::size_t length);

/// `data` XOR the AES counter-mode keystream from the 16-byte `counter` block.
Bytes aes_ctr(base::ByteView key, base::ByteView counter, base::ByteView data);

/// The session keys of one direction, for RTP or for RTCP.
struct SessionKeys {
  Bytes cipher_key;
  Bytes salt;
  Bytes auth_key;  // empty for the AEAD profiles
};

SessionKeys session_keys(srtp::Profile profile, base::ByteView master_key, base::ByteView master_salt, bool rtcp);

/// The protected form of an RTP packet sent with roll-over counter `roc`.
Bytes protect_rtp(srtp::Profile profile, const SessionKeys& keys, std::uint32_t roc, base::ByteView packet);

/// The protected (encrypted, E=1) form of an RTCP packet sent with SRTCP index `index`.
Bytes protect_rtcp(srtp::Profile profile, const SessionKeys& keys, std::uint32_t index, base::ByteView packet);

}  // namespace rtcstack::testing::reference_srtp
