// ice::Inbound: a datagram classified by RFC 7983 §7 and, when STUN, parsed once; the
// local ufrag a check names, which runtimes route shared sockets by.
#include <catch2/catch.hpp>

#include <array>

#include "ice/inbound.h"
#include "stun/message_builder.h"

using namespace rtcstack;

namespace {

base::Buffer binding_request(std::string_view username) {
  base::Buffer out(256);
  stun::MessageBuilder builder(out.mutable_view(), {stun::StunMethod::kBinding, stun::StunClass::kRequest},
                               stun::TransactionId{});
  if (!username.empty()) builder.add_string(stun::AttributeType::kUsername, username);
  auto message = builder.finish();
  REQUIRE(message.ok());
  out.resize(message->size());
  return out;
}

}  // namespace

TEST_CASE("RFC 7983 classifies a datagram by its first byte, every range at its edges", "[inbound]") {
  const std::pair<std::uint8_t, stun::PacketKind> edges[] = {
      {0, stun::PacketKind::kStun},          {3, stun::PacketKind::kStun},
      {4, stun::PacketKind::kUnknown},       {16, stun::PacketKind::kZrtp},
      {19, stun::PacketKind::kZrtp},         {20, stun::PacketKind::kDtls},
      {63, stun::PacketKind::kDtls},         {64, stun::PacketKind::kChannelData},
      {79, stun::PacketKind::kChannelData},  {80, stun::PacketKind::kUnknown},
      {127, stun::PacketKind::kUnknown},     {128, stun::PacketKind::kRtp},
      {191, stun::PacketKind::kRtp},         {192, stun::PacketKind::kUnknown},
      {255, stun::PacketKind::kUnknown},
  };
  for (const auto& [first, kind] : edges) {
    const std::array<std::uint8_t, 4> datagram{first, 0, 0, 0};
    CAPTURE(int{first});
    CHECK(stun::classify(datagram) == kind);
    CHECK(ice::Inbound(datagram).kind() == kind);
  }
  CHECK(stun::classify({}) == stun::PacketKind::kUnknown);
}

TEST_CASE("a check is parsed once and names the local ufrag; other datagrams name none", "[inbound]") {
  const base::Buffer check = binding_request("localfrag:remotefrag");
  const ice::Inbound inbound(check);
  REQUIRE(inbound.stun() != nullptr);
  CHECK(inbound.stun()->method() == stun::StunMethod::kBinding);
  CHECK(inbound.addressed_ufrag() == "localfrag");
  CHECK(inbound.addressed_ufrag()->data() >= reinterpret_cast<const char*>(check.data()));  // a view, no copy

  CHECK_FALSE(ice::Inbound(binding_request("")).addressed_ufrag());          // no USERNAME (a response, say)
  CHECK_FALSE(ice::Inbound(binding_request("nocolon")).addressed_ufrag());   // not ICE's form

  // The shape of STUN (cookie, length) with a broken attribute: looks like STUN, parses
  // as nothing, names nothing.
  base::Buffer broken = check;
  broken[22] = 0xFF;  // the USERNAME attribute's length now runs past the message
  const ice::Inbound bad(broken);
  CHECK(bad.looks_like_stun());
  CHECK(bad.stun() == nullptr);
  CHECK_FALSE(bad.addressed_ufrag());

  const std::uint8_t dtls[] = {22, 0xFE, 0xFD, 0, 0};
  const ice::Inbound record(dtls);
  CHECK_FALSE(record.looks_like_stun());
  CHECK(record.stun() == nullptr);
  CHECK(record.kind() == stun::PacketKind::kDtls);
}
