// Typed errors: every fallible call in rtcstack reports what went wrong as a code a
// program can branch on plus a message a human can act on.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rtcstack::base {

/// What kind of failure happened. Stable across releases: callers may switch on it.
enum class ErrorCode : std::uint8_t {
  kInvalidArgument,    ///< an API argument is outside what the call accepts
  kMalformed,          ///< input does not follow its grammar or wire format
  kTruncated,          ///< input ends before a length field says it should
  kUnsupported,        ///< well-formed, but a feature or version we do not implement
  kAuthentication,     ///< an integrity check, fingerprint or certificate did not match
  kWrongState,         ///< the call is not allowed in the object's current state
  kResourceExhausted,  ///< a configured limit (buffer, table, count) would be exceeded
  kTimeout,            ///< the peer did not answer in time
  kClosed,             ///< the object was closed
  kInternal,           ///< a dependency (OpenSSL, libsrtp, ...) failed unexpectedly
};

/// The code's name in snake case, e.g. "malformed".
std::string_view to_string(ErrorCode code);

/// A failure: a code plus a message saying what was wrong, in terms of the input.
struct Error {
  ErrorCode code;
  std::string message;

  /// "malformed: STUN header length 7 is not a multiple of 4"
  std::string to_string() const;

  friend bool operator==(const Error&, const Error&) = default;
};

}  // namespace rtcstack::base
