// Fuzzes the mDNS codec, and through it the resolver and responder: no crash, no read past
// the datagram; what parses has bounded names and counts; a resolver with a name in flight
// and a responder with a name take any parsed message without breaking their bounds.
#include <cstdint>
#include <cstdlib>

#include "ice/mdns_message.h"
#include "ice/mdns_resolver.h"
#include "ice/mdns_responder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rtcstack;
  const auto message = ice::mdns::parse({data, size});
  if (!message.ok()) return 0;
  if (message->questions.size() > 16 || message->answers.size() > 32) std::abort();
  for (const auto& question : message->questions) {
    if (question.name.size() > 255) std::abort();
  }
  const base::Instant now = base::Instant{} + base::Duration::seconds(1);
  ice::mdns::Resolver resolver({.max_pending = 2, .max_cache = 2});
  (void)resolver.resolve(now, "host-a.local");
  (void)resolver.handle_response(now, *message);
  if (resolver.pending() > 2) std::abort();
  ice::mdns::Responder responder;
  (void)responder.add("host-a.local", {base::IpAddress::v4(192, 0, 2, 1)});
  std::optional<ice::mdns::Responder::Reply> reply;
  (void)responder.handle_query(now, *message, {base::IpAddress::v4(192, 0, 2, 2), 5353}, reply);
  if (reply && !ice::mdns::parse(reply->bytes).ok()) std::abort();  // our answers parse
  return 0;
}
