// Fuzzes the RTP parser (RFC 3550, RFC 8285): no crash, no read outside the packet, and
// every packet it accepts with RFC 8285 (or no) extensions is rewritten by write_rtp() into
// a packet that parses to the same header, elements, payload and padding. Then through RTX
// and back (RFC 4588, its rid renamed to the repaired rid and back, RFC 8852): the same
// header, elements and payload again.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "base/bytes.h"
#include "media/rtp_extensions.h"
#include "media/rtp_packet.h"
#include "media/retransmission.h"

using namespace rtcstack;
using namespace rtcstack::media;

namespace {

std::vector<HeaderExtension> elements_of(const RtpPacket& packet) {
  std::vector<HeaderExtension> elements;
  HeaderExtensionIterator iterator = packet.extensions();
  while (auto element = iterator.next()) elements.push_back(*element);
  return elements;
}

bool same_elements(const std::vector<HeaderExtension>& a, const std::vector<HeaderExtension>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || !base::bytes_equal(a[i].value, b[i].value)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> bytes(data, data + size);  // exact size: overreads are reports
  const auto packet = RtpPacket::parse(bytes);
  if (!packet.ok()) return 0;
  ExtensionMap map;
  map.set(ExtensionKind::kMid, 1);
  map.set(ExtensionKind::kAbsSendTime, 2);
  map.set(ExtensionKind::kTransportWideCc, 3);
  map.set(ExtensionKind::kAudioLevel, 4);
  map.set(ExtensionKind::kRid, 10);
  map.set(ExtensionKind::kRepairedRid, 16);
  (void)read_extensions(*packet, map);
  if (packet->has_extension() && !packet->has_rfc8285_extensions()) return 0;  // not rewritable

  std::vector<std::uint32_t> csrcs;
  for (std::size_t i = 0; i < packet->csrc_count(); ++i) csrcs.push_back(packet->csrc(i));
  const std::vector<HeaderExtension> elements = elements_of(*packet);
  RtpHeader header;
  header.marker = packet->marker();
  header.payload_type = packet->payload_type();
  header.sequence_number = packet->sequence_number();
  header.timestamp = packet->timestamp();
  header.ssrc = packet->ssrc();
  header.csrcs = csrcs;
  header.extensions = elements;
  if (packet->padding_size() > 255) std::abort();
  std::vector<std::uint8_t> out(rtp_header_size(header) + packet->payload().size() + packet->padding_size());
  const auto written = write_rtp(header, packet->payload(), out, static_cast<std::uint8_t>(packet->padding_size()));
  if (!written.ok()) std::abort();
  const auto again = RtpPacket::parse(*written);
  if (!again.ok()) std::abort();
  const bool same = again->marker() == packet->marker() && again->payload_type() == packet->payload_type() &&
                    again->sequence_number() == packet->sequence_number() && again->timestamp() == packet->timestamp() &&
                    again->ssrc() == packet->ssrc() && again->csrc_count() == packet->csrc_count() &&
                    same_elements(elements_of(*again), elements) &&
                    base::bytes_equal(again->payload(), packet->payload()) &&
                    again->padding_size() == packet->padding_size();
  if (!same) std::abort();

  // Through RTX, the rid (10) renamed to the repaired rid (16), and back. Skipped when the
  // packet already has a 16 (the rename would make two) or the RTX packet does not fit.
  for (const HeaderExtension& element : elements) {
    if (element.id == 16) return 0;
  }
  std::vector<std::uint8_t> rtx_bytes(out.size() + 64), restored_bytes(out.size() + 64);
  const auto rtx = write_rtx(*packet, 97, 0x1234, 7, rtx_bytes, {10, 16});
  if (!rtx.ok()) return 0;
  const auto rtx_packet = RtpPacket::parse(*rtx);
  if (!rtx_packet.ok()) std::abort();
  const auto restored = restore_from_rtx(*rtx_packet, packet->payload_type(), packet->ssrc(), restored_bytes, {16, 10});
  if (!restored.ok()) std::abort();
  const auto back = RtpPacket::parse(*restored);
  if (!back.ok()) std::abort();
  const bool restored_same = back->marker() == packet->marker() && back->payload_type() == packet->payload_type() &&
                             back->sequence_number() == packet->sequence_number() &&
                             back->timestamp() == packet->timestamp() && back->ssrc() == packet->ssrc() &&
                             back->csrc_count() == packet->csrc_count() && same_elements(elements_of(*back), elements) &&
                             base::bytes_equal(back->payload(), packet->payload());
  if (!restored_same) std::abort();
  return 0;
}
