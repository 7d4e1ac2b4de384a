// The one owner of usrsctp's process-global state (not installed: lib/sctp's users see
// only Association). It initialises usrsctp once, without threads, tunes it for WebRTC,
// routes each outgoing packet to the live association it belongs to, and advances
// usrsctp's timers once per time step however many associations call handle_timeout().
#pragma once

#include <cstdint>
#include <unordered_set>
#include <vector>

#include "base/time.h"

struct socket;  // usrsctp's

namespace rtcstack::sctp {

class Association;

class UsrsctpStack {
 public:
  /// The process's instance; usrsctp is initialised on first use and stays for the
  /// process's lifetime (usrsctp_finish cannot be undone safely).
  static UsrsctpStack& instance();

  void add(Association* association) { live_.insert(association); }
  void remove(Association* association) { live_.erase(association); }
  /// A port for an association's usrsctp socket, none of the live ones' while fewer than
  /// 64 512 (the ports from 1024 up) are live (past that, ports are shared, which is slower but still correct:
  /// each association has its own AF_CONN address).
  std::uint16_t take_port();
  void give_port(std::uint16_t port);

  /// Runs usrsctp's timers up to `now` (whole milliseconds; the remainder is carried),
  /// then lets every association that usrsctp woke act on it. An earlier `now` than
  /// before (another time base, e.g. a new simulation) restarts the count from there.
  void advance(base::Instant now);
  /// How many times advance() ran usrsctp's timers (for tests: once per time step).
  std::uint64_t timer_runs() const { return timer_runs_; }

 private:
  UsrsctpStack();
  static int on_output(void* address, void* data, std::size_t length, std::uint8_t tos, std::uint8_t set_df);
  static void on_upcall(struct ::socket* socket, void* arg, int flags);
  friend class Association;

  std::unordered_set<Association*> live_;
  std::unordered_multiset<std::uint16_t> ports_in_use_;
  std::uint16_t next_port_ = 1024;
  // Associations usrsctp woke since the last advance(), so that advance() costs what the
  // woken ones need, not a scan of every association (1000 connections on one runtime).
  // May hold duplicates and dead ones: both are skipped.
  std::vector<Association*> woken_, servicing_;
  bool started_ = false;
  std::uint64_t timer_runs_ = 0;
  base::Instant last_;
};

}  // namespace rtcstack::sctp
