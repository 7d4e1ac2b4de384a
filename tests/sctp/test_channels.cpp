// Data channels across a simulated network with loss, delay and reordering.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "base/endian.h"
#include "sctp_harness.h"

using namespace rtcstack;
using sctp::ChannelState;
using testing::SctpPair;

namespace {

sctp::ChannelInit labelled(std::string label) {
  sctp::ChannelInit init;
  init.label = std::move(label);
  return init;
}

testing::LinkConditions lossy(double loss, double reorder) {
  testing::LinkConditions link;
  link.delay = base::Duration::milliseconds(20);
  link.jitter = base::Duration::milliseconds(5);
  link.loss = loss;
  link.reorder = reorder;
  link.reorder_delay = base::Duration::milliseconds(15);
  return link;
}

std::uint16_t open_and_wait(SctpPair& pair, const sctp::ChannelInit& init) {
  const auto id = pair.a.association().open_channel(init);
  REQUIRE(id.ok());
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.a.is(*id, ChannelState::kOpen) && pair.b.is(*id, ChannelState::kOpen); }));
  return *id;
}

// The byte at `offset` of the test stream: position-dependent, so a lost, duplicated or
// misplaced message shows as a mismatch.
std::uint8_t pattern(std::size_t offset) { return static_cast<std::uint8_t>((offset * 2654435761u) >> 13); }

std::vector<std::uint8_t> numbered(std::uint32_t number, std::size_t size) {
  std::vector<std::uint8_t> message(std::max<std::size_t>(size, 4));
  base::store_be32(message.data(), number);
  return message;
}

std::uint32_t number_of(const base::Buffer& message) { return base::load_be32(message.data()); }

}  // namespace

TEST_CASE("10 MiB on a reliable ordered channel arrives byte-exact under 10% loss and reordering", "[sctp][load]") {
  SctpPair pair(10);
  pair.network.set_tracing(false);
  pair.network.set_link_both_ways(*base::IpAddress::parse("192.0.2.1"), *base::IpAddress::parse("192.0.2.2"),
                                  lossy(0.10, 0.05));
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  const std::uint16_t id = open_and_wait(pair, labelled("bulk"));

  constexpr std::size_t kTotal = 10 * 1024 * 1024, kMessage = 64 * 1024, kLow = 1024 * 1024;
  pair.a.association().set_buffered_amount_low_threshold(id, kLow);
  std::size_t offset = 0;
  // The application's loop: send while bufferedAmount is under 4 MiB, resume on bufferedamountlow.
  auto pump = [&] {
    while (offset < kTotal && pair.a.association().buffered_amount(id) < 4 * kLow) {
      std::vector<std::uint8_t> message(std::min(kMessage, kTotal - offset));
      for (std::size_t i = 0; i < message.size(); ++i) message[i] = pattern(offset + i);
      REQUIRE(pair.a.association().send(id, message, true).ok());
      offset += message.size();
    }
  };
  pair.a.on_event = [&](const sctp::Event& event) {
    if (std::holds_alternative<sctp::BufferedAmountLowEvent>(event)) pump();
  };
  std::size_t received = 0;
  bool exact = true;
  pair.b.on_event = [&](const sctp::Event& event) {
    if (const auto* message = std::get_if<sctp::MessageEvent>(&event)) {
      for (std::size_t i = 0; i < message->data.size(); ++i) exact = exact && message->data.data()[i] == pattern(received + i);
      received += message->data.size();
      pair.b.messages.clear();  // keep memory flat
    }
  };
  pump();
  pair.a.drain();
  REQUIRE(pair.run([&] { return received == kTotal; }, base::Duration::seconds(600)));
  CHECK(exact);
  CHECK(pair.a.low_events[id] > 0);  // the loop above only finished because it fired
  CHECK(pair.network.stats().lost > 100);
  CHECK(pair.a.connected());
  INFO("simulated seconds: " << (pair.network.now() - base::Instant{}).as_seconds());
}

