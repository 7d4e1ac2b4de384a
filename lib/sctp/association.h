// A sans-IO SCTP association carrying WebRTC data channels (RFC 8831, RFC 8832, RFC 8261)
// over usrsctp. SCTP packets go in (the DTLS transport's application data) and come out;
// time goes in through handle_timeout(); events and a timeout come out of poll_output().
//
// Threading: usrsctp keeps process-global state (one owner in usrsctp_stack.cpp runs
// its timers for every association at once). Drive all associations of a process from
// one thread at a time; lib/net's Runtime serialises its calls for exactly this reason.
// All associations of a process must also share one time base (`now` values). usrsctp
// also reads the wall clock itself (libc gettimeofday: RTT samples, and which chunks are
// old enough to retransmit), so `now` must advance with the wall clock; tests in
// simulated time interpose gettimeofday (tests/support/wall_clock.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/transport_state.h"
#include "base/byte_budget.h"
#include "base/buffer_pool.h"
#include "base/bytes.h"
#include "base/result.h"
#include "base/ring_queue.h"
#include "base/time.h"
#include "sctp/channel.h"
#include "sctp/dcep.h"

struct socket;  // usrsctp's

namespace rtcstack::sctp {

using State = base::TransportState;
using base::to_string;

struct Config {
  /// The DTLS role decides stream ids: the DTLS client uses even ids, the server odd ones
  /// (RFC 8832 §6).
  bool dtls_client = true;
  std::uint16_t local_port = 5000;   ///< a=sctp-port of our SDP
  std::uint16_t remote_port = 5000;  ///< a=sctp-port of the remote SDP
  /// a=max-message-size we advertise: larger incoming messages are discarded.
  std::size_t local_max_message_size = 256 * 1024;
  /// The remote a=max-message-size (RFC 8841 §6: 64 KiB when absent, 0 for "no limit",
  /// which we cap at kMaxSendMessage).
  std::size_t remote_max_message_size = 64 * 1024;
  /// Largest SCTP packet handed down: the DTLS MTU (1200) minus the largest DTLS 1.2
  /// record overhead of the browser suites (13-byte header, 8-byte nonce, 16-byte tag).
  std::size_t mtu = 1200 - 37;
  /// send() refuses data that would take a channel's bufferedAmount past this, so a
  /// sender faster than the network sees backpressure instead of unbounded memory.
  std::size_t max_buffered_amount = 16 * 1024 * 1024;
  /// SCTP streams offered each way (the INIT's outbound and inbound counts). A channel
  /// takes one stream id, so at most this many channels exist at once, half of the ids
  /// for each side; the association uses fewer if the peer offers fewer. usrsctp keeps
  /// about 100 bytes per stream per association from the start: 1024 streams cost
  /// 100 KB per connection.
  std::uint16_t streams = kDefaultStreams;
  /// Shared with other associations (a process-wide budget): every byte waiting in a send
  /// queue is taken from it, and send() refuses (kResourceExhausted) what does not fit.
  std::shared_ptr<base::ByteBudget> budget;
};

/// Largest message send() ever takes, whatever the peer allows (usrsctp needs it whole in
/// its send buffer).
inline constexpr std::size_t kMaxSendMessage = 4 * 1024 * 1024;

struct StateEvent {
  State state;
  std::string reason;  ///< why it failed or closed; empty otherwise
};
/// The peer opened an in-band channel (W3C ondatachannel). A ChannelStateEvent kOpen follows.
struct IncomingChannelEvent {
  std::uint16_t id;
  ChannelInit init;
};
struct ChannelStateEvent {
  std::uint16_t id;
  ChannelState state;
};
struct MessageEvent {
  std::uint16_t id;
  bool binary;
  base::Buffer data;
};
/// bufferedAmount fell from above the channel's low threshold to at or below it.
struct BufferedAmountLowEvent {
  std::uint16_t id;
};
using Event = std::variant<StateEvent, IncomingChannelEvent, ChannelStateEvent, MessageEvent, BufferedAmountLowEvent>;

/// An SCTP packet for the DTLS transport to send as application data. The bytes live in
/// the association and stay valid until the next call into it: send them (or copy them)
/// before calling poll_output() again. Outgoing packets are never allocated one by one.
struct Packet {
  base::ByteView bytes;
};
/// Why the association wants to wake up (for traces).
enum class TimerReason : std::uint8_t {
  kNone,   ///< not connecting or connected: nothing is due
  kTimers, ///< usrsctp's timers (retransmission, delayed SACK, heartbeat), run on its tick
};
std::string_view to_string(TimerReason reason);
struct Timeout {
  base::Instant at;
  TimerReason reason = TimerReason::kNone;
};
using Output = std::variant<Packet, Event, Timeout>;

/// Counters for stats and tests.
struct Counters {
  std::uint64_t packets_sent = 0, packets_received = 0;
  std::uint64_t packets_dropped = 0;  ///< malformed (sctp/packet_check.h), never shown to usrsctp
  std::uint64_t messages_sent = 0, messages_received = 0;
  std::uint64_t bytes_sent = 0, bytes_received = 0;
  std::uint64_t messages_discarded = 0;  ///< too large, bad DCEP, or for an unknown stream
};

class Association {
 public:
  /// `pool`: where the buffers of MessageEvents come from (it must outlive the
  /// association); give them back there when done. None: a pool of its own.
  explicit Association(Config config, base::BufferPool* pool = nullptr);
  ~Association();  ///< aborts the association if it is still up
  Association(const Association&) = delete;
  Association& operator=(const Association&) = delete;

