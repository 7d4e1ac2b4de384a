// Fuzzes parse_server_url: no crash, and what it accepts is consistent - a non-empty host,
// a port, turns: over TLS only, stun: over UDP only.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ice/server_url.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = rtcstack::ice::parse_server_url(text);
  if (!parsed.ok()) return 0;
  using rtcstack::ice::TurnTransport;
  if (parsed->host.empty() || parsed->port == 0) std::abort();
  if (text.starts_with("turns:") != (parsed->transport == TurnTransport::kTls)) std::abort();
  if (!parsed->turn && parsed->transport != TurnTransport::kUdp) std::abort();
  return 0;
}
