#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/endian.h"
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

TEST_CASE("packets carry the SDP's ports whatever port usrsctp knows an association by", "[sctp]") {
  // Each association binds a private usrsctp port (so that usrsctp finds it without a
  // scan); on the wire only the a=sctp-port values of the two descriptions appear.
  sctp::Config a_config, b_config;
  a_config.local_port = b_config.remote_port = 5001;
  a_config.remote_port = b_config.local_port = 6002;
  SctpPair pair(31, a_config, b_config);
  SctpPair beside(32);  // another pair in the process, on the default ports
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  REQUIRE(beside.run([&] { return beside.a.connected() && beside.b.connected(); }));
  const auto id = *pair.a.association().open_channel(labelled("ports"));
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.a.is(id, ChannelState::kOpen) && pair.b.is(id, ChannelState::kOpen); }));
  REQUIRE(pair.a.association().send(id, "over the SDP's ports").ok());
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.b.messages[id].size() == 1; }));
  using Ports = std::set<std::pair<std::uint16_t, std::uint16_t>>;
  CHECK(pair.a.wire_ports == Ports{{5001, 6002}});
  CHECK(pair.b.wire_ports == Ports{{6002, 5001}});
  CHECK(beside.a.wire_ports == Ports{{5000, 5000}});
  CHECK(pair.a.bad_checksums == 0);
  CHECK(pair.b.bad_checksums == 0);

  // A packet for a port other than ours is dropped by usrsctp, as before: nothing arrives.
  const std::size_t before = pair.b.messages[id].size();
  REQUIRE(pair.a.association().send(id, "lost").ok());
  sctp::Output output = pair.a.association().poll_output();
  while (!std::holds_alternative<sctp::Packet>(output) && !std::holds_alternative<sctp::Timeout>(output)) {
    output = pair.a.association().poll_output();
  }
  REQUIRE(std::holds_alternative<sctp::Packet>(output));
  std::vector<std::uint8_t> misaddressed(std::get<sctp::Packet>(output).bytes.begin(),
                                         std::get<sctp::Packet>(output).bytes.end());
  base::store_be16(misaddressed.data() + 2, 5000);
  pair.b.association().handle_packet(pair.network.now(), base::MutableByteView(misaddressed));
  pair.b.drain();
  CHECK(pair.b.messages[id].size() == before);
}
