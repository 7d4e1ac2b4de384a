// Fuzzes StunMessage::parse. Beyond "never crash": every typed getter is exercised on
// accepted messages, and an accepted message rebuilt from its attributes (fresh padding,
// recomputed FINGERPRINT) must parse to the same type, id and attribute sequence.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "stun/message.h"
#include "stun/message_builder.h"

namespace {

using rtcstack::stun::AttributeType;
using rtcstack::stun::RawAttribute;
using rtcstack::stun::StunMessage;

void touch_getters(const StunMessage& m) {
  (void)m.username(); (void)m.realm(); (void)m.nonce(); (void)m.software();
  (void)m.alternate_domain(); (void)m.userhash(); (void)m.data(); (void)m.reservation_token();
  (void)m.mapped_address(); (void)m.alternate_server(); (void)m.xor_mapped_address();
  (void)m.xor_peer_address(); (void)m.xor_relayed_address(); (void)m.error_code();
  for (std::size_t i = 0; i < m.unknown_attributes().size(); ++i) (void)m.unknown_attributes()[i];
  for (const auto entry : m.password_algorithms()) (void)entry;
  (void)m.password_algorithm(); (void)m.priority(); (void)m.use_candidate();
  (void)m.ice_controlled(); (void)m.ice_controlling(); (void)m.channel_number();
  (void)m.lifetime(); (void)m.requested_address_family(); (void)m.additional_address_family();
  (void)m.even_port(); (void)m.requested_transport(); (void)m.dont_fragment();
  (void)m.address_error_code(); (void)m.icmp();
  static const std::uint8_t kKey[] = {'k', 'e', 'y'};
  (void)m.verify_integrity(kKey);
}

std::vector<RawAttribute> attribute_list(const StunMessage& m) {
  std::vector<RawAttribute> list;
  for (const RawAttribute& attribute : m.attributes()) list.push_back(attribute);
  return list;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto message = StunMessage::parse({data, size});
  if (!message.ok()) return 0;
  touch_getters(*message);

  static std::uint8_t out[65536 + 20];
  rtcstack::stun::MessageBuilder builder(out, message->type(), message->transaction_id());
  const std::vector<RawAttribute> original = attribute_list(*message);
  for (const RawAttribute& attribute : original) {
    if (attribute.type == AttributeType::kFingerprint) {
      builder.add_fingerprint();
    } else {
      builder.add(attribute.type, attribute.value);
    }
  }
  const auto rebuilt = builder.finish();
  if (!rebuilt.ok()) std::abort();
  const auto again = StunMessage::parse(*rebuilt);
  if (!again.ok() || again->type() != message->type() ||
      again->transaction_id() != message->transaction_id()) {
    std::abort();
  }
  const std::vector<RawAttribute> reparsed = attribute_list(*again);
  if (reparsed.size() != original.size()) std::abort();
  for (std::size_t i = 0; i < original.size(); ++i) {
    if (reparsed[i].type != original[i].type) std::abort();
    if (original[i].type != AttributeType::kFingerprint &&
        !rtcstack::base::bytes_equal(reparsed[i].value, original[i].value)) {
      std::abort();
    }
  }
  return 0;
}
