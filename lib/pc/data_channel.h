// The data-channel vocabulary of the W3C API: what names a channel, what it is opened
// with (RTCDataChannelInit) and its states (RTCDataChannelState).
#pragma once

#include <cstdint>

#include "sctp/channel.h"

namespace rtcstack::pc {

/// Identifies a data channel for its whole life (W3C's object identity; the SCTP stream
/// id is only known once the DTLS role is).
using ChannelHandle = std::uint32_t;
/// RTCDataChannelInit: label, protocol, ordered, maxRetransmits, maxPacketLifeTime,
/// negotiated, id (and the DCEP priority).
using DataChannelInit = sctp::ChannelInit;
/// RTCDataChannelState.
using DataChannelState = sctp::ChannelState;

}  // namespace rtcstack::pc
