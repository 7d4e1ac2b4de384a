// A program outside the source tree, built only from what `meson install` put in a
// prefix and what rtcstack.pc says: proof that the installed library is usable.
#include <rtcstack/base/base64.h>
#include <rtcstack/base/crc32.h>
#include <rtcstack/base/random.h>
#include <rtcstack/pc/peer_connection.h>

#include <cstdio>
#include <string>

int main() {
  using namespace rtcstack::base;
  if (crc32(as_bytes("123456789")) != 0xCBF43926u) return 1;
  if (crc32c(as_bytes("123456789")) != 0xE3069283u) return 1;
  CryptoRandom random;  // links OpenSSL through rtcstack.pc's Requires
  std::uint8_t key[16];
  random.fill(key);
  const auto decoded = base64_decode(base64_encode(key));
  if (!decoded.ok() || !bytes_equal(*decoded, key)) return 1;
  // The W3C API from its installed headers alone: a data channel makes the offer carry
  // an application section.
  rtcstack::pc::Configuration configuration;
  auto connection = rtcstack::pc::PeerConnection::create(configuration, random);
  if (!connection.ok()) return 1;
  rtcstack::pc::DataChannelInit init;
  init.label = "chat";
  if (!(*connection)->create_data_channel(init).ok()) return 1;
  const auto offer = (*connection)->create_offer();
  if (!offer.ok() || offer->sdp.find("m=application") == std::string::npos) return 1;
  if ((*connection)->signaling_state() != rtcstack::pc::SignalingState::kStable) return 1;
  std::puts("consumer: built against the installed rtcstack.pc and ran correctly");
  return 0;
}
