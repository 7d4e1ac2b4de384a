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
  stream.receive.resize(1);
  resize_encodings(stream, 1);
  if (ssrc != 0) stream.send[0].ssrc = stream.send[0].stats.ssrc = ssrc;
  if (rtx_ssrc != 0) stream.send[0].rtx_ssrc = rtx_ssrc;
}

void RtpSession::resize_encodings(Stream& stream, std::size_t count) {
  const std::size_t had = stream.send.size();
  stream.send.resize(count);
  for (std::size_t i = had; i < count; ++i) {
    SendStream& send = stream.send[i];
    send.ssrc = send.stats.ssrc = random_.next_u32();
    send.rtx_ssrc = random_.next_u32();
    send.sequence = static_cast<std::uint16_t>(random_.next_u32());
    send.rtx_sequence = static_cast<std::uint16_t>(random_.next_u32());
  }
}

std::uint32_t RtpSession::ssrc(StreamId id, std::size_t encoding) const {
  const Stream* stream = find(id);
  return stream && encoding < stream->send.size() ? stream->send[encoding].ssrc : 0;
}

std::uint32_t RtpSession::rtx_ssrc(StreamId id, std::size_t encoding) const {
  const Stream* stream = find(id);
  return stream && encoding < stream->send.size() ? stream->send[encoding].rtx_ssrc : 0;
}

void RtpSession::set_send(StreamId id, std::optional<SendParameters> parameters) {
  Stream* stream = find(id);
  if (stream == nullptr) return;
  if (parameters) {
    if (parameters->rids.size() > kMaxSimulcastLayers) parameters->rids.resize(kMaxSimulcastLayers);
    resize_encodings(*stream, std::max<std::size_t>(parameters->rids.size(), 1));
    for (std::size_t i = 0; i < stream->send.size(); ++i) {
      SendStreamStats& stats = stream->send[i].stats;
      stats.codec = parameters->codec;  // the stats keep the last one once sending stops
      stats.rid = i < parameters->rids.size() ? parameters->rids[i] : std::string();
    }
  } else {
    for (SendStream& send : stream->send) send.history.reset();
  }
  stream->send_parameters = std::move(parameters);
  update_congestion_control();
}

void RtpSession::set_receive(StreamId id, std::optional<ReceiveParameters> parameters) {
  Stream* stream = find(id);
  if (stream == nullptr) return;
  if (parameters) {
    if (parameters->rids.size() > kMaxSimulcastLayers) parameters->rids.resize(kMaxSimulcastLayers);
    // Layers are kept by rid: what was learned of one stays when a re-offer lists it again.
    std::vector<ReceiveStream> layers(std::max<std::size_t>(parameters->rids.size(), 1));
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const std::string rid = i < parameters->rids.size() ? parameters->rids[i] : std::string();
      for (ReceiveStream& old : stream->receive) {
        if (old.stats.rid == rid) layers[i] = std::move(old);
      }
      layers[i].stats.rid = rid;
    }
    stream->receive = std::move(layers);
    // Announced SSRCs replace learned ones; without an announcement what was learned stays
    // (a re-offer without a=ssrc does not make the peer change its SSRC). Simulcast layers
    // are never announced.
    if (parameters->rids.empty() && parameters->ssrc) stream->receive[0].ssrc = parameters->ssrc;
    if (parameters->rids.empty() && parameters->rtx_ssrc) stream->receive[0].rtx_ssrc = parameters->rtx_ssrc;
  }
  stream->receive_parameters = std::move(parameters);
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
    for (SendStream& send : stream.send) send.history.reset();
    stream.send_parameters.reset();
    stream.receive_parameters.reset();
  }
  while (!outputs_.empty()) {
    if (auto* packet = std::get_if<OutgoingPacket>(&outputs_.front())) pool_.give(std::move(packet->bytes));
    outputs_.pop_front();
  }
}

