// One conformance check's outcome: what was checked (a stable name and the RFC clause it
// tests), the verdict, and on a failure the evidence - the SDP line, the packet, the
// timing - so that an engineer sees what their endpoint did, not only that it was wrong.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rtcstack::conform {

enum class Verdict { kPass, kFail, kNotApplicable };
std::string_view to_string(Verdict verdict);

struct CheckResult {
  std::string name;      ///< "sdp.parses", "dtls.setup-answer", ...: what --only and --skip take
  std::string clause;    ///< "RFC 8842 §5.3"
  std::string title;     ///< what it checks, in a line
  Verdict verdict = Verdict::kNotApplicable;
  std::string evidence;  ///< what was seen (on a pass too, when it says something)
};

using Results = std::vector<CheckResult>;

}  // namespace rtcstack::conform
