// A small reader for the pcapng captures in tests/data/pcap: it returns the UDP
// datagrams (Ethernet, IPv4 or IPv6) in capture order, with addresses and timestamps.
#pragma once

#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/socket_address.h"
#include "base/time.h"

namespace rtcstack::testing {

struct CapturedDatagram {
  base::Instant at;  ///< capture timestamp, since the Unix epoch
  base::SocketAddress from;
  base::SocketAddress to;
  base::Buffer payload;
};

/// Every UDP datagram in the pcapng file at `path`; other packets are skipped.
/// Fails on an unreadable file or a malformed block structure.
base::Result<std::vector<CapturedDatagram>> read_pcapng_udp(const std::string& path);

/// Absolute path of a file under tests/data (the build passes the folder in).
std::string test_data_path(const std::string& relative);

}  // namespace rtcstack::testing