TEST_CASE("an unordered channel delivers out of order, and everything", "[sctp]") {
  SctpPair pair(11);
  pair.network.set_link_both_ways(*base::IpAddress::parse("192.0.2.1"), *base::IpAddress::parse("192.0.2.2"),
                                  lossy(0.0, 0.3));
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  sctp::ChannelInit init = labelled("unordered");
  init.ordered = false;
  const std::uint16_t id = open_and_wait(pair, init);
  CHECK_FALSE(pair.b.incoming.at(id).ordered);
  for (std::uint32_t i = 0; i < 300; ++i) {
    REQUIRE(pair.a.association().send(id, numbered(i, 600), true).ok());
    pair.a.drain();
    pair.network.run_for(base::Duration::milliseconds(2));
  }
  REQUIRE(pair.run([&] { return pair.b.messages[id].size() == 300; }));
  std::vector<std::uint32_t> order;
  for (const auto& message : pair.b.messages[id]) order.push_back(number_of(message));
  CHECK_FALSE(std::is_sorted(order.begin(), order.end()));
  std::sort(order.begin(), order.end());
  CHECK(std::adjacent_find(order.begin(), order.end()) == order.end());  // no duplicates
  CHECK(order.back() == 299);
}

TEST_CASE("partially reliable channels drop under loss and never block", "[sctp]") {
  for (int kind = 0; kind < 2; ++kind) {
    DYNAMIC_SECTION((kind == 0 ? "maxRetransmits=0" : "maxPacketLifeTime=50ms")) {
      SctpPair pair(12 + kind);
      pair.network.set_link_both_ways(*base::IpAddress::parse("192.0.2.1"), *base::IpAddress::parse("192.0.2.2"),
                                      lossy(0.25, 0.0));
      REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
      sctp::ChannelInit init = labelled("lossy");
      init.ordered = false;
      if (kind == 0) init.max_retransmits = 0;
      else init.max_packet_lifetime = 50;
      const std::uint16_t id = open_and_wait(pair, init);
      CHECK(pair.b.incoming.at(id).max_retransmits == init.max_retransmits);
      CHECK(pair.b.incoming.at(id).max_packet_lifetime == init.max_packet_lifetime);
      const std::uint16_t reliable = open_and_wait(pair, labelled("reliable"));

      for (std::uint32_t i = 0; i < 400; ++i) {
        REQUIRE(pair.a.association().send(id, numbered(i, 200), true).ok());
        pair.a.drain();
        pair.network.run_for(base::Duration::milliseconds(5));
      }
      // Abandoned messages leave nothing behind: a reliable message after them arrives.
      REQUIRE(pair.a.association().send(reliable, "after").ok());
      pair.a.drain();
      REQUIRE(pair.run([&] { return pair.b.messages[reliable].size() == 1; }));
      pair.network.run_for(base::Duration::seconds(2));
      const std::size_t got = pair.b.messages[id].size();
      CHECK(got < 400);   // some were given up
      CHECK(got > 200);   // most arrived
      CHECK(pair.a.association().buffered_amount(id) == 0);
    }
  }
}

TEST_CASE("1000 channels open and close in one association", "[sctp][load]") {
  sctp::Config many;
  many.streams = 1024;
  SctpPair pair(14, many, many);
  pair.network.set_tracing(false);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  std::vector<std::uint16_t> ids;
  for (int i = 0; i < 500; ++i) {
    ids.push_back(*pair.a.association().open_channel(labelled("a" + std::to_string(i))));
    ids.push_back(*pair.b.association().open_channel(labelled("b" + std::to_string(i))));
  }
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.a.incoming.size() == 500 && pair.b.incoming.size() == 500; }));
  CHECK(pair.a.association().channel_count() == 1000);
  CHECK(pair.b.association().channel_count() == 1000);
  CHECK(*std::max_element(ids.begin(), ids.end()) == 999);
  for (std::uint16_t id : ids) {
    auto& sender = id % 2 == 0 ? pair.a : pair.b;
    REQUIRE(sender.association().send(id, "m" + std::to_string(id)).ok());
  }
  pair.a.drain();
  REQUIRE(pair.run([&] {
    for (std::uint16_t id : ids) {
      if ((id % 2 == 0 ? pair.b : pair.a).messages[id].size() != 1) return false;
    }
    return true;
  }));
  // Close each from the side that did not open it, half of them, and from the opener the rest.
  for (std::uint16_t id : ids) {
    auto& closer = (id % 4 < 2) ? pair.a : pair.b;
    REQUIRE(closer.association().close_channel(id).ok());
  }
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.a.association().channel_count() == 0 && pair.b.association().channel_count() == 0; },
                   base::Duration::seconds(60)));
  for (std::uint16_t id : ids) {
    CHECK(pair.a.is(id, ChannelState::kClosed));
    CHECK(pair.b.is(id, ChannelState::kClosed));
  }
  CHECK(pair.a.failed_check + pair.b.failed_check == 0);  // RE-CONFIG chunks included
  // The ids are free again.
  CHECK(*pair.a.association().open_channel(labelled("again")) == 0);
}

