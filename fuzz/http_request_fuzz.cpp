// Fuzzes what rtc-echo server parses from strangers: HTTP request heads
// (tools/rtc-echo/http_request.h) and the JSON body of POST /offer (session_json.h). No
// crash, no read outside the input, and what is accepted keeps the limits: never more
// header lines than allowed, never a Content-Length over the body limit, lower-case names,
// a method and a path; an accepted offer's type is one of the four and its SDP a string
// the JSON held.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

#include "http_request.h"
#include "session_json.h"

using namespace rtcstack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);  // exact size: overreads are reports
  constexpr std::size_t kMaxHeaders = 8, kMaxBody = 4096;
  const auto parsed = echo::http::parse_request_head(input, kMaxHeaders, kMaxBody);
  if (const auto* head = std::get_if<echo::http::RequestHead>(&parsed)) {
    if (head->method.empty() || head->path.empty() || head->headers.size() > kMaxHeaders) std::abort();
    if (head->content_length && *head->content_length > kMaxBody) std::abort();
    if (!head->content_length && head->method == "POST") std::abort();
    for (const auto& [name, value] : head->headers) {
      for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::tolower(byte) != byte) std::abort();
      }
      if (name == "transfer-encoding") std::abort();
    }
  } else {
    const int status = std::get<echo::http::Refusal>(parsed).status;
    if (status != 400 && status != 411 && status != 413 && status != 431 && status != 501) std::abort();
  }
  const auto offer = echo::from_json(input);
  if (offer.ok() && offer->sdp.size() > input.size()) std::abort();  // the SDP came from the input
  return 0;
}
