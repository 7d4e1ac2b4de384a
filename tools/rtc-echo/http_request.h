// The head of an HTTP/1.1 request (RFC 9112 §3, §5): the request line and the header
// lines, parsed from bytes a stranger sent, with limits on what they may make us keep.
// Only what rtc-echo's signalling needs: no transfer codings (a body comes with a
// Content-Length or not at all), no obsolete line folding.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace rtcstack::echo::http {

struct RequestHead {
  std::string method;  ///< "GET", "POST", ... (never empty)
  std::string path;    ///< the target without its query (never empty)
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased, values trimmed
  std::optional<std::size_t> content_length;
};

/// Why a head is refused, and the status to answer with: 400 malformed, 411 a POST
/// without Content-Length, 413 a body over `max_body`, 431 over `max_headers` lines, 501
/// a Transfer-Encoding.
struct Refusal {
  int status;
  std::string reason;
};

/// `head`: everything before the blank line that ends the headers (CRLF line ends).
std::variant<RequestHead, Refusal> parse_request_head(std::string_view head, std::size_t max_headers,
                                                      std::size_t max_body);

}  // namespace rtcstack::echo::http