TEST_CASE("negotiated channels and id rules", "[sctp]") {
  SctpPair pair(15);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  sctp::ChannelInit init = labelled("pre-agreed");
  init.negotiated = true;
  init.id = 3;  // odd: the server's parity, allowed for negotiated channels
  REQUIRE(pair.a.association().open_channel(init).ok());
  REQUIRE(pair.b.association().open_channel(init).ok());
  CHECK(pair.a.association().open_channel(init).error().code == base::ErrorCode::kInvalidArgument);  // in use
  sctp::ChannelInit no_id = labelled("x");
  no_id.negotiated = true;
  CHECK(pair.a.association().open_channel(no_id).error().code == base::ErrorCode::kInvalidArgument);
  sctp::ChannelInit both = labelled("y");
  both.max_retransmits = 1;
  both.max_packet_lifetime = 1;
  CHECK(pair.a.association().open_channel(both).error().code == base::ErrorCode::kInvalidArgument);
  sctp::ChannelInit too_high = labelled("z");
  too_high.id = pair.a.association().streams();
  CHECK(pair.a.association().open_channel(too_high).error().code == base::ErrorCode::kInvalidArgument);
  // The in-band channel b opens next skips nothing it should not: odd, and not 3.
  CHECK(*pair.b.association().open_channel(labelled("b")) == 1);
  CHECK(*pair.b.association().open_channel(labelled("b2")) == 5);

  REQUIRE(pair.a.association().send(3, "to b").ok());
  REQUIRE(pair.b.association().send(3, "to a").ok());
  pair.a.drain();
  pair.b.drain();
  REQUIRE(pair.run([&] { return pair.a.messages[3].size() == 1 && pair.b.messages[3].size() == 1; }));
}

TEST_CASE("large messages: 256 KiB by default, 1 MiB when the peer allows, larger refused", "[sctp]") {
  sctp::Config sender;
  sender.remote_max_message_size = 1024 * 1024;
  sctp::Config receiver;
  receiver.local_max_message_size = 1024 * 1024;
  SctpPair pair(16, sender, receiver);
  pair.network.set_link_both_ways(*base::IpAddress::parse("192.0.2.1"), *base::IpAddress::parse("192.0.2.2"),
                                  lossy(0.02, 0.02));
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  const std::uint16_t id = open_and_wait(pair, labelled("big"));
  for (std::size_t size : {std::size_t{256 * 1024}, std::size_t{1024 * 1024}}) {
    std::vector<std::uint8_t> message(size);
    for (std::size_t i = 0; i < size; ++i) message[i] = pattern(i + size);
    REQUIRE(pair.a.association().send(id, message, true).ok());
    pair.a.drain();
    const std::size_t before = pair.b.messages[id].size();
    REQUIRE(pair.run([&] { return pair.b.messages[id].size() == before + 1; }, base::Duration::seconds(120)));
    CHECK(base::bytes_equal(pair.b.messages[id].back(), message));
  }
  CHECK(pair.a.association().send(id, std::vector<std::uint8_t>(1024 * 1024 + 1), true).error().code ==
        base::ErrorCode::kInvalidArgument);
  CHECK(pair.a.largest_packet <= sctp::Config{}.mtu);

  // b advertises 256 KiB by default; a message over it that a misconfigured sender pushes
  // anyway is discarded whole, and the channel goes on.
  SctpPair strict(17, sender, sctp::Config{});
  REQUIRE(strict.run([&] { return strict.a.connected() && strict.b.connected(); }));
  const std::uint16_t channel = open_and_wait(strict, labelled("strict"));
  REQUIRE(strict.a.association().send(channel, std::vector<std::uint8_t>(300 * 1024), true).ok());
  REQUIRE(strict.a.association().send(channel, "small").ok());
  strict.a.drain();
  REQUIRE(strict.run([&] { return strict.b.messages[channel].size() == 1; }, base::Duration::seconds(60)));
  CHECK(strict.b.messages[channel][0].size() == 5);
  CHECK(strict.b.association().counters().messages_discarded == 1);
}

