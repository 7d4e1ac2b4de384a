// Fuzzes a DTLS server endpoint (what a WebRTC answerer exposes to the network): the
// input is a series of datagrams (two-byte length, then the bytes), fed with time
// passing between them. No crash, no leak, no unbounded output.
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "base/endian.h"
#include "dtls/endpoint.h"

namespace {

using namespace rtcstack;

const std::shared_ptr<const dtls::Certificate>& certificate() {
  static const auto cert = *dtls::Certificate::generate();
  return cert;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dtls::Config config;
  config.role = dtls::Role::kServer;
  config.certificate = certificate();
  config.remote_fingerprint = *certificate()->fingerprint();
  dtls::Endpoint endpoint(config);
  base::Instant now{};
  std::size_t at = 0;
  while (at + 2 <= size) {
    const std::size_t length = std::min<std::size_t>(base::load_be16(data + at), size - at - 2);
    endpoint.handle_receive(now, {data + at + 2, length});
    at += 2 + length;
    now += base::Duration::milliseconds(100);
    endpoint.handle_timeout(now);
    for (int outputs = 0;; ++outputs) {
      if (outputs > 10000) std::abort();
      if (std::holds_alternative<dtls::Timeout>(endpoint.poll_output())) break;
    }
  }
  return 0;
}
