// What the session part and every media section of an SDP share: an ordered list of
// "<type>=<value>" lines (c=, b=, a=, and any other) kept exactly as received, so that
// serializing gives back the same lines, with typed access on top. Every line is
// validated when it enters (by the parser or the add_* calls), so the typed accessors
// below cannot fail.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sdp/candidate.h"
#include "sdp/rtp_attributes.h"
#include "sdp/transport_attributes.h"

namespace rtcstack::sdp {

/// One "<type>=<value>" line, value verbatim (trailing spaces included).
struct Line {
  char type;
  std::string value;
  friend bool operator==(const Line&, const Line&) = default;
};

/// An "a=" line split at its first ':'; views into the Line.
struct Attribute {
  std::string_view name;
  std::optional<std::string_view> value;  ///< nullopt for flags such as "a=rtcp-mux"
};

/// c=<nettype> <addrtype> <address>
struct Connection {
  std::string net_type;
  std::string address_type;
  std::string address;
  static base::Result<Connection> parse(std::string_view value);
  std::string to_string() const;
};

/// b=<type>:<bandwidth>
struct Bandwidth {
  std::string type;
  std::uint64_t value = 0;
  static base::Result<Bandwidth> parse(std::string_view value);
  std::string to_string() const;
};

/// Checks one line of a section: known line types and known attributes must follow
/// their grammar; anything else is accepted as it is.
base::Result<void> validate_line(char type, std::string_view value);

class Section {
 public:
  const std::vector<Line>& lines() const { return lines_; }

  /// Appends a line after validating it.
  base::Result<void> add_line(char type, std::string value);
  /// Appends "a=<name>[:<value>]" after validating it.
  base::Result<void> add_attribute(std::string_view name,
                                   std::optional<std::string_view> value = std::nullopt);
  /// Appends a typed attribute (Fingerprint, Candidate, Rtpmap, ...) in canonical form.
  template <class T>
  void add(const T& typed) {
    lines_.push_back({'a', std::string(T::kName) + ':' + typed.to_string()});
  }
  /// Removes every "a=<name>" line.
  void remove_attributes(std::string_view name);

  /// All attributes in order.
  std::vector<Attribute> attributes() const;
  /// The value of the first attribute called `name` ("" for a flag), if any.
  std::optional<std::string_view> attribute(std::string_view name) const;
  bool has_attribute(std::string_view name) const { return attribute(name).has_value(); }
  /// The values of every attribute called `name`, in order.
  std::vector<std::string_view> attribute_values(std::string_view name) const;

  /// Every attribute of typed kind T (T::kName), parsed.
  template <class T>
  std::vector<T> all() const {
    std::vector<T> typed;
    for (std::string_view value : attribute_values(T::kName)) typed.push_back(T::parse(value).value());
    return typed;
  }
  template <class T>
  std::optional<T> first() const {
    const auto value = attribute(T::kName);
    if (!value) return std::nullopt;
    return T::parse(*value).value();
  }

  std::optional<Connection> connection() const;
  std::vector<Bandwidth> bandwidths() const;
  /// The value of the first line of `type` (e.g. 'i' for the information line).
  std::optional<std::string_view> line_value(char type) const;
  /// The values of every line of `type`, in order.
  std::vector<std::string_view> line_values(char type) const;
  /// i= (session or media title) and k= (the obsolete encryption key line).
  std::optional<std::string_view> information() const { return line_value('i'); }
  std::optional<std::string_view> encryption_key() const { return line_value('k'); }

  // Attributes that may stand at session level or in a media section (RFC 8839, 8842, 8285).
  std::optional<std::string_view> ice_ufrag() const { return trimmed("ice-ufrag"); }
  std::optional<std::string_view> ice_pwd() const { return trimmed("ice-pwd"); }
  std::optional<IceOptions> ice_options() const { return first<IceOptions>(); }
  std::vector<Fingerprint> fingerprints() const { return all<Fingerprint>(); }
  std::optional<Setup> setup() const;
  std::vector<Extmap> extmaps() const { return all<Extmap>(); }
  bool extmap_allow_mixed() const { return has_attribute("extmap-allow-mixed"); }
  std::vector<Candidate> candidates() const;
  bool end_of_candidates() const { return has_attribute("end-of-candidates"); }
  /// The direction attribute, if one is present.
  std::optional<Direction> direction() const;

 protected:
  friend class SessionDescription;  // its parser fills sections with validated lines
  std::optional<std::string_view> trimmed(std::string_view name) const;

  std::vector<Line> lines_;
};

}  // namespace rtcstack::sdp