TEST_CASE("closing a channel from either side delivers what was sent first", "[sctp]") {
  SctpPair pair(18);
  pair.network.set_link_both_ways(*base::IpAddress::parse("192.0.2.1"), *base::IpAddress::parse("192.0.2.2"),
                                  lossy(0.05, 0.0));
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  for (int closer = 0; closer < 2; ++closer) {
    const std::uint16_t id = open_and_wait(pair, labelled("c" + std::to_string(closer)));
    auto& side = closer == 0 ? pair.a : pair.b;
    auto& other = closer == 0 ? pair.b : pair.a;
    for (std::uint32_t i = 0; i < 20; ++i) REQUIRE(side.association().send(id, numbered(i, 5000), true).ok());
    REQUIRE(side.association().close_channel(id).ok());
    CHECK(side.association().channel_state(id) == ChannelState::kClosing);
    CHECK(side.association().send(id, "late").error().code == base::ErrorCode::kWrongState);
    side.drain();
    REQUIRE(pair.run([&] { return pair.a.is(id, ChannelState::kClosed) && pair.b.is(id, ChannelState::kClosed); }));
    CHECK(other.messages[id].size() == 20);
    const auto& states = other.channel_states[id];  // ids are reused: the last three are this channel's
    REQUIRE(states.size() >= 3);
    CHECK(std::vector<ChannelState>(states.end() - 3, states.end()) ==
          std::vector<ChannelState>{ChannelState::kOpen, ChannelState::kClosing, ChannelState::kClosed});
  }
}

TEST_CASE("backpressure refuses data past max_buffered_amount and drops nothing", "[sctp]") {
  sctp::Config config;
  config.max_buffered_amount = 256 * 1024;
  SctpPair pair(19, config, config);
  pair.network.set_link_both_ways(*base::IpAddress::parse("192.0.2.1"), *base::IpAddress::parse("192.0.2.2"),
                                  lossy(0.0, 0.0));
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  const std::uint16_t id = open_and_wait(pair, labelled("flood"));
  std::size_t accepted = 0;
  bool refused = false;
  for (int i = 0; i < 1000 && !refused; ++i) {
    const auto result = pair.a.association().send(id, std::vector<std::uint8_t>(16 * 1024), true);
    if (result.ok()) {
      ++accepted;
    } else {
      CHECK(result.error().code == base::ErrorCode::kResourceExhausted);
      refused = true;
    }
  }
  REQUIRE(refused);
  CHECK(pair.a.association().buffered_amount(id) <= config.max_buffered_amount);
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.b.messages[id].size() == accepted; }, base::Duration::seconds(60)));
  CHECK(pair.a.association().buffered_amount(id) == 0);
}

TEST_CASE("graceful shutdown closes both; abort fails the peer", "[sctp]") {
  SctpPair pair(20);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  const std::uint16_t id = open_and_wait(pair, labelled("x"));
  REQUIRE(pair.a.association().send(id, "last words").ok());
  pair.a.association().close();
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.a.association().state() == sctp::State::kClosed &&
                                pair.b.association().state() == sctp::State::kClosed; }));
  CHECK(pair.b.messages[id].size() == 1);
  CHECK(pair.b.is(id, ChannelState::kClosed));

  SctpPair other(21);
  REQUIRE(other.run([&] { return other.a.connected() && other.b.connected(); }));
  other.b.association().abort("test over");
  CHECK(other.b.association().state() == sctp::State::kClosed);
  other.b.drain();
  REQUIRE(other.run([&] { return other.a.association().state() == sctp::State::kFailed; }));
  CHECK(other.a.association().open_channel(labelled("late")).error().code == base::ErrorCode::kWrongState);
}

