// Small tokenizing helpers shared by the SDP parsers: whitespace splitting, numbers,
// token checks. SDP grammar separates fields by single spaces; real stacks add stray
// spaces at line ends, so splitting skips runs of whitespace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace rtcstack::sdp {

/// `text` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text);

/// The whitespace-separated words of `text`.
std::vector<std::string_view> split_words(std::string_view text);

/// `text` cut at each `separator` (no trimming; empty pieces kept).
std::vector<std::string_view> split(std::string_view text, char separator);

/// A decimal number made only of digits, no larger than `max`.
std::optional<std::uint64_t> parse_number(std::string_view text, std::uint64_t max = UINT64_MAX);

/// True for a non-empty RFC 8866 token (visible ASCII except the separators it excludes).
bool is_token(std::string_view text);

/// True when every character is an RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/".
bool is_ice_chars(std::string_view text);

/// A kMalformed error for one attribute: "<name>: <why>".
base::Error attribute_error(std::string_view name, std::string_view why);

/// Case-insensitive ASCII equality.
bool iequals(std::string_view a, std::string_view b);

}  // namespace rtcstack::sdp
