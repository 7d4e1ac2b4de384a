// libsrtp2 behind lib/srtp's engine interface: the reference the native engine is
// checked against (tests, the SRTP fuzzer) and measured beside (bench_srtp). Debian builds
// libsrtp2 on NSS, several times slower than the native engine on OpenSSL's EVP.
//   srtp::Session::create(profile, direction, key, salt, 1024, &support::make_libsrtp_engine)
#pragma once

#include <memory>

#include "srtp/engine.h"

namespace rtcstack::support {

base::Result<std::unique_ptr<srtp::Engine>> make_libsrtp_engine(srtp::Profile profile, srtp::Direction direction,
                                                                base::ByteView key, base::ByteView salt,
                                                                std::size_t replay_window);

/// The engines, for the tests, benchmarks and fuzzers that run each one.
enum class SrtpEngine : std::uint8_t { kNative, kLibsrtp };
/// What Session::create takes to use `engine` (null for the native one).
inline srtp::EngineFactory factory(SrtpEngine engine) {
  return engine == SrtpEngine::kLibsrtp ? &make_libsrtp_engine : nullptr;
}

}  // namespace rtcstack::support