base::Result<void> RtpSession::send_rtp(base::Instant now, StreamId id, base::ByteView payload, std::uint32_t timestamp,
                                        bool marker, std::size_t encoding) {
  Stream* stream = find(id);
  if (stream == nullptr) return base::Error{base::ErrorCode::kInvalidArgument, "no such stream"};
  if (!stream->send_parameters) return base::Error{base::ErrorCode::kWrongState, "the stream does not send"};
  if (encoding >= stream->send.size()) {
    return base::Error{base::ErrorCode::kInvalidArgument, "the stream sends " + std::to_string(stream->send.size()) +
                                                              " encoding(s), not " + std::to_string(encoding + 1)};
  }
  if (payload.size() > config_.max_payload) {
    return base::Error{base::ErrorCode::kInvalidArgument,
                       "an RTP payload here is at most " + std::to_string(config_.max_payload) + " bytes"};
  }
  now_ = now;
  SendStream& send = stream->send[encoding];
  const SendParameters& parameters = *stream->send_parameters;
  // Slots for what is only known as the packet leaves the pacer (congestion_control.h).
  static constexpr std::uint8_t kZeros[3] = {};
  HeaderExtension extensions[4];
  std::size_t count = 0;
  if (parameters.mid_extension) extensions[count++] = {*parameters.mid_extension, base::as_bytes(parameters.mid)};
  if (parameters.rid_extension && encoding < parameters.rids.size()) {
    extensions[count++] = {*parameters.rid_extension, base::as_bytes(parameters.rids[encoding])};
  }
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

std::optional<std::size_t> RtpSession::layer_named(const ReceiveParameters& parameters, const RtpPacket& packet, bool rtx) {
  // An RTX packet names the rid it repairs (RFC 8852 §3.2); some senders stamp the rid itself.
  std::optional<base::ByteView> value;
  if (rtx && parameters.repaired_rid_extension) value = packet.extension(*parameters.repaired_rid_extension);
  if (!value && parameters.rid_extension) value = packet.extension(*parameters.rid_extension);
  if (!value) return std::nullopt;
  const auto rid = base::as_string_view(*value);
  const auto found = std::find(parameters.rids.begin(), parameters.rids.end(), rid);
  if (found == parameters.rids.end()) return std::nullopt;
  return static_cast<std::size_t>(found - parameters.rids.begin());
}

std::optional<RtpSession::Destination> RtpSession::destination(const RtpPacket& packet) {
  const std::uint32_t ssrc = packet.ssrc();
  for (auto& [id, stream] : streams_) {
    if (!stream.receive_parameters) continue;
    for (std::size_t layer = 0; layer < stream.receive.size(); ++layer) {
      const ReceiveStream& receive = stream.receive[layer];
      if (receive.rtx_ssrc == ssrc) return Destination{&stream, layer, true};
      if (receive.ssrc == ssrc) return Destination{&stream, layer, false};
    }
  }
  // Not announced: the mid extension (RFC 8843 §9.2), else the payload type; then, under
  // simulcast, the layer its rid names.
  for (auto& [id, stream] : streams_) {
    if (!stream.receive_parameters) continue;
    const ReceiveParameters& parameters = *stream.receive_parameters;
    const auto value = parameters.mid_extension ? packet.extension(*parameters.mid_extension) : std::nullopt;
    bool media = false, rtx = false;
    for (const RtpCodec& codec : parameters.codecs) {
      media |= codec.payload_type == packet.payload_type();
      rtx |= codec.rtx_payload_type == packet.payload_type();
    }
    if (value ? base::as_string_view(*value) != parameters.mid : !(media || rtx)) continue;
    std::size_t layer = 0;
    if (!parameters.rids.empty()) {
      const auto named = layer_named(parameters, packet, rtx);
      if (!named) return std::nullopt;  // a layer we cannot name: nothing to deliver it as
      layer = *named;
    }
    ReceiveStream& receive = stream.receive[layer];
    (rtx ? receive.rtx_ssrc : receive.ssrc) = ssrc;
    return Destination{&stream, layer, rtx};
  }
  return std::nullopt;
}

bool RtpSession::handle_rtp(base::Instant now, base::Buffer bytes) {
  now_ = now;
  auto packet = RtpPacket::parse(bytes);
  const auto to = packet ? destination(*packet) : std::nullopt;
  if (!to) {
    pool_.give(std::move(bytes));
    return false;
  }
  const ReceiveParameters& parameters = *to->stream->receive_parameters;
  ReceiveStream& receive = to->stream->receive[to->layer];
  record_arrival(now, parameters, *packet);
  if (to->rtx) {
    if (packet->payload().empty()) {  // RTX padding (bandwidth probing): nothing to deliver
      pool_.give(std::move(bytes));
      return true;
    }
    std::optional<std::uint8_t> payload_type;  // the codec this RTX stream repairs
    for (const RtpCodec& codec : parameters.codecs) {
      if (codec.rtx_payload_type == packet->payload_type()) payload_type = codec.payload_type;
    }
    if (!payload_type || !receive.ssrc) {  // an RTX payload type we did not negotiate, or no stream yet
      pool_.give(std::move(bytes));
      return false;
    }
    base::Buffer restored = pool_.take(bytes.size());
    // The restored packet names its rid again, as the original did.
    const RidRename rename{parameters.repaired_rid_extension.value_or(0), parameters.rid_extension.value_or(0)};
    const auto original = restore_from_rtx(*packet, *payload_type, *receive.ssrc, restored.mutable_view(), rename);
    pool_.give(std::move(bytes));
    if (!original) {
      pool_.give(std::move(restored));
      return false;
    }
    restored.resize(original->size());
    bytes = std::move(restored);
  } else {
    if (!receive.statistics) {
      const auto& codecs = parameters.codecs;
      const auto codec = std::find_if(codecs.begin(), codecs.end(),
                                      [&](const RtpCodec& c) { return c.payload_type == packet->payload_type(); });
      receive.stats.clock_rate = codec != codecs.end() ? codec->clock_rate : codecs.empty() ? 90000 : codecs.front().clock_rate;
      receive.statistics.emplace(receive.stats.clock_rate);
    }
    receive.statistics->on_packet(now, packet->sequence_number(), packet->timestamp());
  }
  ++receive.stats.packets_received;
  receive.stats.bytes_received += bytes.size();
  outputs_.emplace_back(RtpSessionEvent{RtpReceived{to->stream->id, std::move(bytes), to->layer}});
  return true;
}

std::optional<SendStreamStats> RtpSession::send_stats(StreamId id, std::size_t encoding) const {
  const Stream* stream = find(id);
  if (stream == nullptr || encoding >= stream->send.size() || !stream->send[encoding].statistics) return std::nullopt;
  return stream->send[encoding].stats;
}

std::optional<ReceiveStreamStats> RtpSession::receive_stats(StreamId id, std::size_t layer) const {
  const Stream* stream = find(id);
  if (stream == nullptr || layer >= stream->receive.size()) return std::nullopt;
  const ReceiveStream& receive = stream->receive[layer];
  if (!receive.statistics || !receive.ssrc) return std::nullopt;
  ReceiveStreamStats stats = receive.stats;
  stats.ssrc = *receive.ssrc;
  stats.packets_lost = receive.statistics->cumulative_lost();
  stats.jitter = receive.statistics->jitter();
  return stats;
}

}  // namespace rtcstack::media
