// Fuzzes the DCEP parser (RFC 8832): no crash, no read outside the message, and every
// DATA_CHANNEL_OPEN it accepts serializes back to a message that parses to the same fields.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "sctp/dcep.h"

using namespace rtcstack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> message(data, data + size);  // exact size: overreads are reports
  const auto parsed = sctp::parse_dcep(message);
  if (!parsed.ok() || !std::holds_alternative<sctp::DcepOpen>(*parsed)) return 0;
  const auto& open = std::get<sctp::DcepOpen>(*parsed);
  std::vector<std::uint8_t> again(sctp::dcep_open_size(open));
  sctp::serialize_dcep_open(open, again);
  const auto back = sctp::parse_dcep(again);
  if (!back.ok()) std::abort();
  const auto& reopened = std::get<sctp::DcepOpen>(*back);
  const bool same = reopened.reliability == open.reliability && reopened.ordered == open.ordered &&
                    reopened.priority == open.priority && reopened.label == open.label &&
                    reopened.protocol == open.protocol &&
                    (open.reliability == sctp::Reliability::kReliable ||
                     reopened.reliability_parameter == open.reliability_parameter);
  if (!same) std::abort();
  return 0;
}
