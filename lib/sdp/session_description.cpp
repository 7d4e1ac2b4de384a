#include "sdp/session_description.h"

#include <algorithm>
#include <utility>

#include "sdp/text.h"

namespace rtcstack::sdp {

namespace {

// Line types RFC 8866 allows at session level only. Unknown types are kept wherever they
// stand.
constexpr std::string_view kSessionOnly = "vostrzuep";

struct RawLine {
  std::size_t number;
  std::string_view text;  ///< without the line end
};

bool digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

base::Result<Origin> Origin::parse(std::string_view value) {
  const auto words = split_words(value);
  if (words.size() != 6) {
    return attribute_error("o=", "expected <username> <sess-id> <sess-version> <nettype> <addrtype> <address>");
  }
  if (!digits(words[1]) || !digits(words[2])) {
    return attribute_error("o=", "session id and version must be digits");
  }
  return Origin{std::string(words[0]), std::string(words[1]), std::string(words[2]),
                std::string(words[3]), std::string(words[4]), std::string(words[5])};
}

std::string Origin::to_string() const {
  return username + ' ' + session_id + ' ' + session_version + ' ' + net_type + ' ' + address_type +
         ' ' + address;
}

base::Result<MediaLine> MediaLine::parse(std::string_view value) {
  const auto words = split_words(value);
  if (words.size() < 4) return attribute_error("m=", "expected <media> <port> <proto> <fmt>...");
  MediaLine line;
  if (!is_token(words[0])) return attribute_error("m=", "media \"" + std::string(words[0]) + "\" is not a token");
  line.media = std::string(words[0]);
  const std::string_view port_text = words[1];
  const std::size_t slash = port_text.find('/');
  const auto port = parse_number(port_text.substr(0, slash), 65535);
  if (!port) return attribute_error("m=", "port \"" + std::string(port_text) + "\" is not 0-65535");
  line.port = static_cast<std::uint16_t>(*port);
  if (slash != std::string_view::npos) {
    const auto count = parse_number(port_text.substr(slash + 1), 65535);
    if (!count || *count == 0) return attribute_error("m=", "port count in \"" + std::string(port_text) + "\" is not 1-65535");
    line.port_count = static_cast<std::uint16_t>(*count);
  }
  line.proto = std::string(words[2]);
  for (std::size_t i = 3; i < words.size(); ++i) {
    if (!is_token(words[i])) return attribute_error("m=", "format \"" + std::string(words[i]) + "\" is not a token");
    line.formats.emplace_back(words[i]);
  }
  return line;
}

std::string MediaLine::to_string() const {
  std::string text = media + ' ' + std::to_string(port);
  if (port_count) text += '/' + std::to_string(*port_count);
  text += ' ' + proto;
  for (const std::string& format : formats) text += ' ' + format;
  return text;
}

std::optional<std::uint16_t> MediaDescription::sctp_port() const {
  const auto value = trimmed("sctp-port");
  if (!value) return std::nullopt;
  return static_cast<std::uint16_t>(*parse_number(*value, 65535));
}

std::optional<std::uint64_t> MediaDescription::max_message_size() const {
  const auto value = trimmed("max-message-size");
  if (!value) return std::nullopt;
  return *parse_number(*value);
}

std::vector<Timing> SessionDescription::timings() const {
  std::vector<Timing> timings;
  for (std::string_view value : line_values('t')) {
    const auto words = split_words(value);  // validated: two numbers
    timings.push_back({*parse_number(words[0]), *parse_number(words[1])});
  }
  return timings;
}

std::optional<Group> SessionDescription::bundle_group() const {
  for (Group& group : groups()) {
    if (group.semantics == "BUNDLE") return std::move(group);
  }
  return std::nullopt;
}

namespace {

base::Error too_much(std::string what) { return base::Error{base::ErrorCode::kResourceExhausted, "SDP " + what}; }

base::Error line_error(const RawLine& line, std::string_view why) {
  std::string message = "SDP line " + std::to_string(line.number) + " \"";
  message.append(line.text.substr(0, 120));
  if (line.text.size() > 120) message += "...";
  message += "\": ";
  message += why;
  return base::Error{base::ErrorCode::kMalformed, std::move(message)};
}

// The lines of `text` (LF or CRLF; the final line end is optional), refused whole beyond
// Limits or with a byte RFC 8866 §9 forbids in a value.
base::Result<std::vector<RawLine>> split_lines(std::string_view text) {
  if (text.size() > Limits::kMaxBytes) {
    return too_much("of " + std::to_string(text.size()) + " bytes (at most " + std::to_string(Limits::kMaxBytes) + ")");
  }
  std::vector<RawLine> lines;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.size() > Limits::kMaxLineBytes) {
      return too_much("line " + std::to_string(number) + " of " + std::to_string(line.size()) + " bytes (at most " +
                      std::to_string(Limits::kMaxLineBytes) + ")");
    }
    if (number > Limits::kMaxLines) return too_much("of more than " + std::to_string(Limits::kMaxLines) + " lines");
    lines.push_back({number, line});
  }
  if (lines.empty()) return base::Error{base::ErrorCode::kMalformed, "SDP is empty"};
  // RFC 8866 §9: no value may hold NUL, and CR only ends a line (byte-string excludes
  // %x00, %x0A and %x0D); such bytes pass through C strings and logs as something else.
  for (const RawLine& line : lines) {
    const std::size_t bad = line.text.find_first_of(std::string_view("\0\r", 2));
    if (bad != std::string_view::npos) {
      return base::Error{base::ErrorCode::kMalformed,
                         "SDP line " + std::to_string(line.number) + " has a " +
                             (line.text[bad] == '\0' ? "NUL byte" : "CR not ending the line") + " at column " +
                             std::to_string(bad + 1) + " (RFC 8866 §9 forbids it)"};
    }
  }
  return lines;
}

// The fixed start (RFC 8866 §5): v=0, o=, s=, the first three lines.
base::Result<void> read_fixed_line(std::size_t index, const RawLine& line, char type, std::string_view value,
                                   SessionDescription& session) {
  if (index == 0) {
    if (type != 'v' || trim(value) != "0") return line_error(line, "an SDP starts with v=0");
  } else if (index == 1) {
    if (type != 'o') return line_error(line, "expected o= as the second line");
    auto origin = Origin::parse(value);
    if (!origin) return line_error(line, origin.error().message);
    session.origin = std::move(origin).value();
  } else {
    if (type != 's') return line_error(line, "expected s= as the third line");
    if (value.empty()) return line_error(line, "the session name is empty (use \"-\")");
    session.session_name = std::string(value);
  }
  return {};
}

}  // namespace

