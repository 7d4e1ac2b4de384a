// The TLS client settings a runtime's connections to TURN servers share (turns:, RFC 8656
// §3.1): TLS 1.2 or later, the server's certificate verified against the system's CA
// store and, when given, a CA file of the user's (how a test trusts its own certificate).
// Internal to lib/net.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"

struct ssl_ctx_st;

namespace rtcstack::net {

class TlsContext {
 public:
  /// kInvalidArgument when `ca_file` is given and cannot be read as PEM certificates.
  static base::Result<std::shared_ptr<TlsContext>> create(const std::string& ca_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* get() const { return context_; }

 private:
  explicit TlsContext(ssl_ctx_st* context) : context_(context) {}
  ssl_ctx_st* context_;
};

}  // namespace rtcstack::net
