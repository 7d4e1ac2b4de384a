// What a Session delegates to: one implementation of SRTP/SRTCP for one direction. The
// library has one (native_engine.cpp); tests plug in libsrtp2's as a reference.
// Session checks direction, buffer room and minimum lengths before calling; an engine
// does the cryptography, the roll-over counters and the replay windows.
#pragma once

#include <memory>

#include "srtp/session.h"

namespace rtcstack::srtp {

class Engine {
 public:
  virtual ~Engine() = default;
  virtual base::Result<std::size_t> protect_rtp(base::MutableByteView buffer, std::size_t length) = 0;
  virtual base::Result<std::size_t> protect_rtcp(base::MutableByteView buffer, std::size_t length) = 0;
  virtual base::Result<std::size_t> unprotect_rtp(base::MutableByteView packet) = 0;
  virtual base::Result<std::size_t> unprotect_rtcp(base::MutableByteView packet) = 0;
};

/// RFC 3711 / RFC 7714 on OpenSSL's EVP ciphers and HMAC (native_engine.cpp).
base::Result<std::unique_ptr<Engine>> make_native_engine(Profile profile, Direction direction, base::ByteView key,
                                                         base::ByteView salt, std::size_t replay_window);

}  // namespace rtcstack::srtp
