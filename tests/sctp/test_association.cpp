#include <catch2/catch.hpp>

#include <string>

#include "sctp_harness.h"

using namespace rtcstack;
using sctp::ChannelState;
using testing::SctpPair;

namespace {
std::string text(const base::Buffer& buffer) { return std::string(base::as_string_view(buffer)); }
sctp::ChannelInit labelled(std::string label) {
  sctp::ChannelInit init;
  init.label = std::move(label);
  return init;
}
sctp::ChannelInit negotiated(std::string label, std::uint16_t id) {
  sctp::ChannelInit init = labelled(std::move(label));
  init.negotiated = true;
  init.id = id;
  return init;
}
}  // namespace

TEST_CASE("two associations connect and exchange on in-band and negotiated channels", "[sctp]") {
  SctpPair pair(1);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));

  sctp::ChannelInit chat;
  chat.label = "chat";
  chat.protocol = "text/x";
  const auto a_id = pair.a.association().open_channel(chat);
  REQUIRE(a_id.ok());
  CHECK(*a_id % 2 == 0);  // the DTLS client takes even ids
  const auto b_id = *pair.b.association().open_channel(labelled("from-b"));
  CHECK(b_id % 2 == 1);
  REQUIRE(pair.a.association().open_channel(negotiated("neg", 42)).ok());
  REQUIRE(pair.b.association().open_channel(negotiated("neg", 42)).ok());
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.a.is(*a_id, ChannelState::kOpen) && pair.b.is(*a_id, ChannelState::kOpen) &&
                                pair.a.is(b_id, ChannelState::kOpen) && pair.b.is(b_id, ChannelState::kOpen); }));
  CHECK(pair.b.incoming.at(*a_id).label == "chat");
  CHECK(pair.b.incoming.at(*a_id).protocol == "text/x");
  CHECK(pair.a.incoming.at(b_id).label == "from-b");
  CHECK(pair.a.is(42, ChannelState::kOpen));
  CHECK(pair.b.incoming.count(42) == 0);  // negotiated: no DCEP, no announcement

  REQUIRE(pair.a.association().send(*a_id, "hello").ok());
  REQUIRE(pair.b.association().send(b_id, base::as_bytes("\x01\x02"), true).ok());
  REQUIRE(pair.b.association().send(42, "").ok());
  REQUIRE(pair.a.association().send(42, {}, true).ok());
  pair.a.drain();
  pair.b.drain();
  REQUIRE(pair.run([&] { return pair.b.messages[*a_id].size() == 1 && pair.a.messages[b_id].size() == 1 &&
                                pair.a.messages[42].size() == 1 && pair.b.messages[42].size() == 1; }));
  CHECK(text(pair.b.messages[*a_id][0]) == "hello");
  CHECK(pair.a.messages[b_id][0].size() == 2);
  CHECK(pair.a.messages[42][0].empty());
  CHECK(pair.b.messages[42][0].empty());
  CHECK(pair.a.bad_checksums == 0);
  CHECK(pair.b.bad_checksums == 0);
  CHECK(pair.a.largest_packet <= sctp::Config{}.mtu);
  CHECK(pair.a.failed_check == 0);
  CHECK(pair.b.failed_check == 0);
}
