#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace rtcstack::net {

base::Result<std::shared_ptr<TlsContext>> TlsContext::create(const std::string& ca_file) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  if (context == nullptr) return base::Error{base::ErrorCode::kInternal, "TLS: SSL_CTX_new failed"};
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_default_verify_paths(context);
  if (!ca_file.empty() && SSL_CTX_load_verify_locations(context, ca_file.c_str(), nullptr) != 1) {
    ERR_clear_error();
    SSL_CTX_free(context);
    return base::Error{base::ErrorCode::kInvalidArgument, "TLS: cannot read CA certificates from " + ca_file};
  }
  return std::shared_ptr<TlsContext>(new TlsContext(context));
}

TlsContext::~TlsContext() { SSL_CTX_free(context_); }

}  // namespace rtcstack::net
