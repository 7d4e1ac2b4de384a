#include "sctp/usrsctp_stack.h"

#include <usrsctp.h>

#include <cstring>
#include <vector>

#include "base/crc32.h"
#include "base/endian.h"
#include "sctp/association.h"

namespace rtcstack::sctp {

UsrsctpStack& UsrsctpStack::instance() {
  static UsrsctpStack stack;
  return stack;
}

UsrsctpStack::UsrsctpStack() {
  usrsctp_init_nothreads(0, &UsrsctpStack::on_output, nullptr);
  // Packets travel inside DTLS, which already authenticates them: usrsctp skips the
  // CRC32c of what arrives, and on_output fills in what leaves with our SSE4.2 CRC32c.
  usrsctp_enable_crc32c_offload();
  usrsctp_sysctl_set_sctp_ecn_enable(0);
  usrsctp_sysctl_set_sctp_pr_enable(1);       // RFC 3758 partial reliability
  usrsctp_sysctl_set_sctp_reconfig_enable(1);  // RFC 6525 stream reset closes channels
  usrsctp_sysctl_set_sctp_asconf_enable(0);   // one path: no address reconfiguration
  usrsctp_sysctl_set_sctp_auth_enable(0);     // DTLS authenticates; AUTH chunks only cost bytes
  usrsctp_sysctl_set_sctp_blackhole(2);        // no ABORT answers to stray packets
  // Timers for a path inside ICE and DTLS: consent freshness detects a dead path, so
  // heartbeats are rare; RTOs are short enough for data channels at internet RTTs.
  usrsctp_sysctl_set_sctp_rto_initial_default(1000);
  usrsctp_sysctl_set_sctp_rto_min_default(200);
  usrsctp_sysctl_set_sctp_rto_max_default(10000);
  usrsctp_sysctl_set_sctp_init_rto_max_default(10000);
  usrsctp_sysctl_set_sctp_init_rtx_max_default(8);
  usrsctp_sysctl_set_sctp_assoc_rtx_max_default(10);
  usrsctp_sysctl_set_sctp_path_rtx_max_default(10);
  usrsctp_sysctl_set_sctp_heartbeat_interval_default(10000);
  usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);
  // A 4 MiB message is ~3600 chunks; usrsctp's default cap of 512 queued chunks would
  // refuse it forever.
  usrsctp_sysctl_set_sctp_max_chunks_on_queue(16 * 1024);
}

std::uint16_t UsrsctpStack::take_port() {
  constexpr std::uint16_t kFirst = 1024;
  std::uint16_t port = next_port_;
  for (std::uint32_t tries = 0; tries < 65536u - kFirst && ports_in_use_.count(port) != 0; ++tries) {
    port = port == 65535 ? kFirst : static_cast<std::uint16_t>(port + 1);
  }
  next_port_ = port == 65535 ? kFirst : static_cast<std::uint16_t>(port + 1);
  ports_in_use_.insert(port);
  return port;
}

void UsrsctpStack::give_port(std::uint16_t port) {
  if (const auto found = ports_in_use_.find(port); found != ports_in_use_.end()) ports_in_use_.erase(found);
}

void UsrsctpStack::advance(base::Instant now) {
  if (!started_ || now < last_) {
    started_ = true;
    last_ = now;
  }
  const std::int64_t elapsed_ms = (now - last_).as_milliseconds();
  if (elapsed_ms > 0) {
    last_ = last_ + base::Duration::milliseconds(elapsed_ms);
    ++timer_runs_;
    usrsctp_handle_timers(static_cast<std::uint32_t>(std::min<std::int64_t>(elapsed_ms, UINT32_MAX)));
  }
  // The timers may have given any association work; each acts on it now. (A snapshot,
  // because service() emits events that a caller could react to by destroying one.)
  servicing_.swap(woken_);
  for (Association* association : servicing_) {
    if (live_.count(association) == 0 || !association->needs_service_) continue;
    association->service();
    if (live_.count(association) != 0 && association->needs_service_) woken_.push_back(association);  // more to do
  }
  servicing_.clear();
}

int UsrsctpStack::on_output(void* address, void* data, std::size_t length, std::uint8_t, std::uint8_t) {
  auto* association = static_cast<Association*>(address);
  UsrsctpStack& stack = instance();
  // An association being destroyed may still be named by usrsctp's last packets.
  if (stack.live_.count(association) == 0 || length < 12) return 0;
  auto* bytes = static_cast<std::uint8_t*>(data);
  base::store_be16(bytes, association->config_.local_port);  // the private port leaves as the SDP's
  // RFC 9260 §6.8: CRC32c over the packet with a zero checksum field, which usrsctp left
  // zero (offload); the result is stored least significant byte first.
  std::memset(bytes + 8, 0, 4);
  const std::uint32_t crc = base::crc32c(base::ByteView(bytes, length));
  for (int i = 0; i < 4; ++i) bytes[8 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
  association->queue_packet(base::ByteView(bytes, length));
  return 0;
}

void UsrsctpStack::on_upcall(struct socket*, void* arg, int) {
  auto* association = static_cast<Association*>(arg);
  UsrsctpStack& stack = instance();
  if (stack.live_.count(association) == 0) return;
  if (!association->needs_service_) stack.woken_.push_back(association);
  association->on_upcall();
}

}  // namespace rtcstack::sctp