base::Result<SessionDescription> SessionDescription::parse(std::string_view text) {
  auto split = split_lines(text);
  if (!split) return split.error();
  const std::vector<RawLine>& lines = *split;
  SessionDescription session;
  bool seen_timing = false;
  MediaDescription* current = nullptr;
  for (std::size_t index = 0; index < lines.size(); ++index) {
    const RawLine& line = lines[index];
    if (line.text.empty()) {
      // Some stacks end with a blank line; anywhere else it breaks the grammar.
      const bool only_blanks_follow = std::all_of(lines.begin() + static_cast<std::ptrdiff_t>(index), lines.end(),
                                                  [](const RawLine& l) { return trim(l.text).empty(); });
      if (only_blanks_follow) break;
      return line_error(line, "empty line");
    }
    if (line.text.size() < 2 || line.text[1] != '=' || line.text[0] < 'a' || line.text[0] > 'z') {
      return line_error(line, "expected <type>=<value> with a lower-case letter as type");
    }
    const char type = line.text[0];
    const std::string_view value = line.text.substr(2);
    if (index < 3) {
      if (auto read = read_fixed_line(index, line, type, value, session); !read) return read.error();
      continue;
    }
    if (type == 'v' || type == 'o' || type == 's') return line_error(line, "a second v=, o= or s= line");
    if (type == 'm') {
      if (!seen_timing) return line_error(line, "m= before any t= line");
      auto media_line = MediaLine::parse(value);
      if (!media_line) return line_error(line, media_line.error().message);
      if (session.media.size() == Limits::kMaxMediaSections) {
        return too_much("with more than " + std::to_string(Limits::kMaxMediaSections) + " media sections");
      }
      current = &session.media.emplace_back();
      current->media_line = std::move(media_line).value();
      continue;
    }
    if (current != nullptr && kSessionOnly.find(type) != std::string_view::npos) {
      return line_error(line, std::string(1, type) + "= is not allowed in a media section");
    }
    if (type == 't') seen_timing = true;
    if (type == 'r' && !seen_timing) return line_error(line, "r= before any t= line");
    if (auto valid = validate_line(type, value); !valid) return line_error(line, valid.error().message);
    Section& section = current != nullptr ? static_cast<Section&>(*current) : session;
    section.lines_.push_back({type, std::string(value)});
  }
  if (lines.size() < 3) return base::make_error(base::ErrorCode::kMalformed, "SDP ends before its v=, o= and s= lines");
  if (!seen_timing) return base::make_error(base::ErrorCode::kMalformed, "SDP has no t= line");
  return session;
}

std::string SessionDescription::to_string() const {
  std::string text = "v=0\r\no=" + origin.to_string() + "\r\ns=" + session_name + "\r\n";
  auto write_lines = [&text](const std::vector<Line>& lines) {
    for (const Line& line : lines) {
      text += line.type;
      text += '=';
      text += line.value;
      text += "\r\n";
    }
  };
  write_lines(lines_);
  for (const MediaDescription& section : media) {
    text += "m=" + section.media_line.to_string() + "\r\n";
    write_lines(section.lines());
  }
  return text;
}

}  // namespace rtcstack::sdp