  /// Starts the four-way handshake. Both sides call it (SCTP resolves the INIT collision);
  /// do so once DTLS is connected.
  void start(base::Instant now);
  /// An SCTP packet from the DTLS transport. Malformed packets are dropped and counted.
  /// The packet's destination port is rewritten in place to the association's private
  /// usrsctp port (see usrsctp_port_), so the caller's bytes change.
  void handle_packet(base::Instant now, base::MutableByteView packet);
  /// The same for bytes the caller cannot lend for writing: they are copied first.
  void handle_packet(base::Instant now, base::ByteView packet);
  void handle_timeout(base::Instant now);
  Output poll_output();

  /// Creates a channel (W3C createDataChannel). In-band channels send DATA_CHANNEL_OPEN
  /// once the association is up; negotiated ones open with it. Returns the stream id.
  base::Result<std::uint16_t> open_channel(const ChannelInit& init);
  /// Queues one message, whole. kInvalidArgument if larger than the peer accepts,
  /// kWrongState unless the channel is open, kResourceExhausted if bufferedAmount would
  /// pass Config::max_buffered_amount or the message does not fit Config::budget
  /// (nothing is queued then).
  base::Result<void> send(std::uint16_t id, base::ByteView data, bool binary);
  base::Result<void> send(std::uint16_t id, std::string_view text) { return send(id, base::as_bytes(text), false); }
  /// Closes a channel: its queued messages go out first, then its outgoing stream is
  /// reset, the peer resets its own, and the channel ends kClosed (RFC 8831 §6.7).
  base::Result<void> close_channel(std::uint16_t id);

  /// Bytes send() accepted that SCTP has not taken yet (W3C bufferedAmount).
  std::size_t buffered_amount(std::uint16_t id) const;
  void set_buffered_amount_low_threshold(std::uint16_t id, std::size_t threshold);
  std::optional<ChannelState> channel_state(std::uint16_t id) const;
  /// The init a channel was created with (for incoming channels, what the peer announced).
  const ChannelInit* channel_init(std::uint16_t id) const;
  std::size_t channel_count() const { return channels_.size(); }

  /// Graceful SCTP shutdown: queued data is delivered, then kClosed.
  void close();
  /// Sends ABORT now: kClosed, with "aborted: <reason>" as the reason. The peer sees kFailed.
  void abort(std::string reason);

  State state() const { return state_; }
  /// Stream ids run from 0 to this minus one: Config::streams, or fewer once the
  /// association is up if the peer offered fewer.
  std::uint16_t streams() const { return streams_; }
  /// Largest message send() accepts now.
  std::size_t max_message_size() const;
  const Counters& counters() const { return counters_; }

