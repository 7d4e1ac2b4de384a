// Fuzzes the DTLS record layer that takes over after the handshake. The first byte picks
// the suite (its value mod 3) and the mode (bit 7):
//   open  - the rest is a datagram of records as the network would bring it: each is
//           opened under keys it cannot know; none may authenticate, none may be read
//           past its end, and the replay window must not move;
//   agree - the rest is a payload (at most 2^14 bytes): one end seals it, the other must
//           open exactly it back, and the same record with any one byte changed (the
//           byte picked by the payload) must be refused.
// Both ends live across inputs, so sequence numbers and the replay window move on.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "dtls/record_layer.h"

namespace {

using namespace rtcstack;
using dtls::RecordLayer;

struct Ends {
  RecordLayer sender, receiver;
};

Ends& ends(std::size_t suite) {
  static std::vector<Ends> all = [] {
    std::vector<Ends> list;
    for (auto s : {RecordLayer::Suite::kAes128Gcm, RecordLayer::Suite::kAes256Gcm, RecordLayer::Suite::kChaCha20Poly1305}) {
      const std::vector<std::uint8_t> key(s == RecordLayer::Suite::kAes128Gcm ? 16 : 32, 0x5c);
      const std::vector<std::uint8_t> iv(s == RecordLayer::Suite::kChaCha20Poly1305 ? 12 : 4, 0x3a);
      list.push_back({*RecordLayer::from_keys(s, key, iv, key, iv, 1), *RecordLayer::from_keys(s, key, iv, key, iv, 1)});
    }
    return list;
  }();
  return all[suite];
}

void open_all(RecordLayer& receiver, base::ByteView datagram) {
  std::vector<std::uint8_t> plain;
  while (!datagram.empty()) {
    dtls::RecordHeader header;
    if (!dtls::RecordHeader::read(datagram, header)) return;
    const std::size_t size = std::min(datagram.size(), dtls::RecordHeader::kSize + header.length);
    plain.resize(header.length);
    if (receiver.open(header, datagram.first(size), plain).ok()) std::abort();  // forged without the key
    datagram = datagram.subspan(size);
  }
}

void agree(Ends& e, base::ByteView payload) {
  if (payload.size() > 16384) return;
  std::vector<std::uint8_t> record(payload.size() + e.sender.overhead());
  const auto sealed = e.sender.seal(dtls::ContentType::kApplicationData, payload, record);
  if (!sealed || *sealed != record.size()) std::abort();
  dtls::RecordHeader header;
  if (!dtls::RecordHeader::read(record, header)) std::abort();
  std::vector<std::uint8_t> plain(header.length);
  // A changed byte (the length aside, which decides where the record ends) is refused.
  std::size_t at = payload.empty() ? 0 : payload[0] % record.size();
  if (at == 11 || at == 12) at = 0;
  auto tampered = record;
  tampered[at] ^= 0x20;
  dtls::RecordHeader tampered_header;
  dtls::RecordHeader::read(tampered, tampered_header);
  if (e.receiver.open(tampered_header, tampered, plain).ok()) std::abort();
  const auto opened = e.receiver.open(header, record, plain);
  if (!opened || opened->size != payload.size() || opened->type != dtls::ContentType::kApplicationData ||
      (!payload.empty() && std::memcmp(plain.data(), payload.data(), payload.size()) != 0)) {
    std::abort();
  }
  if (e.receiver.open(header, record, plain).ok()) std::abort();  // a replay
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  Ends& e = ends(data[0] % 3);
  const base::ByteView rest(data + 1, size - 1);
  if (data[0] & 0x80) {
    agree(e, rest);
  } else {
    open_all(e.receiver, rest);
  }
  return 0;
}
