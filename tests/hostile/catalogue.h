// The bad-input catalogue's rows, shared by the tests that throw them at rtcstack:
// tests/hostile (every row refused or dropped, nothing changed) and tests/alloc (nothing
// kept from them). Parser rows go to one parser each; connection rows are datagrams for a
// connected PeerConnection, as if its peer had sent them.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::testing {

struct ParserRow {
  std::string layer, name;
  base::Buffer bytes;
  std::function<base::Result<void>(base::ByteView)> parse;
};

/// Malformed inputs, one parser each: STUN, TURN ChannelData, RTP, RTCP, DCEP, Opus, SDP,
/// and every truncation of a full VP8 descriptor and a DCEP open.
std::vector<ParserRow> parser_rows();

struct ConnectionRow {
  std::string layer, name;
  std::function<std::vector<base::Buffer>()> datagrams;
  bool counted;  // packetsDiscarded rises by one per datagram (not for records OpenSSL drops silently)
};

/// Hostile datagrams for the connection whose local SDP is `to_sdp`, from the peer whose
/// local SDP is `from_sdp`: the STUN parser rows, a forged nominating check, SRTP and
/// SRTCP that do not authenticate, undemultiplexable bytes, malformed DTLS records.
std::vector<ConnectionRow> connection_rows(const std::string& to_sdp, const std::string& from_sdp);

/// Bytes from a list of values 0-255.
base::Buffer bytes_of(std::initializer_list<int> values);
/// A DTLS 1.2 record header (type, epoch, sequence number 0x1000, length) then `body`.
base::Buffer dtls_record(std::uint8_t type, std::uint16_t epoch, std::uint16_t length, const base::Buffer& body);
/// The a=ice-ufrag of an SDP.
std::string ufrag_of(const std::string& sdp);

}  // namespace rtcstack::testing