 private:
  friend class UsrsctpStack;
  struct Outgoing {
    base::Buffer data;  // one zero byte for the empty-message PPIDs
    std::uint32_t ppid;
    std::size_t taken = 0;  // bytes SCTP already accepted (it takes big messages in parts)
  };
  struct Channel {
    ChannelInit init;
    ChannelState state = ChannelState::kConnecting;
    std::deque<Outgoing> queue;  // messages send() accepted, in order, not yet in SCTP
    std::size_t buffered = 0;    // bytes of user data in `queue`
    std::size_t low_threshold = 0;
    bool awaiting_ack = false;   // sent DATA_CHANNEL_OPEN; RFC 8832 §6: send ordered until the ACK
    bool reset_requested = false;  // we asked SCTP to reset our outgoing stream
    bool outgoing_reset = false;   // ... and the peer confirmed it
    bool incoming_reset = false;   // the peer reset its outgoing stream
  };

  // usrsctp glue (association_io.cpp)
  void queue_packet(base::ByteView packet);
  void on_upcall() { needs_service_ = true; }
  void service();
  void drain_incoming();
  void on_notification(base::ByteView bytes);
  void on_stream_reset(std::uint16_t flags, const std::uint16_t* streams, std::size_t count);
  void set_state(State state, std::string reason = {});
  bool configure_socket();

  // channels (association_channels.cpp)
  void on_message(std::uint16_t id, std::uint32_t ppid, base::ByteView data);
  void on_dcep(std::uint16_t id, base::ByteView data);
  base::Result<std::uint16_t> pick_id(const ChannelInit& init) const;
  Channel& add_channel(std::uint16_t id, ChannelInit init, ChannelState state);
  void open_pending_channels();
  void flush();
  void after_sent(std::uint16_t id, Channel& channel, const Outgoing& message, std::size_t last_part);
  void reduce_buffered(std::uint16_t id, Channel& channel, std::size_t bytes);
  // Gives back to the budget what the queues no longer hold.
  void settle_budget();
  std::size_t budget_held_ = 0;  // taken from config_.budget
  std::ptrdiff_t send_now(std::uint16_t id, const Channel& channel, std::uint32_t ppid, base::ByteView data,
                          bool force_ordered);
  void request_resets();
  void finish_channel(std::uint16_t id);
  void emit(Event event) { outputs_.emplace_back(std::move(event)); }
  // An output waiting in outputs_: an event, or a packet at [offset, offset + size) of packet_arena_.
  struct QueuedPacket {
    std::size_t offset, size;
  };
  using Queued = std::variant<QueuedPacket, Event>;

  Config config_;
  // The port usrsctp knows this association by, one per live association: usrsctp finds
  // endpoints by scanning every socket bound to a port, so with all of them on the SDP's
  // a=sctp-port each bind (and each INIT) cost a scan of every association in the process.
  // Packets carry config_.local_port on the wire; on_output and handle_packet translate.
  std::uint16_t usrsctp_port_;
  struct ::socket* socket_ = nullptr;
  State state_ = State::kNew;
  base::Instant now_;
  bool needs_service_ = false;
  bool shutdown_requested_ = false;  // close(): SHUTDOWN once our queues are in SCTP
  std::uint16_t streams_;  // usable stream ids each way
  std::map<std::uint16_t, Channel> channels_;  // ordered: stream ids are small and scanned in order
  std::deque<std::uint16_t> flush_order_;     // channels with queued messages, round robin
  // SCTP took part of this channel's first message: nothing else may go until it is whole.
  std::optional<std::uint16_t> in_progress_;
  std::vector<std::uint16_t> resets_wanted_;  // closing channels whose queues drained
  base::Buffer partial_;  // a message usrsctp delivers in pieces (partial delivery)
  bool partial_too_large_ = false;
  base::RingQueue<Queued> outputs_;
  base::BufferPool own_pool_;
  base::BufferPool* pool_;
  base::Buffer packet_arena_;  // outgoing packets back to back; emptied when all are polled
  Counters counters_;
};

}  // namespace rtcstack::sctp
