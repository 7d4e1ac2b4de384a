// The data-channel registry of a connection: W3C's checks on what a channel is opened
// with, and the mapping between channel handles and the SCTP streams that carry them.
#include "pc/data_channels.h"

#include "base/log.h"

namespace rtcstack::pc {
namespace {

base::Error invalid(std::string message) { return {base::ErrorCode::kInvalidArgument, std::move(message)}; }

}  // namespace

base::Result<ChannelHandle> DataChannels::create(const DataChannelInit& init, sctp::Association* sctp,
                                                 std::uint16_t streams) {
  if (init.max_retransmits && init.max_packet_lifetime) {
    return invalid("maxRetransmits and maxPacketLifeTime cannot both be set");
  }
  if (init.negotiated && !init.id) return invalid("a negotiated channel needs an id");
  if (init.id && *init.id >= streams) {
    return invalid("channel id " + std::to_string(*init.id) + " is not below the " + std::to_string(streams) + " SCTP streams");
  }
  const ChannelHandle handle = next_handle_++;
  Channel& channel = channels_[handle];
  channel.init = init;
  if (sctp != nullptr) open(handle, channel, *sctp);
  return handle;
}

base::Result<void> DataChannels::send(ChannelHandle handle, base::ByteView data, bool binary, sctp::Association* sctp) {
  const auto found = channels_.find(handle);
  if (found == channels_.end()) return invalid("no channel " + std::to_string(handle));
  Channel& channel = found->second;
  if (!channel.stream || sctp == nullptr || channel.state != DataChannelState::kOpen) {
    return base::Error{base::ErrorCode::kWrongState, "the channel is " + std::string(sctp::to_string(channel.state))};
  }
  auto sent = sctp->send(*channel.stream, data, binary);
  if (sent) {
    ++channel.messages_sent;
    channel.bytes_sent += data.size();
  }
  return sent;
}

base::Result<void> DataChannels::close(ChannelHandle handle, sctp::Association* sctp) {
  const auto found = channels_.find(handle);
  if (found == channels_.end()) return invalid("no channel " + std::to_string(handle));
  if (found->second.stream && sctp != nullptr) return sctp->close_channel(*found->second.stream);
  channels_.erase(found);
  emit(DataChannelStateEvent{handle, DataChannelState::kClosed});
  return {};
}

std::size_t DataChannels::buffered_amount(ChannelHandle handle, const sctp::Association* sctp) const {
  const auto found = channels_.find(handle);
  if (found == channels_.end() || !found->second.stream || sctp == nullptr) return 0;
  return sctp->buffered_amount(*found->second.stream);
}

void DataChannels::set_buffered_amount_low_threshold(ChannelHandle handle, std::size_t threshold,
                                                     sctp::Association* sctp) {
  const auto found = channels_.find(handle);
  if (found == channels_.end()) return;
  found->second.low_threshold = threshold;
  if (found->second.stream && sctp != nullptr) sctp->set_buffered_amount_low_threshold(*found->second.stream, threshold);
}

std::optional<std::uint16_t> DataChannels::id(ChannelHandle handle) const {
  const auto found = channels_.find(handle);
  if (found == channels_.end()) return std::nullopt;
  return found->second.stream ? found->second.stream : found->second.init.id;
}

std::optional<DataChannelState> DataChannels::state(ChannelHandle handle) const {
  const auto found = channels_.find(handle);
  if (found == channels_.end()) return std::nullopt;
  return found->second.state;
}

const DataChannelInit* DataChannels::init(ChannelHandle handle) const {
  const auto found = channels_.find(handle);
  return found == channels_.end() ? nullptr : &found->second.init;
}

void DataChannels::open_waiting(sctp::Association& sctp) {
  for (auto& [handle, channel] : channels_) {
    if (!channel.stream) open(handle, channel, sctp);
  }
}

void DataChannels::open(ChannelHandle handle, Channel& channel, sctp::Association& sctp) {
  auto stream = sctp.open_channel(channel.init);
  if (!stream) {
    RTC_LOG(kWarning, "pc") << "channel \"" << channel.init.label << "\" cannot open: " << stream.error().message;
    channel.state = DataChannelState::kClosed;
    emit(DataChannelStateEvent{handle, DataChannelState::kClosed});
    return;
  }
  channel.stream = *stream;
  by_stream_[*stream] = handle;
  if (channel.low_threshold > 0) sctp.set_buffered_amount_low_threshold(*stream, channel.low_threshold);
}

ChannelHandle DataChannels::handle_of(std::uint16_t stream) const {
  const auto found = by_stream_.find(stream);
  return found == by_stream_.end() ? 0 : found->second;
}

void DataChannels::on_sctp_event(sctp::Event event) {
  if (const auto* incoming = std::get_if<sctp::IncomingChannelEvent>(&event)) {
    const ChannelHandle handle = next_handle_++;
    Channel& channel = channels_[handle];
    channel.init = incoming->init;
    channel.stream = incoming->id;
    by_stream_[incoming->id] = handle;
    emit(DataChannelEvent{handle, incoming->init});
  } else if (const auto* state = std::get_if<sctp::ChannelStateEvent>(&event)) {
    const ChannelHandle handle = handle_of(state->id);
    if (handle == 0) return;
    channels_[handle].state = state->state;
    if (state->state == DataChannelState::kOpen) ++opened_;
    if (state->state == DataChannelState::kClosed) ++closed_;
    emit(DataChannelStateEvent{handle, state->state});
    if (state->state == DataChannelState::kClosed) {
      by_stream_.erase(state->id);
      channels_.erase(handle);
    }
  } else if (auto* message = std::get_if<sctp::MessageEvent>(&event)) {
    if (const ChannelHandle handle = handle_of(message->id)) {
      Channel& channel = channels_[handle];
      ++channel.messages_received;
      channel.bytes_received += message->data.size();
      emit(MessageEvent{handle, message->binary, std::move(message->data)});
    }
  } else if (const auto* low = std::get_if<sctp::BufferedAmountLowEvent>(&event)) {
    if (const ChannelHandle handle = handle_of(low->id)) emit(BufferedAmountLowEvent{handle});
  }
}

void DataChannels::close_all(bool announce) {
  for (auto& [handle, channel] : channels_) {
    if (channel.state == DataChannelState::kClosed) continue;
    channel.state = DataChannelState::kClosed;
    ++closed_;
    if (announce) emit(DataChannelStateEvent{handle, DataChannelState::kClosed});
  }
  by_stream_.clear();
}

void DataChannels::append_stats(double timestamp, std::vector<Stats>& report) const {
  for (const auto& [handle, channel] : channels_) {
    Stats stats{"D" + std::to_string(handle), "data-channel", timestamp,
                {{"label", channel.init.label},
                 {"protocol", channel.init.protocol},
                 {"state", std::string(sctp::to_string(channel.state))},
                 {"messagesSent", channel.messages_sent},
                 {"bytesSent", channel.bytes_sent},
                 {"messagesReceived", channel.messages_received},
                 {"bytesReceived", channel.bytes_received}}};
    if (const auto identifier = id(handle)) stats.members.emplace_back("dataChannelIdentifier", std::uint64_t{*identifier});
    report.push_back(std::move(stats));
  }
}

}  // namespace rtcstack::pc
