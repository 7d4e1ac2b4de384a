// Association: life cycle and the usrsctp socket underneath - packets in and out,
// timers, notifications, incoming messages. Channel logic is in association_channels.cpp.
#include <usrsctp.h>

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>

#include "base/endian.h"
#include "base/log.h"
#include "sctp/association.h"
#include "sctp/packet_check.h"
#include "sctp/usrsctp_stack.h"

namespace rtcstack::sctp {
namespace {

std::string describe_chunks(base::ByteView packet) {
  // Chunk types by number (RFC 9260 §3.2), with DATA's TSN and stream: what a trace of a
  // stalled association needs to see.
  std::string text = std::to_string(packet.size()) + " bytes:";
  for (std::size_t at = 12; at + 4 <= packet.size();) {
    const std::uint8_t type = packet[at];
    const std::size_t length = base::load_be16(packet.data() + at + 2);
    text += " " + std::to_string(type);
    if (type == 0 && at + 16 <= packet.size()) {
      text += "(tsn " + std::to_string(base::load_be32(packet.data() + at + 4)) + " sid " +
              std::to_string(base::load_be16(packet.data() + at + 8)) + ")";
    }
    if (length < 4) break;
    at += (length + 3) & ~std::size_t{3};
  }
  return text;
}

// usrsctp only takes back control between calls: no timer of its own fires sooner than
// this, so an active association asks to be woken at this pace.
constexpr base::Duration kTick = base::Duration::milliseconds(10);
constexpr std::size_t kReceiveChunk = 64 * 1024;
constexpr std::size_t kCommonHeader = 12;
// The receive buffer is the window the peer may have in flight: 4 MiB keeps a channel
// at 80 MB/s over a 50 ms round trip (1 MiB capped it at 14 MB/s; bench_call impaired).
// Both are limits, not allocations: an idle association holds none of it.
constexpr int kReceiveBuffer = 4 * 1024 * 1024;
constexpr int kSendBuffer = static_cast<int>(kMaxSendMessage + 4 * 1024 * 1024);
// One service() pass can wake usrsctp again (a send frees room, a read sends a SACK);
// the bound only guards against a bug turning that into a spin.
constexpr int kMaxServicePasses = 64;

template <class T>
bool set_option(struct socket* socket, int level, int name, const T& value) {
  return usrsctp_setsockopt(socket, level, name, &value, sizeof value) == 0;
}

sockaddr_conn conn_address(void* self, std::uint16_t port) {
  sockaddr_conn address{};
  address.sconn_family = AF_CONN;
  address.sconn_port = htons(port);
  address.sconn_addr = self;
  return address;
}

}  // namespace

std::string_view to_string(ChannelState state) {
  switch (state) {
    case ChannelState::kConnecting: return "connecting";
    case ChannelState::kOpen: return "open";
    case ChannelState::kClosing: return "closing";
    case ChannelState::kClosed: return "closed";
  }
  return "?";
}

Association::Association(Config config, base::BufferPool* pool)
    : config_(std::move(config)),
      usrsctp_port_(UsrsctpStack::instance().take_port()),
      streams_(std::max<std::uint16_t>(config_.streams, 1)),
      pool_(pool != nullptr ? pool : &own_pool_) {
  UsrsctpStack& stack = UsrsctpStack::instance();
  stack.add(this);
  usrsctp_register_address(this);
  socket_ = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
  if (socket_ == nullptr || !configure_socket()) {
    set_state(State::kFailed, "usrsctp refused to create the SCTP socket (errno " + std::to_string(errno) + ")");
  }
}

Association::~Association() {
  if (config_.budget) config_.budget->give_back(budget_held_);
  UsrsctpStack::instance().remove(this);  // the ABORT usrsctp_close sends goes nowhere
  if (socket_ != nullptr) {
    usrsctp_set_upcall(socket_, nullptr, nullptr);
    usrsctp_close(socket_);
  }
  usrsctp_deregister_address(this);
  UsrsctpStack::instance().give_port(usrsctp_port_);
}

bool Association::configure_socket() {
  usrsctp_set_upcall(socket_, &UsrsctpStack::on_upcall, this);
  if (usrsctp_set_non_blocking(socket_, 1) != 0) return false;
  // Closing the socket aborts the association; close() is the graceful path.
  const linger abort_on_close{1, 0};
  const sctp_assoc_value reset{SCTP_ALL_ASSOC, SCTP_ENABLE_RESET_STREAM_REQ};
  const sctp_initmsg streams{streams_, streams_, 0, 0};
  const int on = 1;
  bool ok = set_option(socket_, SOL_SOCKET, SO_LINGER, abort_on_close) &&
            set_option(socket_, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, reset) &&
            set_option(socket_, IPPROTO_SCTP, SCTP_INITMSG, streams) &&
            set_option(socket_, IPPROTO_SCTP, SCTP_RECVRCVINFO, on) &&
            set_option(socket_, IPPROTO_SCTP, SCTP_EXPLICIT_EOR, on) &&
            set_option(socket_, IPPROTO_SCTP, SCTP_NODELAY, on) &&
            set_option(socket_, SOL_SOCKET, SO_RCVBUF, kReceiveBuffer) &&
            set_option(socket_, SOL_SOCKET, SO_SNDBUF, kSendBuffer);
  // A fixed path MTU, no discovery: every packet must fit one DTLS record. usrsctp's
  // figure leaves out the 12-byte SCTP common header (measured: packets reach pathmtu + 12).
  sctp_paddrparams path{};
  path.spp_flags = SPP_PMTUD_DISABLE;
  path.spp_pathmtu = static_cast<std::uint32_t>(config_.mtu - kCommonHeader);
  ok = ok && set_option(socket_, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, path);
  for (std::uint16_t type : {SCTP_ASSOC_CHANGE, SCTP_REMOTE_ERROR, SCTP_SHUTDOWN_EVENT, SCTP_SENDER_DRY_EVENT,
                             SCTP_STREAM_RESET_EVENT}) {
    ok = ok && set_option(socket_, IPPROTO_SCTP, SCTP_EVENT, sctp_event{SCTP_ALL_ASSOC, type, 1});
  }
  sockaddr_conn local = conn_address(this, usrsctp_port_);
  return ok && usrsctp_bind(socket_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0;
}

void Association::start(base::Instant now) {
  now_ = now;
  if (state_ != State::kNew) return;
  UsrsctpStack::instance().advance(now);
  set_state(State::kConnecting);
  sockaddr_conn remote = conn_address(this, config_.remote_port);
  if (usrsctp_connect(socket_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0 && errno != EINPROGRESS) {
    set_state(State::kFailed, "usrsctp_connect failed (errno " + std::to_string(errno) + ")");
    return;
  }
  service();
}

void Association::handle_packet(base::Instant now, base::ByteView packet) {
  base::Buffer copy = pool_->copy(packet);
  handle_packet(now, base::MutableByteView(copy.data(), copy.size()));
  pool_->give(std::move(copy));
}

void Association::handle_packet(base::Instant now, base::MutableByteView packet) {
  now_ = now;
  if (socket_ == nullptr || state_ == State::kNew || state_ == State::kClosed || state_ == State::kFailed) return;
  if (auto checked = check_packet(packet); !checked) {
    ++counters_.packets_dropped;
    RTC_LOG(kDebug, "sctp") << "dropped a packet: " << checked.error().message;
    return;
  }
  ++counters_.packets_received;
  RTC_LOG(kTrace, "sctp") << "in: " << describe_chunks(packet);
  // Addressed to our SDP port: usrsctp knows us by the private one. (Packets for any
  // other port keep it, and usrsctp drops them as it always did.)
  if (base::load_be16(packet.data() + 2) == config_.local_port) base::store_be16(packet.data() + 2, usrsctp_port_);
  usrsctp_conninput(this, packet.data(), packet.size(), 0);
  // Timers run after the packet is read: they may make another association queue
  // packets, and `packet` may be a view into that association's storage.
  UsrsctpStack::instance().advance(now);
  service();
}

void Association::handle_timeout(base::Instant now) {
  now_ = now;
  if (state_ != State::kConnecting && state_ != State::kConnected) return;
  UsrsctpStack::instance().advance(now);
  service();
}

Output Association::poll_output() {
  if (!outputs_.empty()) {
    Queued queued = std::move(outputs_.front());
    outputs_.pop_front();
    if (auto* packet = std::get_if<QueuedPacket>(&queued)) {
      return Packet{base::ByteView(packet_arena_).subspan(packet->offset, packet->size)};
    }
    return std::get<Event>(std::move(queued));
  }
  packet_arena_.clear();  // every packet was handed out; the capacity stays for the next ones
  const bool active = state_ == State::kConnecting || state_ == State::kConnected;
  return active ? Timeout{now_ + kTick, TimerReason::kTimers} : Timeout{base::Instant::max(), TimerReason::kNone};
}

std::string_view to_string(TimerReason reason) { return reason == TimerReason::kTimers ? "usrsctp-timers" : "none"; }

void Association::queue_packet(base::ByteView packet) {
  ++counters_.packets_sent;
  RTC_LOG(kTrace, "sctp") << "out: " << describe_chunks(packet);
  outputs_.emplace_back(QueuedPacket{packet_arena_.size(), packet.size()});
  packet_arena_.append(packet);
}

void Association::service() {
  for (int pass = 0; pass < kMaxServicePasses && socket_ != nullptr; ++pass) {
    needs_service_ = false;
    drain_incoming();
    if (state_ == State::kConnected) {
      flush();
      request_resets();
      if (shutdown_requested_ && flush_order_.empty()) {
        shutdown_requested_ = false;
        usrsctp_shutdown(socket_, SHUT_WR);
      }
    }
    if (!needs_service_) return;
  }
}

void Association::drain_incoming() {
  // One buffer per thread, not per association: what it holds is consumed before the
  // next read (64 KiB that an idle connection need not keep resident).
  thread_local std::vector<std::uint8_t> receive_buffer(kReceiveChunk);
  while (socket_ != nullptr) {
    sctp_rcvinfo info{};
    socklen_t info_size = sizeof info;
    unsigned int info_type = SCTP_RECVV_NOINFO;
    int flags = 0;
    sockaddr_conn from{};
    socklen_t from_size = sizeof from;
    const ssize_t size = usrsctp_recvv(socket_, receive_buffer.data(), receive_buffer.size(),
                                       reinterpret_cast<sockaddr*>(&from), &from_size, &info, &info_size, &info_type,
                                       &flags);
    if (size <= 0) return;  // EWOULDBLOCK, or 0 at the end of the association
    const base::ByteView bytes(receive_buffer.data(), static_cast<std::size_t>(size));
    if ((flags & MSG_NOTIFICATION) != 0) {
      on_notification(bytes);
      continue;
    }
    if (info_type != SCTP_RECVV_RCVINFO) continue;
    const bool complete = (flags & MSG_EOR) != 0;
    if (partial_.size() + bytes.size() > config_.local_max_message_size) partial_too_large_ = true;
    if (!partial_too_large_ && (!complete || !partial_.empty())) partial_.append(bytes);
    if (!complete) continue;
    if (partial_too_large_) {
      ++counters_.messages_discarded;
      RTC_LOG(kWarning, "sctp") << "discarded a message on stream " << info.rcv_sid << " larger than our "
                                << config_.local_max_message_size << "-byte a=max-message-size";
    } else {
      on_message(info.rcv_sid, ntohl(info.rcv_ppid), partial_.empty() ? bytes : base::ByteView(partial_));
    }
    partial_.clear();
    partial_too_large_ = false;
  }
}

void Association::on_notification(base::ByteView bytes) {
  if (bytes.size() < sizeof(sctp_notification::sctp_tlv)) return;
  const auto* notification = reinterpret_cast<const sctp_notification*>(bytes.data());
  switch (notification->sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE:
      switch (notification->sn_assoc_change.sac_state) {
        case SCTP_COMM_UP: {
          // Both directions use the smaller count (RFC 4960 §5.1.1: OS and MIS).
          const sctp_assoc_change& change = notification->sn_assoc_change;
          streams_ = std::min({streams_, change.sac_outbound_streams, change.sac_inbound_streams});
          if (state_ == State::kConnecting) {
            set_state(State::kConnected);
            open_pending_channels();
          }
          break;
        }
        case SCTP_COMM_LOST:
          set_state(State::kFailed, "the association was lost: the peer aborted or stopped answering");
          break;
        case SCTP_CANT_STR_ASSOC:
          set_state(State::kFailed, "the peer never answered the SCTP handshake");
          break;
        case SCTP_SHUTDOWN_COMP: set_state(State::kClosed); break;
        default: break;
      }
      break;
    case SCTP_STREAM_RESET_EVENT: {
      const sctp_stream_reset_event& event = notification->sn_strreset_event;
      const std::size_t count = (std::min<std::size_t>(event.strreset_length, bytes.size()) - sizeof event) /
                                sizeof(std::uint16_t);
      on_stream_reset(event.strreset_flags, event.strreset_stream_list, count);
      break;
    }
    case SCTP_SHUTDOWN_EVENT:
      RTC_LOG(kInfo, "sctp") << "the peer shuts the association down";
      break;
    case SCTP_REMOTE_ERROR:
      RTC_LOG(kWarning, "sctp") << "the peer reported error " << ntohs(notification->sn_remote_error.sre_error);
      break;
    default: break;  // SENDER_DRY: service() flushes anyway
  }
}

void Association::set_state(State state, std::string reason) {
  if (state_ == state) return;
  state_ = state;
  if (!reason.empty()) {
    RTC_LOG(kInfo, "sctp") << "association " << to_string(state) << ": " << reason;
  }
  emit(StateEvent{state, std::move(reason)});
  if (state == State::kClosed || state == State::kFailed) {
    for (auto& [id, channel] : channels_) {
      if (channel.state != ChannelState::kClosed) emit(ChannelStateEvent{id, ChannelState::kClosed});
    }
    channels_.clear();
    settle_budget();
    flush_order_.clear();
    in_progress_.reset();
    resets_wanted_.clear();
  }
}

void Association::close() {
  if (state_ == State::kConnected) {
    shutdown_requested_ = true;
    service();
  } else if (state_ == State::kNew || state_ == State::kConnecting) {
    abort("closed before the association was up");
  }
}

void Association::abort(std::string reason) {
  if (socket_ == nullptr || state_ == State::kClosed || state_ == State::kFailed) return;
  usrsctp_close(socket_);  // SO_LINGER 0: sends ABORT (queued through on_output)
  socket_ = nullptr;
  set_state(State::kClosed, "aborted: " + reason);
}

}  // namespace rtcstack::sctp
