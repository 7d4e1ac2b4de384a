// The data channels of one connection (W3C RTCDataChannel objects): their handles, what
// they were opened with, their SCTP streams once known, their states and counters. The
// channels outlive the association: they are made before it exists and keep answering
// queries after it is gone, so the association is passed to the calls that need it.
// Private to lib/pc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "base/ring_queue.h"
#include "pc/output.h"
#include "pc/stats.h"
#include "sctp/association.h"

namespace rtcstack::pc {

class DataChannels {
 public:
  /// Events (DataChannelEvent, MessageEvent, ...) are queued on `outputs`.
  explicit DataChannels(base::RingQueue<Output>& outputs) : outputs_(outputs) {}

  /// A new channel, opened at once when `sctp` exists. An id must be below `streams`.
  base::Result<ChannelHandle> create(const DataChannelInit& init, sctp::Association* sctp, std::uint16_t streams);
  base::Result<void> send(ChannelHandle handle, base::ByteView data, bool binary, sctp::Association* sctp);
  /// Starts the closing handshake, or closes at once a channel that never opened.
  base::Result<void> close(ChannelHandle handle, sctp::Association* sctp);
  std::size_t buffered_amount(ChannelHandle handle, const sctp::Association* sctp) const;
  void set_buffered_amount_low_threshold(ChannelHandle handle, std::size_t threshold, sctp::Association* sctp);
  /// The SCTP stream id, once known (or the id asked for).
  std::optional<std::uint16_t> id(ChannelHandle handle) const;
  std::optional<DataChannelState> state(ChannelHandle handle) const;
  const DataChannelInit* init(ChannelHandle handle) const;
  bool empty() const { return channels_.empty(); }

  /// The association is up: the channels made before it open now.
  void open_waiting(sctp::Association& sctp);
  /// A channel event of the association (not its own StateEvent).
  void on_sctp_event(sctp::Event event);
  /// The transport is gone: every channel not yet closed is, told only when `announce`.
  void close_all(bool announce);

  /// RTCDataChannelStats of each channel.
  void append_stats(double timestamp, std::vector<Stats>& report) const;
  std::uint64_t opened() const { return opened_; }
  std::uint64_t closed() const { return closed_; }

 private:
  struct Channel {
    DataChannelInit init;
    std::optional<std::uint16_t> stream;
    DataChannelState state = DataChannelState::kConnecting;
    std::size_t low_threshold = 0;
    std::uint64_t messages_sent = 0, bytes_sent = 0, messages_received = 0, bytes_received = 0;
  };

  void open(ChannelHandle handle, Channel& channel, sctp::Association& sctp);
  ChannelHandle handle_of(std::uint16_t stream) const;
  void emit(Event event) { outputs_.emplace_back(std::move(event)); }

  base::RingQueue<Output>& outputs_;
  std::map<ChannelHandle, Channel> channels_;
  std::map<std::uint16_t, ChannelHandle> by_stream_;
  ChannelHandle next_handle_ = 1;
  std::uint64_t opened_ = 0, closed_ = 0;
};

}  // namespace rtcstack::pc
