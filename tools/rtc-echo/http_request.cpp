#include "http_request.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace rtcstack::echo::http {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The next CRLF-ended line of `text`, which loses it.
std::string_view next_line(std::string_view& text) {
  const std::size_t end = text.find("\r\n");
  const std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 2);
  return line;
}

}  // namespace

std::variant<RequestHead, Refusal> parse_request_head(std::string_view head, std::size_t max_headers,
                                                      std::size_t max_body) {
  const std::string_view line = next_line(head);
  const std::size_t first = line.find(' ');
  const std::size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  if (first == 0 || second == std::string_view::npos || second == first + 1 ||
      !line.substr(second + 1).starts_with("HTTP/1.")) {
    return Refusal{400, "malformed request line"};
  }
  RequestHead request;
  request.method = line.substr(0, first);
  const std::string_view target = line.substr(first + 1, second - first - 1);
  request.path = target.substr(0, target.find('?'));
  if (request.path.empty()) return Refusal{400, "malformed request line"};
  while (!head.empty()) {
    const std::string_view header = next_line(head);
    if (request.headers.size() == max_headers) {
      return Refusal{431, "more than " + std::to_string(max_headers) + " header lines"};
    }
    const std::size_t colon = header.find(':');
    if (colon == 0 || colon == std::string_view::npos || header.front() == ' ' || header.front() == '\t') {
      return Refusal{400, "malformed header line"};
    }
    std::string name(header.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    const std::string_view value = trim(header.substr(colon + 1));
    if (name == "transfer-encoding") return Refusal{501, "only bodies with a Content-Length are taken"};
    if (name == "content-length") {
      std::size_t length = 0;
      const auto [end, failure] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (failure != std::errc{} || end != value.data() + value.size() ||
          (request.content_length && *request.content_length != length)) {
        return Refusal{400, "malformed Content-Length"};
      }
      request.content_length = length;
    }
    request.headers.emplace_back(std::move(name), value);
  }
  if (request.content_length && *request.content_length > max_body) {
    return Refusal{413, "the body exceeds " + std::to_string(max_body) + " bytes"};
  }
  if (!request.content_length && request.method == "POST") return Refusal{411, "a POST needs a Content-Length"};
  return request;
}

}  // namespace rtcstack::echo::http
