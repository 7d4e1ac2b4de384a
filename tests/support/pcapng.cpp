#include "pcapng.h"

#include <cstring>
#include <fstream>
#include <iterator>

#include "base/endian.h"

namespace rtcstack::testing {

namespace {

using base::ByteView;

constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A;
constexpr std::uint32_t kInterfaceDescription = 1;
constexpr std::uint32_t kEnhancedPacket = 6;
constexpr std::uint16_t kLinkEthernet = 1;

std::uint32_t load_le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

base::Error bad(const std::string& why) {
  return base::make_error(base::ErrorCode::kMalformed, "pcapng: " + why);
}

// Adds the UDP datagram inside one Ethernet frame, if there is one.
void take_udp(ByteView frame, base::Instant at, std::vector<CapturedDatagram>& out) {
  if (frame.size() < 14) return;
  std::uint16_t ether_type = base::load_be16(frame.data() + 12);
  ByteView ip = frame.subspan(14);
  if (ether_type == 0x8100 && ip.size() >= 4) {  // one VLAN tag
    ether_type = base::load_be16(ip.data() + 2);
    ip = ip.subspan(4);
  }
  ByteView udp;
  base::IpAddress source;
  base::IpAddress destination;
  if (ether_type == 0x0800 && ip.size() >= 20 && (ip[0] >> 4) == 4) {
    const std::size_t header = (ip[0] & 0x0f) * 4u;
    if (ip[9] != 17 || ip.size() < header) return;
    source = *base::IpAddress::from_bytes(ip.subspan(12, 4));
    destination = *base::IpAddress::from_bytes(ip.subspan(16, 4));
    udp = ip.subspan(header);
  } else if (ether_type == 0x86DD && ip.size() >= 40) {
    if (ip[6] != 17) return;  // no extension headers in our captures
    source = *base::IpAddress::from_bytes(ip.subspan(8, 16));
    destination = *base::IpAddress::from_bytes(ip.subspan(24, 16));
    udp = ip.subspan(40);
  } else {
    return;
  }
  if (udp.size() < 8) return;
  const std::size_t length = base::load_be16(udp.data() + 4);
  if (length < 8 || length > udp.size()) return;
  out.push_back({at, base::SocketAddress(source, base::load_be16(udp.data())),
                 base::SocketAddress(destination, base::load_be16(udp.data() + 2)),
                 base::Buffer(udp.subspan(8, length - 8))});
}

// Nanoseconds per timestamp unit from an interface's options (if_tsresol, code 9):
// microseconds unless it says otherwise; only the decimal form reaching nanoseconds or
// coarser is supported, which covers what capture tools write.
std::int64_t timestamp_resolution(ByteView options) {
  while (options.size() >= 4) {
    const std::uint16_t code = static_cast<std::uint16_t>(options[0] | options[1] << 8);
    const std::uint16_t length = static_cast<std::uint16_t>(options[2] | options[3] << 8);
    if (code == 0 || 4u + length > options.size()) break;
    if (code == 9 && length >= 1 && (options[4] & 0x80) == 0 && options[4] <= 9) {
      std::int64_t nanoseconds = 1;
      for (int digits = options[4]; digits < 9; ++digits) nanoseconds *= 10;
      return nanoseconds;
    }
    options = options.subspan(4 + ((length + 3u) & ~3u));
  }
  return 1000;
}

}  // namespace

base::Result<std::vector<CapturedDatagram>> read_pcapng_udp(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return base::make_error(base::ErrorCode::kInvalidArgument, "cannot open " + path);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                                        std::istreambuf_iterator<char>());
  std::vector<std::uint16_t> link_types;
  std::vector<std::int64_t> resolutions;  // nanoseconds per timestamp unit, per interface
  std::vector<CapturedDatagram> datagrams;
  std::size_t offset = 0;
  while (offset + 12 <= bytes.size()) {
    const std::uint32_t type = load_le32(&bytes[offset]);
    const std::uint32_t length = load_le32(&bytes[offset + 4]);
    if (length < 12 || length % 4 != 0 || offset + length > bytes.size()) {
      return bad("block at offset " + std::to_string(offset) + " has length " + std::to_string(length));
    }
    const ByteView body(&bytes[offset + 8], length - 12);
    if (type == kSectionHeader) {
      if (body.size() < 4 || load_le32(body.data()) != 0x1A2B3C4D) {
        return bad("only little-endian sections are supported");
      }
      link_types.clear();
      resolutions.clear();
    } else if (type == kInterfaceDescription && body.size() >= 8) {
      link_types.push_back(static_cast<std::uint16_t>(body[0] | body[1] << 8));
      resolutions.push_back(timestamp_resolution(body.subspan(8)));
    } else if (type == kEnhancedPacket && body.size() >= 20) {
      const std::uint32_t interface = load_le32(body.data());
      const std::uint64_t timestamp =
          std::uint64_t{load_le32(body.data() + 4)} << 32 | load_le32(body.data() + 8);
      const std::uint32_t captured = load_le32(body.data() + 12);
      if (captured > body.size() - 20) return bad("packet overruns its block");
      if (interface < link_types.size() && link_types[interface] == kLinkEthernet) {
        const auto at = base::Instant::from_nanoseconds(
            static_cast<std::int64_t>(timestamp) * resolutions[interface]);
        take_udp(body.subspan(20, captured), at, datagrams);
      }
    }
    offset += length;
  }
  return datagrams;
}

std::string test_data_path(const std::string& relative) {
  return std::string(RTCSTACK_TEST_DATA_DIR) + "/" + relative;
}

}  // namespace rtcstack::testing
