// SRTP and SRTCP protection for one direction of a call (RFC 3711, RFC 7714): a sending
// session protects, a receiving session unprotects, in place in the caller's buffer - no
// copies. Keys come from DTLS-SRTP (lib/dtls exports them; lib/pc hands them over), one
// session per direction. The work is done by an engine (srtp/engine.h): the library's is
// on OpenSSL's EVP; tests plug libsrtp2 in behind the same interface as a reference
// (support/libsrtp_engine.h) and compare the two.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::srtp {

/// Protection profiles by their IANA DTLS-SRTP values (RFC 5764, RFC 7714).
enum class Profile : std::uint16_t {
  kAes128CmSha1_80 = 0x0001,
  kAes128CmSha1_32 = 0x0002,
  kAeadAes128Gcm = 0x0007,
  kAeadAes256Gcm = 0x0008,
};

std::size_t key_size(Profile profile);   ///< master key bytes
std::size_t salt_size(Profile profile);  ///< master salt bytes

/// Room protect_rtp()/protect_rtcp() may add after the packet (auth tag, SRTCP index).
inline constexpr std::size_t kMaxOverhead = 16 + 4 + 128;

enum class Direction : std::uint8_t { kSend, kReceive };

class Engine;
/// Makes the engine of a session, once create() has checked the parameters.
using EngineFactory = base::Result<std::unique_ptr<Engine>> (*)(Profile profile, Direction direction, base::ByteView key,
                                                                base::ByteView salt, std::size_t replay_window);

/// Failures are typed by ErrorCode: kAuthentication (tag mismatch), kWrongState with
/// "replay" in the message (a packet seen before, or too old for the window), kMalformed
/// (too short to be RTP/RTCP), kInvalidArgument (no room for the tag, bad key sizes).
class Session {
 public:
  /// `key` and `salt` must have key_size()/salt_size() bytes for `profile`. The replay
  /// window covers `replay_window` packets, 64 to 32767 (WebRTC video wants 1024 or more).
  /// `engine` null: the native one (OpenSSL EVP).
  static base::Result<Session> create(Profile profile, Direction direction, base::ByteView key,
                                      base::ByteView salt, std::size_t replay_window = 1024,
                                      EngineFactory engine = nullptr);
  Session(Session&& other) noexcept;
  Session& operator=(Session&& other) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  Profile profile() const { return profile_; }

  /// Protects the RTP packet in buffer[0, length) in place; returns the new length.
  /// `buffer` must have kMaxOverhead spare bytes after `length`.
  base::Result<std::size_t> protect_rtp(base::MutableByteView buffer, std::size_t length);
  base::Result<std::size_t> protect_rtcp(base::MutableByteView buffer, std::size_t length);
  /// Verifies and decrypts in place; returns the plain length.
  base::Result<std::size_t> unprotect_rtp(base::MutableByteView packet);
  base::Result<std::size_t> unprotect_rtcp(base::MutableByteView packet);

 private:
  Session(std::unique_ptr<Engine> engine, Profile profile, Direction direction);
  base::Result<void> check(base::MutableByteView buffer, std::size_t length, bool rtcp, bool protect) const;

  std::unique_ptr<Engine> engine_;
  Profile profile_;
  Direction direction_;
};

}  // namespace rtcstack::srtp
