// RtpSession: RTCP. Reports go out on a randomised interval, one compound per stream
// that has sent or received; feedback from the peer is answered (NACK by retransmission,
// PLI and FIR by telling the application) and feedback of our own is asked for.
#include <algorithm>

#include "media/rtcp_feedback.h"
#include "media/rtcp_reports.h"
#include "media/rtp_session.h"

namespace rtcstack::media {
template <typename Head, typename Tail>
base::Result<void> RtpSession::send_compound(std::uint32_t ssrc, Head&& head, Tail&& tail) {
  // RFC 3550 §6.1: a report first, SDES CNAME, then anything else (feedback, BYE last).
  base::Buffer bytes = pool_.take(kPacketCapacity);
  RtcpWriter writer(bytes.mutable_view().first(config_.max_payload));
  head(writer);
  write_sdes_cname(writer, ssrc, config_.cname);
  tail(writer);
  auto compound = writer.finish();
  if (!compound) {
    pool_.give(std::move(bytes));
    return compound.error();
  }
  bytes.resize(compound->size());
  outputs_.emplace_back(OutgoingPacket{std::move(bytes), true});
  return {};
}

template <typename Tail>
base::Result<void> RtpSession::send_feedback(std::uint32_t ssrc, Tail&& tail) {
  return send_compound(ssrc, [&](RtcpWriter& writer) { write_receiver_report(writer, ssrc, {}); }, tail);
}

void RtpSession::remove_stream(StreamId id) {
  const auto found = streams_.find(id);
  if (found == streams_.end()) return;
  const Stream& stream = found->second;
  // One BYE names every SSRC that carried media (RFC 3550 §6.6), from the first one's compound.
  std::uint32_t ssrcs[kMaxSimulcastLayers];
  std::size_t count = 0;
  for (const SendStream& send : stream.send) {
    if (send.statistics && count < std::size(ssrcs)) ssrcs[count++] = send.ssrc;
  }
  const bool received = std::any_of(stream.receive.begin(), stream.receive.end(),
                                    [](const ReceiveStream& receive) { return receive.statistics.has_value(); });
  if (count == 0 && received) ssrcs[count++] = stream.send.front().ssrc;
  if (count != 0) (void)send_feedback(ssrcs[0], [&](RtcpWriter& writer) { write_bye(writer, {ssrcs, count}); });
  streams_.erase(found);
}

void RtpSession::send_reports(base::Instant now) {
  for (auto& [id, stream] : streams_) {
    // A report block for each layer received; they go with the first encoding's report,
    // which is sent once anything arrived, blocks or not (as before simulcast).
    ReportBlock blocks[kMaxSimulcastLayers];
    std::size_t count = 0;
    bool received = false;
    for (ReceiveStream& receive : stream.receive) {
      received |= receive.statistics.has_value();
      if (receive.statistics && receive.statistics->valid() && receive.ssrc && count < std::size(blocks)) {
        blocks[count++] = receive.statistics->report(now, *receive.ssrc);
      }
    }
    // Each encoding that sent reports on its own SSRC (an SR carries that SSRC's counts).
    for (std::size_t encoding = 0; encoding < stream.send.size(); ++encoding) {
      const SendStream& send = stream.send[encoding];
      const std::span<const ReportBlock> ours = encoding == 0 ? std::span<const ReportBlock>(blocks, count) : std::span<const ReportBlock>();
      if (!send.statistics && !(encoding == 0 && received)) continue;
      const auto info = send.statistics ? send.statistics->sender_info(now, config_.ntp_clock) : std::nullopt;
      const auto report = [&](RtcpWriter& writer) {
        if (info) {
          write_sender_report(writer, send.ssrc, *info, ours);
        } else {
          write_receiver_report(writer, send.ssrc, ours);
        }
      };
      (void)send_compound(send.ssrc, report, [](RtcpWriter&) {});
    }
  }
}

void RtpSession::send_transport_feedback(base::Instant now) {
  if (reporter_.empty()) return;
  // From any SSRC of ours: the first stream's (every stream has one, sending or not).
  const std::uint32_t sender = streams_.empty() ? 1 : streams_.begin()->second.send.front().ssrc;
  (void)send_feedback(sender, [&](RtcpWriter& writer) { reporter_.write(writer, sender, reported_media_ssrc_, now); });
}

void RtpSession::send_remb(base::Instant now) {
  // About every stream we estimate for: the SSRCs of what arrives with REMB asked for.
  std::uint32_t ssrcs[16];
  std::size_t count = 0;
  for (const auto& [id, stream] : streams_) {
    if (!stream.receive_parameters || !stream.receive_parameters->remb_abs_send_time_extension) continue;
    for (const ReceiveStream& receive : stream.receive) {
      if (receive.ssrc && count < std::size(ssrcs)) ssrcs[count++] = *receive.ssrc;
    }
  }
  const std::uint64_t bps = remote_estimator_->take_report(now);
  if (count == 0) return;
  const std::uint32_t sender = streams_.begin()->second.send.front().ssrc;
  (void)send_feedback(sender, [&](RtcpWriter& writer) { write_remb(writer, sender, bps, {ssrcs, count}); });
}

void RtpSession::handle_timeout(base::Instant now) {
  now_ = now;
  if (reporter_.next_time() <= now) send_transport_feedback(now);
  if (remote_estimator_ && remote_estimator_->next_report() <= now) send_remb(now);
  if (congestion_) {
    congestion_->handle_timeout(now);
    release_paced(now);
  }
  if (now < next_report_) return;
  // Half to one and a half intervals apart (RFC 3550 §6.3.1), so peers do not synchronise.
  const auto interval_ms = static_cast<std::uint64_t>(config_.report_interval.as_nanoseconds() / 1'000'000);
  next_report_ = now + config_.report_interval / 2 +
                 base::Duration::milliseconds(static_cast<std::int64_t>(random_.uniform(std::max<std::uint64_t>(interval_ms, 1))));
  send_reports(now);
}

RtpSessionOutput RtpSession::poll_output() {
  if (outputs_.empty()) {
    RtpTimeout timeout{next_report_, next_report_ == base::Instant::max() ? RtpTimer::kNone : RtpTimer::kReports};
    if (const base::Instant feedback = reporter_.next_time(); feedback < timeout.at && !closed_) {
      timeout = {feedback, RtpTimer::kFeedback};
    }
    if (remote_estimator_ && !closed_ && remote_estimator_->next_report() < timeout.at) {
      timeout = {remote_estimator_->next_report(), RtpTimer::kFeedback};
    }
    if (congestion_ && !closed_) {
      if (const base::Instant paced = congestion_->next_timeout(now_); paced < timeout.at) timeout = {paced, RtpTimer::kPacer};
    }
    return timeout;
  }
  RtpSessionOutput output = std::move(outputs_.front());
  outputs_.pop_front();
  return output;
}

base::Result<RtpSession::FeedbackTarget> RtpSession::feedback_target(StreamId id, std::size_t layer) {
  Stream* stream = find(id);
  if (stream == nullptr) return base::Error{base::ErrorCode::kInvalidArgument, "no such stream"};
  if (!stream->receive_parameters) return base::Error{base::ErrorCode::kWrongState, "the stream does not receive"};
  if (layer >= stream->receive.size()) {
    return base::Error{base::ErrorCode::kInvalidArgument, "the stream receives " + std::to_string(stream->receive.size()) +
                                                              " layer(s), not " + std::to_string(layer + 1)};
  }
  ReceiveStream& receive = stream->receive[layer];
  if (!receive.ssrc) return base::Error{base::ErrorCode::kWrongState, "nothing received on this stream yet"};
  return FeedbackTarget{&receive, stream->send.front().ssrc, *receive.ssrc};
}

base::Result<void> RtpSession::request_key_frame(StreamId id, std::size_t layer) {
  auto target = feedback_target(id, layer);
  if (!target) return target.error();
  auto sent = send_feedback(target->sender, [&](RtcpWriter& writer) { write_pli(writer, target->sender, target->media); });
  if (sent) ++target->layer->stats.plis_sent;
  return sent;
}

base::Result<void> RtpSession::send_nack(StreamId id, std::span<const std::uint16_t> lost, std::size_t layer) {
  if (lost.empty()) return base::Error{base::ErrorCode::kInvalidArgument, "a NACK names at least one packet"};
  auto target = feedback_target(id, layer);
  if (!target) return target.error();
  auto sent = send_feedback(target->sender, [&](RtcpWriter& writer) { write_nack(writer, target->sender, target->media, lost); });
  if (sent) ++target->layer->stats.nacks_sent;
  return sent;
}

std::optional<RtpSession::Sender> RtpSession::sender_of(std::uint32_t ssrc) {
  for (auto& [id, stream] : streams_) {
    for (std::size_t encoding = 0; encoding < stream.send.size(); ++encoding) {
      if (stream.send[encoding].ssrc == ssrc) return Sender{&stream, encoding};
    }
  }
  return std::nullopt;
}

void RtpSession::answer_nack(Stream& stream, std::size_t encoding, const Nack& nack, base::Instant now) {
  SendStream& send = stream.send[encoding];
  if (!send.history || !stream.send_parameters) return;
  ++send.stats.nacks_received;
  const SendParameters& parameters = *stream.send_parameters;
  const auto rtx_payload_type = parameters.codec.rtx_payload_type;
  // RFC 8852 §3.2: a retransmission names the rid it repairs, not a rid of its own.
  const RidRename rename{parameters.rid_extension.value_or(0), parameters.repaired_rid_extension.value_or(0)};
  nack.for_each_lost([&](std::uint16_t sequence) {
    const auto stored = send.history->find(now, sequence);
    if (!stored) return;  // too old, or never sent
    const auto original = RtpPacket::parse(*stored);
    if (!original) return;
    base::Buffer bytes = pool_.take(kPacketCapacity);
    base::Result<base::ByteView> out = base::ByteView{};
    if (rtx_payload_type) {
      out = write_rtx(*original, *rtx_payload_type, send.rtx_ssrc, send.rtx_sequence++, bytes.mutable_view(), rename);
    } else {
      std::copy(stored->begin(), stored->end(), bytes.begin());  // resent as it was
      out = base::ByteView(bytes.data(), stored->size());
    }
    if (!out) {
      pool_.give(std::move(bytes));
      return;
    }
    bytes.resize(out->size());
    ++send.stats.retransmitted;
    send_packet(now, stream, std::move(bytes), cc::PacketPriority::kRetransmission);
  });
}

bool RtpSession::handle_rtcp(base::Instant now, base::ByteView compound) {
  now_ = now;
  auto reader = RtcpReader::parse(compound);
  if (!reader) return false;
  // Report blocks about what we send give the round-trip time (RFC 3550 §6.4.1).
  const auto take_blocks = [&](const ReportBlocks& blocks) {
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const ReportBlock block = blocks[i];
      const auto sender = sender_of(block.ssrc);
      if (!sender) continue;
      SendStreamStats& stats = sender->stream->send[sender->encoding].stats;
      stats.remote_report = block;
      if (auto rtt = round_trip_time(compact_ntp(config_.ntp_clock.ntp(now)), block)) {
        stats.round_trip_time = rtt;
        if (congestion_) congestion_->on_round_trip_time(*rtt);
        if (remote_estimator_) remote_estimator_->on_round_trip_time(*rtt);
      }
      if (congestion_) congestion_->on_loss_report(now, block.fraction_lost);
    }
  };
  const auto key_frame_requested = [&](std::uint32_t ssrc) {
    const auto sender = sender_of(ssrc);
    if (!sender) return;
    ++sender->stream->send[sender->encoding].stats.key_frames_requested;
    outputs_.emplace_back(RtpSessionEvent{KeyFrameRequested{sender->stream->id, sender->encoding}});
  };
  // Dispatched on type and FMT first: a parser refusing a packet builds an error message,
  // and transport-wide feedback comes twenty times a second.
  while (auto packet = reader->next()) {
    switch (static_cast<RtcpType>(packet->type)) {
      case RtcpType::kSenderReport:
        if (auto sr = parse_sender_report(*packet)) {
          for (auto& [id, stream] : streams_) {
            for (ReceiveStream& receive : stream.receive) {
              if (receive.ssrc == sr->ssrc && receive.statistics) receive.statistics->on_sender_report(now, sr->info.ntp_timestamp);
            }
          }
          take_blocks(sr->blocks);
        }
        break;
      case RtcpType::kReceiverReport:
        if (auto rr = parse_receiver_report(*packet)) take_blocks(rr->blocks);
        break;
      case RtcpType::kTransportFeedback:
        if (packet->count == kFmtNack) {
          if (auto nack = parse_nack(*packet)) {
            if (const auto sender = sender_of(nack->media_ssrc)) answer_nack(*sender->stream, sender->encoding, *nack, now);
          }
        } else if (packet->count == kFmtTransportCc && congestion_) {
          if (auto feedback = TransportCc::parse(*packet)) {
            congestion_->on_transport_feedback(now, *feedback);
          } else {
            congestion_->on_malformed_feedback();
          }
        }
        break;
      case RtcpType::kPayloadFeedback:
        if (packet->count == kFmtPli) {
          if (auto pli = parse_pli(*packet)) key_frame_requested(pli->media_ssrc);
        } else if (packet->count == kFmtFir) {
          if (auto fir = parse_fir(*packet)) {
            for (std::size_t i = 0; i < fir->size(); ++i) key_frame_requested((*fir)[i].ssrc);
          }
        } else if (packet->count == kFmtApplicationLayer && congestion_) {
          if (auto remb = parse_remb(*packet)) congestion_->on_receiver_estimate(now, remb->bitrate_bps);
        }
        break;
      default:
        break;  // SDES, BYE, APP, XR: nothing to act on
    }
  }
  release_paced(now);
  return true;
}

}  // namespace rtcstack::media
