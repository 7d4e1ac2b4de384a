// Association: data channels - ids, DCEP, sending with backpressure, closing by stream
// reset (RFC 8831, RFC 8832).
#include <usrsctp.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>

#include "base/log.h"
#include "sctp/association.h"

namespace rtcstack::sctp {
namespace {

// RFC 8831 §8 payload protocol identifiers.
constexpr std::uint32_t kPpidDcep = 50, kPpidString = 51, kPpidBinary = 53, kPpidStringEmpty = 56,
                        kPpidBinaryEmpty = 57;
// An empty message travels as one zero byte under the "empty" PPIDs (RFC 8831 §6.6).
constexpr std::uint8_t kEmptyPayload[1] = {0};

base::Error invalid(std::string message) { return {base::ErrorCode::kInvalidArgument, std::move(message)}; }

bool is_dcep_open(const base::Buffer& data) { return !data.empty() && data.data()[0] == 0x03; }

}  // namespace

base::Result<std::uint16_t> Association::pick_id(const ChannelInit& init) const {
  if (init.id) {
    if (*init.id >= streams_) return invalid("channel id " + std::to_string(*init.id) + " is not below " + std::to_string(streams_));
    if (channels_.count(*init.id) != 0) return invalid("channel id " + std::to_string(*init.id) + " is in use");
    return *init.id;
  }
  if (init.negotiated) return invalid("a negotiated channel needs an id");
  // RFC 8832 §6: the DTLS client takes even ids, the server odd ones, so both sides can
  // open channels at once without colliding.
  for (std::uint32_t id = config_.dtls_client ? 0 : 1; id < streams_; id += 2) {
    if (channels_.count(static_cast<std::uint16_t>(id)) == 0) return static_cast<std::uint16_t>(id);
  }
  return base::Error{base::ErrorCode::kResourceExhausted, "every stream id of our parity is in use"};
}

Association::Channel& Association::add_channel(std::uint16_t id, ChannelInit init, ChannelState state) {
  Channel& channel = channels_[id];
  channel.init = std::move(init);
  channel.init.id = id;
  channel.state = state;
  return channel;
}

base::Result<std::uint16_t> Association::open_channel(const ChannelInit& init) {
  if (state_ == State::kClosed || state_ == State::kFailed) {
    return base::Error{base::ErrorCode::kWrongState, "the association is " + std::string(to_string(state_))};
  }
  if (init.max_retransmits && init.max_packet_lifetime) {
    return invalid("maxRetransmits and maxPacketLifeTime cannot both be set");
  }
  if (init.label.size() > UINT16_MAX || init.protocol.size() > UINT16_MAX) {
    return invalid("label and protocol must each fit in 65535 bytes");
  }
  auto id = pick_id(init);
  if (!id) return id;
  Channel& channel = add_channel(*id, init, ChannelState::kConnecting);
  if (!init.negotiated) {
    DcepOpen open;
    open.ordered = init.ordered;
    open.priority = init.priority;
    open.label = init.label;
    open.protocol = init.protocol;
    if (init.max_retransmits) {
      open.reliability = Reliability::kLimitedRetransmits;
      open.reliability_parameter = *init.max_retransmits;
    } else if (init.max_packet_lifetime) {
      open.reliability = Reliability::kLimitedLifetime;
      open.reliability_parameter = *init.max_packet_lifetime;
    }
    base::Buffer message(dcep_open_size(open));
    serialize_dcep_open(open, message);
    channel.queue.push_back(Outgoing{std::move(message), kPpidDcep});
    channel.awaiting_ack = true;
    flush_order_.push_back(*id);
  }
  if (state_ == State::kConnected) {
    open_pending_channels();
    service();
  }
  return id;
}

void Association::open_pending_channels() {
  for (auto& [id, channel] : channels_) {
    if (channel.init.negotiated && channel.state == ChannelState::kConnecting) {
      channel.state = ChannelState::kOpen;
      emit(ChannelStateEvent{id, ChannelState::kOpen});
    }
  }
}

std::size_t Association::max_message_size() const {
  return config_.remote_max_message_size == 0 ? kMaxSendMessage
                                              : std::min(config_.remote_max_message_size, kMaxSendMessage);
}

base::Result<void> Association::send(std::uint16_t id, base::ByteView data, bool binary) {
  const auto found = channels_.find(id);
  if (found == channels_.end() || found->second.state != ChannelState::kOpen) {
    return base::Error{base::ErrorCode::kWrongState, "channel " + std::to_string(id) + " is not open"};
  }
  if (data.size() > max_message_size()) {
    return invalid("a " + std::to_string(data.size()) + "-byte message exceeds the peer's limit of " +
                   std::to_string(max_message_size()) + " bytes");
  }
  Channel& channel = found->second;
  if (channel.buffered + data.size() > config_.max_buffered_amount) {
    return base::Error{base::ErrorCode::kResourceExhausted,
                       "channel " + std::to_string(id) + " already buffers " + std::to_string(channel.buffered) +
                           " bytes; the limit is " + std::to_string(config_.max_buffered_amount)};
  }
  if (config_.budget) {
    if (!config_.budget->try_take(data.size())) {
      return base::Error{base::ErrorCode::kResourceExhausted,
                         "the process's budget for buffered bytes is spent (" + std::to_string(config_.budget->used()) +
                             " of " + std::to_string(config_.budget->limit()) + " bytes)"};
    }
    budget_held_ += data.size();  // what SCTP takes at once comes back in settle_budget()
  }
  const std::uint32_t ppid = data.empty() ? (binary ? kPpidBinaryEmpty : kPpidStringEmpty)
                                          : (binary ? kPpidBinary : kPpidString);
  const base::ByteView payload = data.empty() ? base::ByteView(kEmptyPayload) : data;
  ++counters_.messages_sent;
  counters_.bytes_sent += data.size();
  // Straight into SCTP when nothing waits ahead of it: no copy on the common path.
  std::ptrdiff_t taken = 0;
  if (channel.queue.empty() && !in_progress_ && state_ == State::kConnected) {
    taken = send_now(id, channel, ppid, payload, channel.awaiting_ack);
    if (taken == static_cast<std::ptrdiff_t>(payload.size())) {
      settle_budget();
      service();
      return {};
    }
    if (taken < 0) {
      settle_budget();
      return base::Error{base::ErrorCode::kInternal, "usrsctp refused the message (see the log)"};
    }
    if (taken > 0) in_progress_ = id;
  }
  if (channel.queue.empty()) flush_order_.push_back(id);
  channel.queue.push_back(Outgoing{base::Buffer(payload), ppid, static_cast<std::size_t>(taken)});
  channel.buffered += data.size() - std::min(data.size(), static_cast<std::size_t>(taken));
  settle_budget();
  return {};
}

void Association::settle_budget() {
  if (!config_.budget) return;
  std::size_t buffered = 0;
  for (const auto& [id, channel] : channels_) buffered += channel.buffered;
  if (buffered < budget_held_) {
    config_.budget->give_back(budget_held_ - buffered);
    budget_held_ = buffered;
  }
}

std::ptrdiff_t Association::send_now(std::uint16_t id, const Channel& channel, std::uint32_t ppid, base::ByteView data,
                                     bool force_ordered) {
  sctp_sendv_spa info{};
  info.sendv_flags = SCTP_SEND_SNDINFO_VALID;
  info.sendv_sndinfo.snd_sid = id;
  info.sendv_sndinfo.snd_ppid = htonl(ppid);
  info.sendv_sndinfo.snd_flags = SCTP_EOR;  // `data` always ends the message
  const bool control = ppid == kPpidDcep;  // DCEP is always reliable and ordered
  if (!control && !channel.init.ordered && !force_ordered) info.sendv_sndinfo.snd_flags |= SCTP_UNORDERED;
  if (!control && (channel.init.max_retransmits || channel.init.max_packet_lifetime)) {
    info.sendv_flags |= SCTP_SEND_PRINFO_VALID;
    info.sendv_prinfo.pr_policy = channel.init.max_retransmits ? SCTP_PR_SCTP_RTX : SCTP_PR_SCTP_TTL;
    info.sendv_prinfo.pr_value = channel.init.max_retransmits ? *channel.init.max_retransmits
                                                              : *channel.init.max_packet_lifetime;
  }
  // With explicit EOR, a non-blocking send may take only what fits in the send buffer
  // (even nothing); the caller sends the rest later, before anything else.
  const ssize_t sent = usrsctp_sendv(socket_, data.data(), data.size(), nullptr, 0, &info, sizeof info,
                                     SCTP_SENDV_SPA, 0);
  if (sent >= 0) return sent;
  if (errno == EWOULDBLOCK || errno == EAGAIN) return 0;
  RTC_LOG(kWarning, "sctp") << "usrsctp refused a " << data.size() << "-byte message on stream " << id << " (errno "
                            << errno << ")";
  return -1;
}

void Association::flush() {
  // Round robin, one message per channel per turn, until SCTP's buffer is full; a message
  // SCTP took in part is finished first.
  while (!flush_order_.empty() && socket_ != nullptr) {
    const std::uint16_t id = in_progress_.value_or(flush_order_.front());
    const auto found = channels_.find(id);
    if (found == channels_.end() || found->second.queue.empty()) {
      std::erase(flush_order_, id);
      in_progress_.reset();
      continue;
    }
    Channel& channel = found->second;
    Outgoing& message = channel.queue.front();
    const base::ByteView rest = base::ByteView(message.data).subspan(message.taken);
    const std::ptrdiff_t taken = send_now(id, channel, message.ppid, rest, channel.awaiting_ack);
    if (taken >= 0 && taken < static_cast<std::ptrdiff_t>(rest.size())) {
      message.taken += static_cast<std::size_t>(taken);
      if (message.taken > 0) in_progress_ = id;
      if (message.ppid != kPpidDcep) reduce_buffered(id, channel, static_cast<std::size_t>(taken));
      return;  // SCTP's buffer is full
    }
    // Whole now, or refused for good (logged): either way it leaves the queue.
    in_progress_.reset();
    const Outgoing done = std::move(message);
    channel.queue.pop_front();
    std::erase(flush_order_, id);
    if (!channel.queue.empty()) flush_order_.push_back(id);
    after_sent(id, channel, done, rest.size());
  }
}

void Association::reduce_buffered(std::uint16_t id, Channel& channel, std::size_t bytes) {
  const std::size_t before = channel.buffered;
  channel.buffered -= std::min(bytes, channel.buffered);
  settle_budget();
  if (before > channel.low_threshold && channel.buffered <= channel.low_threshold) emit(BufferedAmountLowEvent{id});
}

void Association::after_sent(std::uint16_t id, Channel& channel, const Outgoing& message, std::size_t last_part) {
  if (message.ppid == kPpidDcep) {
    if (is_dcep_open(message.data) && channel.state == ChannelState::kConnecting) {
      channel.state = ChannelState::kOpen;
      emit(ChannelStateEvent{id, ChannelState::kOpen});
    }
    return;
  }
  const bool empty = message.ppid == kPpidStringEmpty || message.ppid == kPpidBinaryEmpty;
  reduce_buffered(id, channel, empty ? 0 : last_part);
  if (channel.queue.empty() && channel.state == ChannelState::kClosing && !channel.reset_requested) {
    resets_wanted_.push_back(id);
  }
}

void Association::on_message(std::uint16_t id, std::uint32_t ppid, base::ByteView data) {
  if (ppid == kPpidDcep) {
    on_dcep(id, data);
    return;
  }
  const auto found = channels_.find(id);
  const bool known_ppid = ppid == kPpidString || ppid == kPpidBinary || ppid == kPpidStringEmpty || ppid == kPpidBinaryEmpty;
  if (found == channels_.end() || found->second.state == ChannelState::kConnecting || !known_ppid) {
    ++counters_.messages_discarded;
    RTC_LOG(kDebug, "sctp") << "discarded a message with PPID " << ppid << " on stream " << id;
    return;
  }
  found->second.awaiting_ack = false;  // RFC 8832 §6: any message from the peer implies the ACK
  const bool empty = ppid == kPpidStringEmpty || ppid == kPpidBinaryEmpty;
  RTC_LOG(kTrace, "sctp") << "a " << (empty ? 0 : data.size()) << "-byte message on stream " << id;
  ++counters_.messages_received;
  counters_.bytes_received += empty ? 0 : data.size();
  emit(MessageEvent{id, ppid == kPpidBinary || ppid == kPpidBinaryEmpty, empty ? base::Buffer() : pool_->copy(data)});
}

void Association::on_dcep(std::uint16_t id, base::ByteView data) {
  auto message = parse_dcep(data);
  if (!message) {
    ++counters_.messages_discarded;
    RTC_LOG(kWarning, "sctp") << "bad DCEP message on stream " << id << ": " << message.error().message;
    return;
  }
  if (std::holds_alternative<DcepAck>(*message)) {
    const auto found = channels_.find(id);
    if (found != channels_.end()) found->second.awaiting_ack = false;
    return;
  }
  const auto& open = std::get<DcepOpen>(*message);
  if (channels_.count(id) != 0) {
    // Both sides chose this id (a negotiated channel, or a peer ignoring RFC 8832's
    // parity rule): the existing channel keeps it.
    ++counters_.messages_discarded;
    RTC_LOG(kWarning, "sctp") << "DATA_CHANNEL_OPEN for stream " << id << ", which is already in use";
    return;
  }
  ChannelInit init;
  init.label = std::string(open.label);
  init.protocol = std::string(open.protocol);
  init.ordered = open.ordered;
  init.priority = open.priority;
  if (open.reliability == Reliability::kLimitedRetransmits) {
    init.max_retransmits = static_cast<std::uint16_t>(std::min<std::uint32_t>(open.reliability_parameter, UINT16_MAX));
  } else if (open.reliability == Reliability::kLimitedLifetime) {
    init.max_packet_lifetime = open.reliability_parameter;
  }
  RTC_LOG(kDebug, "sctp") << "the peer opens stream " << id << " (\"" << init.label << "\")";
  Channel& channel = add_channel(id, init, ChannelState::kOpen);
  channel.queue.push_back(Outgoing{base::Buffer(base::ByteView(kDcepAckMessage)), kPpidDcep});
  flush_order_.push_back(id);
  emit(IncomingChannelEvent{id, std::move(init)});
  emit(ChannelStateEvent{id, ChannelState::kOpen});
}

base::Result<void> Association::close_channel(std::uint16_t id) {
  const auto found = channels_.find(id);
  if (found == channels_.end()) return invalid("no channel " + std::to_string(id));
  Channel& channel = found->second;
  if (channel.state == ChannelState::kClosing) return {};
  if (state_ != State::kConnected) {
    finish_channel(id);  // nothing was sent on it that a reset would need to end
    return {};
  }
  channel.state = ChannelState::kClosing;
  emit(ChannelStateEvent{id, ChannelState::kClosing});
  if (channel.queue.empty()) resets_wanted_.push_back(id);
  service();
  return {};
}

void Association::request_resets() {
  if (resets_wanted_.empty()) return;
  std::vector<std::uint8_t> storage(sizeof(sctp_reset_streams) + resets_wanted_.size() * sizeof(std::uint16_t));
  auto* request = reinterpret_cast<sctp_reset_streams*>(storage.data());
  request->srs_assoc_id = SCTP_ALL_ASSOC;
  request->srs_flags = SCTP_STREAM_RESET_OUTGOING;
  request->srs_number_streams = static_cast<std::uint16_t>(resets_wanted_.size());
  std::copy(resets_wanted_.begin(), resets_wanted_.end(), request->srs_stream_list);
  if (usrsctp_setsockopt(socket_, IPPROTO_SCTP, SCTP_RESET_STREAMS, request, static_cast<socklen_t>(storage.size())) != 0) {
    // EALREADY/EBUSY: one request is in flight; the next service() pass retries.
    if (errno != EALREADY && errno != EBUSY) {
      RTC_LOG(kWarning, "sctp") << "stream reset refused (errno " << errno << "); closing the channels locally";
      for (std::uint16_t id : std::exchange(resets_wanted_, {})) finish_channel(id);
    }
    return;
  }
  for (std::uint16_t id : std::exchange(resets_wanted_, {})) {
    const auto found = channels_.find(id);
    if (found != channels_.end()) found->second.reset_requested = true;
  }
}

void Association::on_stream_reset(std::uint16_t flags, const std::uint16_t* streams, std::size_t count) {
  const bool failed = (flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)) != 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint16_t id = streams[i];
    const auto found = channels_.find(id);
    if (found == channels_.end()) continue;
    Channel& channel = found->second;
    if (failed) {
      RTC_LOG(kWarning, "sctp") << "the peer refused to reset stream " << id << "; closing the channel locally";
      finish_channel(id);
      continue;
    }
    if ((flags & SCTP_STREAM_RESET_INCOMING_SSN) != 0) {
      channel.incoming_reset = true;
      if (channel.state != ChannelState::kClosing) {
        // The peer closed: close ours too, after what we still have queued.
        channel.state = ChannelState::kClosing;
        emit(ChannelStateEvent{id, ChannelState::kClosing});
        if (channel.queue.empty()) resets_wanted_.push_back(id);
      }
    }
    if ((flags & SCTP_STREAM_RESET_OUTGOING_SSN) != 0) channel.outgoing_reset = true;
    if (channel.incoming_reset && channel.outgoing_reset) finish_channel(id);
  }
}

void Association::finish_channel(std::uint16_t id) {
  if (channels_.erase(id) == 0) return;
  settle_budget();  // what its queue held
  emit(ChannelStateEvent{id, ChannelState::kClosed});
  if (in_progress_ == id) in_progress_.reset();
  std::erase(flush_order_, id);
  std::erase(resets_wanted_, id);
}

std::size_t Association::buffered_amount(std::uint16_t id) const {
  const auto found = channels_.find(id);
  return found == channels_.end() ? 0 : found->second.buffered;
}

void Association::set_buffered_amount_low_threshold(std::uint16_t id, std::size_t threshold) {
  const auto found = channels_.find(id);
  if (found != channels_.end()) found->second.low_threshold = threshold;
}

std::optional<ChannelState> Association::channel_state(std::uint16_t id) const {
  const auto found = channels_.find(id);
  if (found == channels_.end()) return std::nullopt;
  return found->second.state;
}

const ChannelInit* Association::channel_init(std::uint16_t id) const {
  const auto found = channels_.find(id);
  return found == channels_.end() ? nullptr : &found->second.init;
}

}  // namespace rtcstack::sctp
