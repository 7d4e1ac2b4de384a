// RtpSession: its streams, the RTP they send and the RTP they receive. RTCP is in
// rtp_session_rtcp.cpp.
#include "media/rtp_session.h"

#include <algorithm>

namespace rtcstack::media {

std::string_view to_string(RtpTimer timer) {
  switch (timer) {
    case RtpTimer::kNone: return "none";
    case RtpTimer::kReports: return "reports";
    case RtpTimer::kPacer: return "pacer";
    case RtpTimer::kFeedback: return "feedback";
  }
  return "?";
}

RtpSession::RtpSession(RtpSessionConfig config, base::Random& random, base::BufferPool& pool)
    : config_(std::move(config)), random_(random), pool_(pool) {}

RtpSession::~RtpSession() = default;

RtpSession::Stream* RtpSession::find(StreamId id) {
  const auto found = streams_.find(id);
  return found == streams_.end() ? nullptr : &found->second;
}

const RtpSession::Stream* RtpSession::find(StreamId id) const {
  const auto found = streams_.find(id);
  return found == streams_.end() ? nullptr : &found->second;
}

void RtpSession::add_stream(StreamId id) { add_stream(id, 0, 0); }

void RtpSession::add_stream(StreamId id, std::uint32_t ssrc, std::uint32_t rtx_ssrc) {
  if (streams_.count(id) != 0) return;
  Stream& stream = streams_[id];
  stream.id = id;
  SendStream& send = stream.send;
  send.ssrc = ssrc != 0 ? ssrc : random_.next_u32();
  send.rtx_ssrc = rtx_ssrc != 0 ? rtx_ssrc : random_.next_u32();
  send.stats.ssrc = send.ssrc;
  send.sequence = static_cast<std::uint16_t>(random_.next_u32());
  send.rtx_sequence = static_cast<std::uint16_t>(random_.next_u32());
}

std::uint32_t RtpSession::ssrc(StreamId id) const {
  const Stream* stream = find(id);
  return stream ? stream->send.ssrc : 0;
}

std::uint32_t RtpSession::rtx_ssrc(StreamId id) const {
  const Stream* stream = find(id);
  return stream ? stream->send.rtx_ssrc : 0;
}

void RtpSession::set_send(StreamId id, std::optional<SendParameters> parameters) {
  Stream* stream = find(id);
  if (stream == nullptr) return;
  if (parameters) {
    stream->send.stats.codec = parameters->codec;  // the stats keep the last one once sending stops
  } else {
    stream->send.history.reset();
  }
  stream->send.parameters = std::move(parameters);
  update_congestion_control();
}

void RtpSession::set_receive(StreamId id, std::optional<ReceiveParameters> parameters) {
  Stream* stream = find(id);
  if (stream == nullptr) return;
  ReceiveStream& receive = stream->receive;
  // Announced SSRCs replace learned ones; without an announcement what was learned stays
  // (a re-offer without a=ssrc does not make the peer change its SSRC).
  if (parameters && parameters->ssrc) receive.ssrc = parameters->ssrc;
  if (parameters && parameters->rtx_ssrc) receive.rtx_ssrc = parameters->rtx_ssrc;
  receive.parameters = std::move(parameters);
}

void RtpSession::start(base::Instant now) {
  if (started_ || closed_) return;
  started_ = true;
  now_ = now;
  next_report_ = now + config_.report_interval;
  if (congestion_) {
    congestion_->start(now);
  } else {
    update_congestion_control();
  }
}

void RtpSession::close() {
  closed_ = true;
  next_report_ = base::Instant::max();
  congestion_.reset();
  remote_estimator_.reset();
  reporter_ = TransportCcReporter{};  // arrivals not yet reported never will be
  for (auto& [id, stream] : streams_) {
    stream.send.history.reset();
    stream.send.parameters.reset();
    stream.receive.parameters.reset();
  }
  while (!outputs_.empty()) {
    if (auto* packet = std::get_if<OutgoingPacket>(&outputs_.front())) pool_.give(std::move(packet->bytes));
    outputs_.pop_front();
  }
}

base::Result<void> RtpSession::send_rtp(base::Instant now, StreamId id, base::ByteView payload, std::uint32_t timestamp,
                                        bool marker) {
  Stream* stream = find(id);
  if (stream == nullptr) return base::Error{base::ErrorCode::kInvalidArgument, "no such stream"};
  SendStream& send = stream->send;
  if (!send.parameters) return base::Error{base::ErrorCode::kWrongState, "the stream does not send"};
  if (payload.size() > config_.max_payload) {
    return base::Error{base::ErrorCode::kInvalidArgument,
                       "an RTP payload here is at most " + std::to_string(config_.max_payload) + " bytes"};
  }
  now_ = now;
  const SendParameters& parameters = *send.parameters;
  // Slots for what is only known as the packet leaves the pacer (congestion_control.h).
  static constexpr std::uint8_t kZeros[3] = {};
  HeaderExtension extensions[3];
  std::size_t count = 0;
  if (parameters.mid_extension) extensions[count++] = {*parameters.mid_extension, base::as_bytes(parameters.mid)};
  const LeaveStamps stamps = stamps_of(parameters);
  if (stamps.transport_sequence != 0) extensions[count++] = {stamps.transport_sequence, base::ByteView(kZeros, 2)};
  if (stamps.abs_send_time != 0) extensions[count++] = {stamps.abs_send_time, base::ByteView(kZeros, 3)};
  RtpHeader header;
  header.marker = marker;
  header.payload_type = parameters.codec.payload_type;
  header.sequence_number = send.sequence;
  header.timestamp = timestamp;
  header.ssrc = send.ssrc;
  header.extensions = {extensions, count};
  base::Buffer bytes = pool_.take(kPacketCapacity);
  auto written = write_rtp(header, payload, bytes.mutable_view());
  if (!written) {
    pool_.give(std::move(bytes));
    return written.error();
  }
  bytes.resize(written->size());
  ++send.sequence;
  if (!send.history) {
    send.history = std::make_unique<RetransmissionBuffer>(config_.history_packets, 1500, config_.history_age, config_.budget);
  }
  send.history->store(now, *RtpPacket::parse(bytes));
  if (!send.statistics) send.statistics.emplace(parameters.codec.clock_rate);
  send.statistics->on_sent(now, timestamp, payload.size());
  ++send.stats.packets_sent;
  send.stats.payload_bytes_sent += payload.size();
  send_packet(now, *stream, std::move(bytes), parameters.audio ? cc::PacketPriority::kAudio : cc::PacketPriority::kVideo);
  return {};
}

RtpSession::Stream* RtpSession::receiving_stream(const RtpPacket& packet, bool& is_rtx) {
  is_rtx = false;
  const std::uint32_t ssrc = packet.ssrc();
  for (auto& [id, stream] : streams_) {
    if (!stream.receive.parameters) continue;
    if (stream.receive.rtx_ssrc == ssrc) {
      is_rtx = true;
      return &stream;
    }
    if (stream.receive.ssrc == ssrc) return &stream;
  }
  // Not announced: the mid extension (RFC 8843 §9.2), else the payload type.
  for (auto& [id, stream] : streams_) {
    if (!stream.receive.parameters) continue;
    const ReceiveParameters& parameters = *stream.receive.parameters;
    const auto value = parameters.mid_extension ? packet.extension(*parameters.mid_extension) : std::nullopt;
    bool media = false, rtx = false;
    for (const RtpCodec& codec : parameters.codecs) {
      media |= codec.payload_type == packet.payload_type();
      rtx |= codec.rtx_payload_type == packet.payload_type();
    }
    if (value ? base::as_string_view(*value) != parameters.mid : !(media || rtx)) continue;
    is_rtx = rtx;
    (rtx ? stream.receive.rtx_ssrc : stream.receive.ssrc) = ssrc;
    return &stream;
  }
  return nullptr;
}

bool RtpSession::handle_rtp(base::Instant now, base::Buffer bytes) {
  now_ = now;
  auto packet = RtpPacket::parse(bytes);
  bool is_rtx = false;
  Stream* stream = packet ? receiving_stream(*packet, is_rtx) : nullptr;
  if (stream == nullptr) {
    pool_.give(std::move(bytes));
    return false;
  }
  ReceiveStream& receive = stream->receive;
  record_arrival(now, receive, *packet);
  if (is_rtx) {
    if (packet->payload().empty()) {  // RTX padding (bandwidth probing): nothing to deliver
      pool_.give(std::move(bytes));
      return true;
    }
    std::optional<std::uint8_t> payload_type;  // the codec this RTX stream repairs
    for (const RtpCodec& codec : receive.parameters->codecs) {
      if (codec.rtx_payload_type == packet->payload_type()) payload_type = codec.payload_type;
    }
    if (!payload_type || !receive.ssrc) {  // an RTX payload type we did not negotiate, or no stream yet
      pool_.give(std::move(bytes));
      return false;
    }
    base::Buffer restored = pool_.take(bytes.size());
    const auto original = restore_from_rtx(*packet, *payload_type, *receive.ssrc, restored.mutable_view());
    pool_.give(std::move(bytes));
    if (!original) {
      pool_.give(std::move(restored));
      return false;
    }
    restored.resize(original->size());
    bytes = std::move(restored);
  } else {
    if (!receive.statistics) {
      const auto& codecs = receive.parameters->codecs;
      const auto codec = std::find_if(codecs.begin(), codecs.end(),
                                      [&](const RtpCodec& c) { return c.payload_type == packet->payload_type(); });
      receive.stats.clock_rate = codec != codecs.end() ? codec->clock_rate : codecs.empty() ? 90000 : codecs.front().clock_rate;
      receive.statistics.emplace(receive.stats.clock_rate);
    }
    receive.statistics->on_packet(now, packet->sequence_number(), packet->timestamp());
  }
  ++receive.stats.packets_received;
  receive.stats.bytes_received += bytes.size();
  outputs_.emplace_back(RtpSessionEvent{RtpReceived{stream->id, std::move(bytes)}});
  return true;
}

std::optional<SendStreamStats> RtpSession::send_stats(StreamId id) const {
  const Stream* stream = find(id);
  if (stream == nullptr || !stream->send.statistics) return std::nullopt;
  return stream->send.stats;
}

std::optional<ReceiveStreamStats> RtpSession::receive_stats(StreamId id) const {
  const Stream* stream = find(id);
  if (stream == nullptr || !stream->receive.statistics || !stream->receive.ssrc) return std::nullopt;
  ReceiveStreamStats stats = stream->receive.stats;
  stats.ssrc = *stream->receive.ssrc;
  stats.packets_lost = stream->receive.statistics->cumulative_lost();
  stats.jitter = stream->receive.statistics->jitter();
  return stats;
}

}  // namespace rtcstack::media
