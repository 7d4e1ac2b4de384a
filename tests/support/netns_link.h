// Two network namespaces joined by a veth pair, made (and removed) by a test that runs as
// root: "a" at 10.77.X.1/24 and fd77::1/64, "b" at 10.77.X.2/24 and fd77::2/64 (X from
// the process id; each namespace is a world of its own anyway), loopback up, multicast
// routed over the link. run_in() runs
// a function on a thread that has entered one namespace: sockets it opens, and threads it
// starts (a Runtime's IO thread), live there.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include "base/socket_address.h"

namespace rtcstack::testing {

class NetnsLink {
 public:
  NetnsLink() {
    const int pid = static_cast<int>(::getpid());
    const std::string tag = std::to_string(pid % 100000);
    names_[0] = "rtcs" + tag + "a";
    names_[1] = "rtcs" + tag + "b";
    const std::string subnet = "10.77." + std::to_string(pid % 250 + 1) + ".";
    addresses_[0] = *base::IpAddress::parse(subnet + "1");
    addresses_[1] = *base::IpAddress::parse(subnet + "2");
    addresses6_[0] = *base::IpAddress::parse("fd77::1");
    addresses6_[1] = *base::IpAddress::parse("fd77::2");
    const std::string veth_a = "va" + tag, veth_b = "vb" + tag;
    ok_ = run("ip netns add " + names_[0]) && run("ip netns add " + names_[1]) &&
          run("ip link add " + veth_a + " type veth peer name " + veth_b) &&
          run("ip link set " + veth_a + " netns " + names_[0]) && run("ip link set " + veth_b + " netns " + names_[1]);
    const std::string veths[2] = {veth_a, veth_b};
    for (int i = 0; i < 2 && ok_; ++i) {
      const std::string in = "ip -n " + names_[i] + " ";
      // nodad: the address is usable at once, not after duplicate address detection.
      ok_ = run(in + "link set lo up") && run(in + "addr add " + addresses_[i].to_string() + "/24 dev " + veths[i]) &&
            run(in + "addr add " + addresses6_[i].to_string() + "/64 dev " + veths[i] + " nodad") &&
            run(in + "link set " + veths[i] + " up multicast on") &&
            run(in + "route add 224.0.0.0/4 dev " + veths[i]);
    }
  }
  ~NetnsLink() {
    for (const std::string& name : names_) (void)run("ip netns del " + name);
  }
  NetnsLink(const NetnsLink&) = delete;
  NetnsLink& operator=(const NetnsLink&) = delete;

  /// Whether both namespaces and the link came up (root and iproute2 are needed).
  bool ok() const { return ok_; }
  const base::IpAddress& address(int side) const { return addresses_[side]; }
  const base::IpAddress& address6(int side) const { return addresses6_[side]; }

  /// Runs `function` on a thread inside namespace `side` (0: a, 1: b) and waits for it.
  /// False when the namespace could not be entered.
  bool run_in(int side, const std::function<void()>& function) const {
    bool entered = false;
    std::thread thread([&] {
      const int fd = ::open(("/run/netns/" + names_[side]).c_str(), O_RDONLY | O_CLOEXEC);
      entered = fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
      if (fd >= 0) ::close(fd);
      if (entered) function();
    });
    thread.join();
    return entered;
  }

 private:
  static bool run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

  std::string names_[2];
  base::IpAddress addresses_[2], addresses6_[2];
  bool ok_ = false;
};

}  // namespace rtcstack::testing