TEST_CASE("garbage packets change nothing in an established association", "[sctp]") {
  SctpPair pair(22);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  const std::uint16_t id = open_and_wait(pair, labelled("x"));
  base::SeededRandom random(22);
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::uint8_t> junk(random.uniform(1300));
    random.fill(junk);
    if (junk.size() >= 4 && i % 2 == 0) {  // half of them aimed at the right ports
      base::store_be16(junk.data(), 5000);
      base::store_be16(junk.data() + 2, 5000);
    }
    pair.b.association().handle_packet(pair.network.now(), base::MutableByteView(junk));
  }
  pair.b.drain();
  REQUIRE(pair.a.association().send(id, "still fine").ok());
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.b.messages[id].size() == 1; }));
  CHECK(pair.b.connected());
}

TEST_CASE("a reliable channel never stalls beside partially reliable ones under loss (echo stress)", "[sctp]") {
  SctpPair pair(23);
  pair.network.set_tracing(false);
  pair.network.set_link_both_ways(*base::IpAddress::parse("192.0.2.1"), *base::IpAddress::parse("192.0.2.2"),
                                  lossy(0.08, 0.02));
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  const std::uint16_t reliable = open_and_wait(pair, labelled("reliable"));
  sctp::ChannelInit rtx0 = labelled("rtx0");
  rtx0.ordered = false;
  rtx0.max_retransmits = 0;
  const std::uint16_t unreliable = open_and_wait(pair, rtx0);
  sctp::ChannelInit timed = labelled("timed");
  timed.max_packet_lifetime = 300;
  const std::uint16_t lifetime = open_and_wait(pair, timed);
  // b echoes everything, as rtc-echo's server does.
  pair.b.on_event = [&](const sctp::Event& event) {
    if (const auto* message = std::get_if<sctp::MessageEvent>(&event)) {
      REQUIRE(pair.b.association().send(message->id, message->data, message->binary).ok());
    }
  };
  constexpr std::size_t kSizes[] = {1, 7, 100, 1000, 1200, 4096, 16384, 65528};
  for (std::uint32_t round = 0; round < 5; ++round) {
    for (std::size_t size : kSizes) {
      for (std::uint16_t id : {reliable, unreliable, lifetime}) {
        REQUIRE(pair.a.association().send(id, numbered(round * 100 + static_cast<std::uint32_t>(size % 97), size + round), true).ok());
      }
    }
  }
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.a.messages[reliable].size() == 40; }, base::Duration::seconds(120)));
  CHECK(pair.a.association().buffered_amount(unreliable) == 0);
  INFO("unreliable echoes " << pair.a.messages[unreliable].size() << ", lifetime echoes " << pair.a.messages[lifetime].size());
  CHECK(pair.a.connected());
}

TEST_CASE("the stream count: the smaller offer wins, channel ids stay below it", "[sctp]") {
  sctp::Config wide, narrow;
  wide.streams = 1024;
  narrow.streams = 8;
  SctpPair pair(18, wide, narrow);
  CHECK(pair.a.association().streams() == 1024);  // until the peer's INIT says otherwise
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  CHECK(pair.a.association().streams() == 8);
  CHECK(pair.b.association().streams() == 8);
  sctp::ChannelInit beyond = labelled("beyond");
  beyond.id = 8;
  beyond.negotiated = true;
  CHECK(pair.a.association().open_channel(beyond).error().code == base::ErrorCode::kInvalidArgument);
  // Four even ids for a's in-band channels, then none left.
  for (std::uint16_t expected : {0, 2, 4, 6}) CHECK(*pair.a.association().open_channel(labelled("c")) == expected);
  CHECK(pair.a.association().open_channel(labelled("c")).error().code == base::ErrorCode::kResourceExhausted);
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.b.incoming.size() == 4; }));
  REQUIRE(pair.a.association().send(6, "last one").ok());
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.b.messages[6].size() == 1; }));
}
