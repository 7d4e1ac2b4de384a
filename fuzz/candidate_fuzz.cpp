// Fuzzes Candidate::parse (trickled candidates arrive alone, from the network, through
// the application): an accepted candidate prints to a line that parses back equal.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sdp/candidate.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using rtcstack::sdp::Candidate;
  const auto candidate = Candidate::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!candidate.ok()) return 0;
  (void)candidate->ip();
  const auto again = Candidate::parse(candidate->to_candidate_line());
  if (!again.ok() || !(*again == *candidate)) std::abort();
  return 0;
}
