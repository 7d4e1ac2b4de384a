// What a PeerConnection reports (poll_output()'s events): the W3C event handlers'
// payloads, in the order they happen, and the handles that name channels and
// transceivers in them.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "base/bytes.h"
#include "pc/data_channel.h"
#include "pc/rtp_parameters.h"
#include "pc/states.h"

namespace rtcstack::pc {


struct SignalingStateEvent {
  SignalingState state;
};
struct IceGatheringStateEvent {
  IceGatheringState state;
};
struct IceConnectionStateEvent {
  IceConnectionState state;
};
struct ConnectionStateEvent {
  PeerConnectionState state;
  std::string reason;  ///< for kFailed and kClosed: which layer ended it and why
  EndCause cause = EndCause::kNone;
};
/// onicecandidate: "candidate:..." for the data section's mid, ending "ufrag <ours>" (the
/// W3C usernameFragment, as browsers write it); an empty candidate marks the end of
/// gathering.
struct IceCandidateEvent {
  std::string candidate;
  std::string mid;
};
/// onicecandidateerror (W3C RTCPeerConnectionIceErrorEvent): a TURN server refused us or
/// never answered, so it gives no relayed candidate; the other candidates carry on.
struct IceCandidateErrorEvent {
  std::string address;  ///< our local address the requests went from
  std::uint16_t port = 0;
  std::string url;      ///< the server, "turn:IP:port?transport=udp" (ice::turn_url())
  /// The server's STUN error code (401, 486, 508, ...), or 701 when it never answered
  /// (W3C: "server could not be reached").
  int error_code = 0;
  std::string error_text;
};
/// RTCIceTransport's onselectedcandidatepairchange: the candidate pair carrying the
/// connection changed (first chosen, or switched to a better one).
struct SelectedCandidatePairChangeEvent {
  std::string local, remote;  ///< "candidate:..." strings of the pair's two ends
};
/// ondatachannel: the peer opened a channel.
struct DataChannelEvent {
  ChannelHandle channel;
  DataChannelInit init;
};
struct DataChannelStateEvent {
  ChannelHandle channel;
  DataChannelState state;
};
struct MessageEvent {
  ChannelHandle channel;
  bool binary;
  base::Buffer data;
};
struct BufferedAmountLowEvent {
  ChannelHandle channel;
};
/// ontrack: a remote description makes the peer send on this transceiver's section.
struct TrackEvent {
  TransceiverHandle transceiver;
  MediaKind kind;
  std::string mid;
  std::string stream_id, track_id;  ///< the peer's a=msid
};
/// An RTP packet of the transceiver's incoming stream, decrypted; a retransmission that
/// came as RTX is restored to the original packet (its SSRC, payload type and sequence).
struct RtpPacketEvent {
  TransceiverHandle transceiver;
  base::Buffer packet;
  /// Simulcast the peer sends: the rid of the layer the packet came on ("" without).
  std::string rid;
};
/// The peer asked for a key frame (PLI or FIR) on what this transceiver sends.
struct KeyFrameRequestEvent {
  TransceiverHandle transceiver;
  /// Simulcast we send: the rid of the encoding it wants one of ("" without).
  std::string rid;
};
/// Congestion control moved its estimate: what all media of the connection together
/// should send now, in bits per second of packets on the wire (RTP headers, SRTP, UDP and
/// IP included). Comes when the estimate moves by 1 % or more, and first when media
/// starts, on connections whose media negotiated transport-wide feedback or REMB;
/// encoders follow it (docs/congestion-control.md gives the recommended policy).
struct TargetBitrateEvent {
  std::uint64_t bitrate_bps = 0;
};
/// The counterpart of ontrack (W3C "process the removal of a remote track"): a remote
/// description stopped the peer sending on a transceiver whose track was announced (its
/// direction no longer sends, or its section is rejected). A later description may
/// announce the track again with a new TrackEvent.
struct TrackEndedEvent {
  TransceiverHandle transceiver;
};
/// A remote candidate names its host by mDNS ("<uuid>.local",
/// draft-ietf-mmusic-mdns-ice-candidates): the caller resolves the name (net::Runtime does,
/// with multicast queries) and calls PeerConnection::handle_mdns_resolution(); until then
/// the candidate waits. Asked once per name.
struct MdnsQueryEvent {
  std::string name;
};
using Event = std::variant<SignalingStateEvent, IceGatheringStateEvent, IceConnectionStateEvent, ConnectionStateEvent,
                           IceCandidateEvent, IceCandidateErrorEvent, SelectedCandidatePairChangeEvent, DataChannelEvent, DataChannelStateEvent, MessageEvent,
                           BufferedAmountLowEvent, TrackEvent, RtpPacketEvent, KeyFrameRequestEvent, TargetBitrateEvent, TrackEndedEvent, MdnsQueryEvent>;

}  // namespace rtcstack::pc
