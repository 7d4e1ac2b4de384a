#include "stun_server.h"

#include "stun/message.h"
#include "stun/message_builder.h"

namespace rtcstack::testing {

StunServerEndpoint::StunServerEndpoint(SimNetwork& network, base::SocketAddress address)
    : network_(network), address_(address) {
  network_.attach(address.ip(), *this);
}

void StunServerEndpoint::on_datagram(base::Instant, const base::SocketAddress& local,
                                     const base::SocketAddress& remote, base::ByteView datagram) {
  const auto request = stun::StunMessage::parse(datagram);
  if (!request || request->cls() != stun::StunClass::kRequest ||
      request->method() != stun::StunMethod::kBinding) {
    return;
  }
  ++requests;
  std::uint8_t out[64];
  stun::MessageBuilder builder(out, {stun::StunMethod::kBinding, stun::StunClass::kSuccessResponse},
                               request->transaction_id());
  builder.add_xor_address(stun::AttributeType::kXorMappedAddress, remote).add_fingerprint();
  network_.send(local, remote, *builder.finish());
}

}  // namespace rtcstack::testing
