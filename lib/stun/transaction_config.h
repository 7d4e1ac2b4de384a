// How a STUN client transaction retransmits (RFC 8489 §6.2.1): the knobs ICE and TURN
// configure, apart from the transaction machinery.
#pragma once

#include "base/time.h"

namespace rtcstack::stun {

struct TransactionConfig {
  /// Initial retransmission timeout (RFC 8489 recommends 500 ms; ICE derives its own).
  base::Duration rto = base::Duration::milliseconds(500);
  /// Rc: transmissions in total, the first included.
  int max_transmissions = 7;
  /// Rm: after the last transmission, wait this many initial RTOs.
  int final_wait_factor = 16;
  /// Upper bound for the doubling interval between transmissions.
  base::Duration max_interval = base::Duration::max();
};

}  // namespace rtcstack::stun
