#include "net/runtime.h"

#include "net/interfaces.h"
#include "net/runtime_core.h"
#include "net/tls_context.h"

namespace rtcstack::net {

base::Result<std::unique_ptr<Runtime>> Runtime::create(RuntimeOptions options) {
  const PortRange& ports = options.ports;
  if (!ports.empty() && (ports.min == 0 || ports.min > ports.max)) {
    return base::Error{base::ErrorCode::kInvalidArgument, "the port range needs 1 <= min <= max"};
  }
  if (options.share_sockets && options.port != 0 && !ports.contains(options.port)) {
    return base::Error{base::ErrorCode::kInvalidArgument, "the shared sockets' port is outside the port range"};
  }
  if (!options.udp_candidates && !options.tcp_candidates) {
    return base::Error{base::ErrorCode::kInvalidArgument, "neither UDP nor TCP candidates: nothing to connect over"};
  }
  if (options.share_sockets && (options.tcp_candidates || !options.udp_candidates)) {
    return base::Error{base::ErrorCode::kInvalidArgument,
                       "shared sockets are UDP only: ICE-TCP needs each connection's own sockets"};
  }
  std::vector<base::IpAddress> addresses = options.addresses;
  if (addresses.empty()) {
    addresses = interface_addresses(options.include_loopback, options.interfaces, options.excluded_interfaces);
    if (addresses.empty()) {
      return base::Error{base::ErrorCode::kInvalidArgument,
                         "no interface address to bind: none is up, or the interface filters leave none"};
    }
  }
  // Every address must take a socket now, shared or not, so a bad one fails here.
  std::vector<UdpSocket> sockets;
  std::vector<base::IpAddress> usable;
  std::string failures;
  for (const base::IpAddress& address : addresses) {
    auto socket = options.share_sockets && options.port != 0 ? UdpSocket::bind(base::SocketAddress(address, options.port))
                                                              : UdpSocket::bind(address, ports, ports.min);
    if (socket) {
      usable.push_back(address);
      sockets.push_back(std::move(*socket));
    } else {
      failures += (failures.empty() ? "" : "; ") + socket.error().message;
    }
  }
  if (usable.empty()) {
    return base::Error{base::ErrorCode::kInternal, "no UDP socket could be bound" + (failures.empty() ? "" : ": " + failures)};
  }
  if (!options.share_sockets) sockets.clear();
  auto budget = options.buffer_budget ? options.buffer_budget
                                      : std::make_shared<base::ByteBudget>(options.buffered_bytes_limit);
  auto tls = TlsContext::create(options.tls_ca_file);
  if (!tls) return tls.error();
  auto core = std::make_shared<RuntimeCore>(std::move(usable), std::move(sockets),
                                            RuntimeCore::Caps{options.max_connections, options.max_unconnected},
                                            std::move(budget), ports, std::move(*tls),
                                            RuntimeCore::CandidateOptions{options.udp_candidates, options.tcp_candidates,
                                                                          options.mdns_resolve, options.mdns_host_names});
  if (auto started = core->start(); !started) return started.error();
  return std::unique_ptr<Runtime>(new Runtime(std::move(core)));
}

Runtime::~Runtime() { core_->stop(); }

base::Result<std::shared_ptr<PeerConnectionHandle>> Runtime::create_peer_connection(pc::Configuration configuration,
                                                                                     Callbacks callbacks) {
  auto id = core_->add(std::move(configuration), std::move(callbacks));
  if (!id) return id.error();
  return std::shared_ptr<PeerConnectionHandle>(new PeerConnectionHandle(core_, *id));
}

std::vector<base::SocketAddress> Runtime::local_addresses() const { return core_->shared_addresses(); }

std::size_t Runtime::connection_count() const { return core_->connection_count(); }

Runtime::Load Runtime::load() const { return core_->load(); }

MdnsStats Runtime::mdns_stats() const { return core_->mdns_stats(); }

PeerConnectionHandle::~PeerConnectionHandle() { core_->remove(id_); }

template <class R, class F>
R PeerConnectionHandle::with_connection(R fallback, F&& function) {
  R result = std::move(fallback);
  core_->run(id_, [&](pc::PeerConnection& connection, base::Instant now) { result = function(connection, now); });
  return result;
}

namespace {
base::Error gone() { return {base::ErrorCode::kClosed, "the connection or its runtime is gone"}; }
}  // namespace

base::Result<pc::SessionDescriptionInit> PeerConnectionHandle::create_offer() {
  return with_connection<base::Result<pc::SessionDescriptionInit>>(gone(), [](pc::PeerConnection& pc, base::Instant) {
    return pc.create_offer();
  });
}

base::Result<pc::SessionDescriptionInit> PeerConnectionHandle::create_answer() {
  return with_connection<base::Result<pc::SessionDescriptionInit>>(gone(), [](pc::PeerConnection& pc, base::Instant) {
    return pc.create_answer();
  });
}

base::Result<void> PeerConnectionHandle::set_local_description(pc::SessionDescriptionInit description) {
  return with_connection<base::Result<void>>(gone(), [&](pc::PeerConnection& pc, base::Instant now) {
    return pc.set_local_description(now, std::move(description));
  });
}

base::Result<void> PeerConnectionHandle::set_remote_description(pc::SessionDescriptionInit description) {
  return with_connection<base::Result<void>>(gone(), [&](pc::PeerConnection& pc, base::Instant now) {
    return pc.set_remote_description(now, std::move(description));
  });
}

void PeerConnectionHandle::restart_ice() {
  with_connection<bool>(false, [](pc::PeerConnection& pc, base::Instant) {
    pc.restart_ice();
    return true;
  });
}

base::Result<void> PeerConnectionHandle::add_ice_candidate(const std::string& candidate) {
  return with_connection<base::Result<void>>(gone(), [&](pc::PeerConnection& pc, base::Instant now) {
    return pc.add_ice_candidate(now, candidate);
  });
}

std::optional<pc::SessionDescriptionInit> PeerConnectionHandle::local_description() {
  return with_connection<std::optional<pc::SessionDescriptionInit>>(std::nullopt, [](pc::PeerConnection& pc, base::Instant) {
    return pc.local_description();
  });
}

std::optional<pc::SessionDescriptionInit> PeerConnectionHandle::remote_description() {
  return with_connection<std::optional<pc::SessionDescriptionInit>>(std::nullopt, [](pc::PeerConnection& pc, base::Instant) {
    return pc.remote_description();
  });
}

base::Result<pc::ChannelHandle> PeerConnectionHandle::create_data_channel(const pc::DataChannelInit& init) {
  return with_connection<base::Result<pc::ChannelHandle>>(gone(), [&](pc::PeerConnection& pc, base::Instant) {
    return pc.create_data_channel(init);
  });
}

base::Result<void> PeerConnectionHandle::send(pc::ChannelHandle channel, base::ByteView data, bool binary) {
  return with_connection<base::Result<void>>(gone(), [&](pc::PeerConnection& pc, base::Instant) {
    return pc.send(channel, data, binary);
  });
}

base::Result<void> PeerConnectionHandle::close_data_channel(pc::ChannelHandle channel) {
  return with_connection<base::Result<void>>(gone(), [&](pc::PeerConnection& pc, base::Instant) {
    return pc.close_data_channel(channel);
  });
}

std::size_t PeerConnectionHandle::buffered_amount(pc::ChannelHandle channel) {
  return with_connection<std::size_t>(0, [&](pc::PeerConnection& pc, base::Instant) { return pc.buffered_amount(channel); });
}

void PeerConnectionHandle::set_buffered_amount_low_threshold(pc::ChannelHandle channel, std::size_t threshold) {
  core_->run(id_, [&](pc::PeerConnection& pc, base::Instant) { pc.set_buffered_amount_low_threshold(channel, threshold); });
}

std::optional<pc::DataChannelState> PeerConnectionHandle::channel_state(pc::ChannelHandle channel) {
  return with_connection<std::optional<pc::DataChannelState>>(std::nullopt, [&](pc::PeerConnection& pc, base::Instant) {
    return pc.channel_state(channel);
  });
}

base::Result<pc::TransceiverHandle> PeerConnectionHandle::add_transceiver(pc::MediaKind kind, pc::RtpTransceiverDirection direction) {
  return with_connection<base::Result<pc::TransceiverHandle>>(gone(), [&](pc::PeerConnection& pc, base::Instant) {
    return pc.add_transceiver(kind, direction);
  });
}

base::Result<pc::TransceiverHandle> PeerConnectionHandle::add_transceiver(pc::MediaKind kind, const pc::RtpTransceiverInit& init) {
  return with_connection<base::Result<pc::TransceiverHandle>>(gone(), [&](pc::PeerConnection& pc, base::Instant) {
    return pc.add_transceiver(kind, init);
  });
}

base::Result<pc::TransceiverHandle> PeerConnectionHandle::add_track(pc::MediaKind kind) {
  return with_connection<base::Result<pc::TransceiverHandle>>(gone(), [&](pc::PeerConnection& pc, base::Instant) {
    return pc.add_track(kind);
  });
}

base::Result<void> PeerConnectionHandle::stop_transceiver(pc::TransceiverHandle transceiver) {
  return with_connection<base::Result<void>>(gone(), [&](pc::PeerConnection& pc, base::Instant) {
    return pc.stop_transceiver(transceiver);
  });
}

base::Result<void> PeerConnectionHandle::set_direction(pc::TransceiverHandle transceiver, pc::RtpTransceiverDirection direction) {
  return with_connection<base::Result<void>>(gone(), [&](pc::PeerConnection& pc, base::Instant) {
    return pc.set_direction(transceiver, direction);
  });
}

base::Result<void> PeerConnectionHandle::set_codec_preferences(pc::TransceiverHandle transceiver,
                                                               std::vector<pc::CodecParameters> codecs) {
  return with_connection<base::Result<void>>(gone(), [&](pc::PeerConnection& pc, base::Instant) {
    return pc.set_codec_preferences(transceiver, std::move(codecs));
  });
}

std::optional<pc::CodecParameters> PeerConnectionHandle::send_codec(pc::TransceiverHandle transceiver) {
  return with_connection<std::optional<pc::CodecParameters>>(std::nullopt, [&](pc::PeerConnection& pc, base::Instant) {
    return pc.send_codec(transceiver);
  });
}

std::vector<pc::CodecParameters> PeerConnectionHandle::negotiated_codecs(pc::TransceiverHandle transceiver) {
  return with_connection<std::vector<pc::CodecParameters>>({}, [&](pc::PeerConnection& pc, base::Instant) {
    return pc.negotiated_codecs(transceiver);
  });
}

std::vector<pc::RtpEncodingParameters> PeerConnectionHandle::send_encodings(pc::TransceiverHandle transceiver) {
  return with_connection<std::vector<pc::RtpEncodingParameters>>({}, [&](pc::PeerConnection& pc, base::Instant) {
    return pc.send_encodings(transceiver);
  });
}

base::Result<void> PeerConnectionHandle::set_send_encodings(pc::TransceiverHandle transceiver,
                                                            std::vector<pc::RtpEncodingParameters> encodings) {
  return with_connection<base::Result<void>>(gone(), [&](pc::PeerConnection& pc, base::Instant) {
    return pc.set_send_encodings(transceiver, std::move(encodings));
  });
}

std::vector<std::string> PeerConnectionHandle::receive_rids(pc::TransceiverHandle transceiver) {
  return with_connection<std::vector<std::string>>({}, [&](pc::PeerConnection& pc, base::Instant) {
    return pc.receive_rids(transceiver);
  });
}

base::Result<void> PeerConnectionHandle::send_rtp(pc::TransceiverHandle transceiver, base::ByteView payload,
                                                  std::uint32_t timestamp, bool marker, std::string_view rid) {
  return with_connection<base::Result<void>>(gone(), [&](pc::PeerConnection& pc, base::Instant) {
    return pc.send_rtp(transceiver, payload, timestamp, marker, rid);
  });
}

base::Result<void> PeerConnectionHandle::request_key_frame(pc::TransceiverHandle transceiver, std::string_view rid) {
  return with_connection<base::Result<void>>(gone(), [&](pc::PeerConnection& pc, base::Instant) {
    return pc.request_key_frame(transceiver, rid);
  });
}

base::Result<void> PeerConnectionHandle::send_nack(pc::TransceiverHandle transceiver, std::span<const std::uint16_t> lost,
                                                   std::string_view rid) {
  return with_connection<base::Result<void>>(gone(), [&](pc::PeerConnection& pc, base::Instant) {
    return pc.send_nack(transceiver, lost, rid);
  });
}

std::vector<pc::Stats> PeerConnectionHandle::get_stats() {
  return with_connection<std::vector<pc::Stats>>({}, [](pc::PeerConnection& pc, base::Instant now) {
    return pc.get_stats(now);
  });
}

pc::SignalingState PeerConnectionHandle::signaling_state() {
  return with_connection(pc::SignalingState::kClosed, [](pc::PeerConnection& pc, base::Instant) { return pc.signaling_state(); });
}

pc::PeerConnectionState PeerConnectionHandle::connection_state() {
  return with_connection(pc::PeerConnectionState::kClosed,
                         [](pc::PeerConnection& pc, base::Instant) { return pc.connection_state(); });
}

pc::IceGatheringState PeerConnectionHandle::ice_gathering_state() {
  return with_connection(pc::IceGatheringState::kComplete,
                         [](pc::PeerConnection& pc, base::Instant) { return pc.ice_gathering_state(); });
}

void PeerConnectionHandle::close() { core_->close(id_); }

}  // namespace rtcstack::net
