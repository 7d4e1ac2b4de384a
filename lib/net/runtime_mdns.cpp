// RuntimeCore: mDNS for ICE candidates. One endpoint per runtime (MdnsService), shared by
// its connections: it resolves the .local names remote candidates carry, for every
// connection that waits on a name at once, and answers for the names that hide the host
// addresses of connections created with RuntimeOptions::mdns_host_names.
#include <sys/epoll.h>

#include "base/log.h"
#include "ice/mdns_message.h"
#include "net/mdns_service.h"
#include "net/runtime_core.h"

namespace rtcstack::net {
namespace {

void log_resolution(std::string_view name, const std::vector<base::IpAddress>& addresses, std::string_view how) {
  if (!base::log_enabled(base::LogLevel::kDebug)) return;
  std::string text;
  for (const base::IpAddress& address : addresses) text += " " + address.to_string();
  RTC_LOG(kDebug, "net") << "mDNS: " << name
                         << (text.empty() ? std::string(" did not resolve") : " resolved to" + text + " (" + std::string(how) + ")");
}

}  // namespace

bool RuntimeCore::ensure_mdns() {
  if (mdns_) return true;
  if (mdns_failed_) return false;
  auto opened = MdnsService::open(addresses_);
  if (!opened) {
    mdns_failed_ = true;
    RTC_LOG(kWarning, "net") << opened.error().message << ": .local candidates are not resolved";
    return false;
  }
  mdns_ = std::move(*opened);
  for (const int fd : mdns_->fds()) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
  }
  return true;
}

MdnsStats RuntimeCore::mdns_stats() {
  std::lock_guard lock(cores_mutex());
  return mdns_ ? mdns_->stats() : MdnsStats{};
}

void RuntimeCore::name_hosts(Connection& connection, pc::Configuration& configuration) {
  if (!candidates_.mdns_host_names) return;
  for (const base::IpAddress& address : addresses_) {
    std::string name = ice::mdns::random_name(connection.random);
    configuration.ice.host_names.emplace_back(address, name);
    connection.mdns_names.push_back(std::move(name));
  }
}

void RuntimeCore::register_names(const Connection& connection) {
  if (!mdns_) return;
  for (std::size_t i = 0; i < connection.mdns_names.size(); ++i) {
    // name_hosts() made them in addresses_' order.
    if (!mdns_->add_name(connection.mdns_names[i], addresses_[i])) {
      RTC_LOG(kWarning, "net") << "mDNS: " << connection.mdns_names[i] << " not answered for (too many names)";
    }
  }
}

void RuntimeCore::forget_names(Connection& connection) {
  if (mdns_) {
    for (const std::string& name : connection.mdns_names) mdns_->remove_name(name);
  }
  connection.mdns_names.clear();
}

void RuntimeCore::resolve_name(Connection& connection, const std::string& name, base::Instant now) {
  if (!candidates_.mdns_resolve || !ensure_mdns()) {
    connection.pc->handle_mdns_resolution(now, name, {});
    return;
  }
  auto resolved = mdns_->resolve(now, name);
  if (!resolved) {
    RTC_LOG(kDebug, "net") << resolved.error().message;
    connection.pc->handle_mdns_resolution(now, name, {});
  } else if (*resolved) {
    log_resolution(name, **resolved, "from the cache");
    connection.pc->handle_mdns_resolution(now, name, **resolved);
  } else {
    mdns_waiters_[name].push_back(connection.id);
  }
}

void RuntimeCore::deliver_resolutions(base::Instant now) {
  while (auto resolution = mdns_->poll_resolution()) {
    log_resolution(resolution->name, resolution->addresses, "answered");
    const auto waiters = mdns_waiters_.find(resolution->name);
    if (waiters == mdns_waiters_.end()) continue;
    for (const std::uint64_t id : waiters->second) {
      const auto found = connections_.find(id);
      if (found == connections_.end() || found->second->removed) continue;
      found->second->pc->handle_mdns_resolution(now, resolution->name, resolution->addresses);
      mark_dirty(*found->second);
    }
    mdns_waiters_.erase(waiters);
  }
}

}  // namespace rtcstack::net
