#include "ice/inbound.h"

namespace rtcstack::ice {

Inbound::Inbound(base::ByteView bytes, base::TransportProtocol protocol)
    : bytes_(bytes), protocol_(protocol), kind_(stun::classify(bytes)), looks_like_stun_(stun::looks_like_stun(bytes)) {
  if (!looks_like_stun_) return;
  if (auto message = stun::StunMessage::parse(bytes)) stun_ = *message;
}

std::optional<std::string_view> Inbound::addressed_ufrag() const {
  const auto username = stun_ ? stun_->username() : std::nullopt;
  if (!username) return std::nullopt;
  const std::size_t colon = username->find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return username->substr(0, colon);
}

}  // namespace rtcstack::ice
