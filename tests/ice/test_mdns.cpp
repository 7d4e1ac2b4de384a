// mDNS for ICE candidates: the DNS message codec (round trips, compression pointers,
// hostile packets), the resolver (cache with TTL, retries, giving up, bounds) and the
// responder (only our names, rate limits, legacy unicast).
#include <catch2/catch.hpp>

#include <vector>

#include "ice/mdns_message.h"
#include "ice/mdns_resolver.h"
#include "ice/mdns_responder.h"

using namespace rtcstack;
using namespace rtcstack::ice;
using base::Duration;
using base::Instant;

namespace {

const std::string kName = "1f4712db-ea17-4bcf-a596-105139dfd8bf.local";
const base::IpAddress kV4 = base::IpAddress::v4(192, 0, 2, 7);
const base::IpAddress kV6 = *base::IpAddress::parse("2001:db8::7");

Instant at(int ms) { return Instant{} + Duration::milliseconds(ms); }

}  // namespace

TEST_CASE("mDNS: queries and responses round-trip; names are checked", "[ice][mdns]") {
  const auto query = mdns::parse(mdns::build_query(kName, mdns::kTypeAaaa));
  REQUIRE(query.ok());
  CHECK_FALSE(query->response);
  REQUIRE(query->questions.size() == 1);
  CHECK(query->questions[0].name == kName);
  CHECK(query->questions[0].type == mdns::kTypeAaaa);
  const auto response = mdns::parse(mdns::build_response(0, kName, {kV4, kV6}, 120, true));
  REQUIRE(response.ok());
  CHECK(response->response);
  REQUIRE(response->answers.size() == 2);
  CHECK(response->answers[0].address == kV4);
  CHECK(response->answers[1].address == kV6);
  CHECK(response->answers[1].ttl == 120);
  // A legacy answer carries the querier's id and its question.
  const auto legacy = mdns::parse(mdns::build_response(0x1234, kName, {kV4}, 10, false));
  REQUIRE(legacy.ok());
  CHECK(legacy->id == 0x1234);
  CHECK(legacy->questions.size() == 1);
  CHECK(mdns::is_local_name(kName));
  CHECK(mdns::is_local_name("host-1.local"));
  for (const char* bad : {"example.com", ".local", "a.b.local", "bad_char.local", "x y.local", ""}) {
    CAPTURE(bad);
    CHECK_FALSE(mdns::is_local_name(bad));
  }
}

TEST_CASE("mDNS: compressed names are followed, and only backwards", "[ice][mdns]") {
  // A response whose second record names the first by a pointer (offset 12), upper case.
  std::vector<std::uint8_t> message = {0, 0, 0x84, 0, 0, 0, 0, 2, 0, 0, 0, 0};
  const std::string label = "HOST-A";
  message.push_back(static_cast<std::uint8_t>(label.size()));
  message.insert(message.end(), label.begin(), label.end());
  message.insert(message.end(), {5, 'l', 'o', 'c', 'a', 'l', 0});
  message.insert(message.end(), {0, 1, 0x80, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1});
  message.insert(message.end(), {0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16});
  const auto v6 = kV6.bytes();
  message.insert(message.end(), v6.begin(), v6.end());
  const auto parsed = mdns::parse(message);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->answers.size() == 2);
  CHECK(parsed->answers[0].name == "host-a.local");  // lower-cased
  CHECK(parsed->answers[1].name == "host-a.local");
  CHECK(parsed->answers[1].address == kV6);

  auto pointing = message;
  pointing[12 + 1 + label.size() + 7 + 14] = 0xc0;  // the second record's pointer...
  pointing[12 + 1 + label.size() + 7 + 15] = static_cast<std::uint8_t>(12 + 1 + label.size() + 7 + 14);  // ...to itself
  CHECK(mdns::parse(pointing).error().code == base::ErrorCode::kMalformed);
  // Every truncation is refused, never read past.
  for (std::size_t size = 0; size < message.size(); ++size) {
    CAPTURE(size);
    CHECK_FALSE(mdns::parse(base::ByteView(message.data(), size)).ok());
  }
  auto wrong_length = message;
  wrong_length[12 + 1 + label.size() + 7 + 9] = 5;  // an A record of 5 bytes
  CHECK_FALSE(mdns::parse(wrong_length).ok());
}

TEST_CASE("mDNS resolver: a query, its answer, the cache until the TTL", "[ice][mdns]") {
  mdns::Resolver resolver;
  auto started = resolver.resolve(at(0), kName);
  REQUIRE(started.ok());
  CHECK_FALSE(started->has_value());
  const auto query = resolver.poll_query();
  REQUIRE(query);
  CHECK(mdns::parse(*query)->questions[0].name == kName);
  CHECK(mdns::parse(*query)->questions[0].type == mdns::kTypeA);
  CHECK(mdns::parse(*resolver.poll_query())->questions[0].type == mdns::kTypeAaaa);
  CHECK_FALSE(resolver.poll_query());
  CHECK(resolver.resolve(at(10), kName).ok());  // asked again: no second query
  CHECK_FALSE(resolver.poll_query());
  // Someone else's name is cached (a browser announces its names before signalling them)
  // but resolves nothing in flight; ours resolves.
  CHECK(resolver.handle_response(at(20), *mdns::parse(mdns::build_response(0, "other.local", {kV6}, 120, true))));
  CHECK_FALSE(resolver.poll_resolution());
  CHECK_FALSE(resolver.handle_response(at(20), *mdns::parse(mdns::build_response(0, "example.com", {kV4}, 120, true))));
  CHECK(resolver.handle_response(at(30), *mdns::parse(mdns::build_response(0, kName, {kV4}, 60, true))));
  const auto resolution = resolver.poll_resolution();
  REQUIRE(resolution);
  CHECK(resolution->name == kName);
  CHECK(resolution->addresses == std::vector<base::IpAddress>{kV4});
  CHECK(resolver.pending() == 0);
  // From the cache while the TTL lasts, then asked for again.
  CHECK(*resolver.resolve(at(59'000), kName) == std::optional<std::vector<base::IpAddress>>(std::vector{kV4}));
  CHECK_FALSE(resolver.resolve(at(61'000), kName)->has_value());
  CHECK(resolver.poll_query());
  CHECK(resolver.resolve(at(61'000), "not a name").error().code == base::ErrorCode::kInvalidArgument);
}

TEST_CASE("mDNS resolver: unanswered, a name is asked three times and given up within 6 s", "[ice][mdns]") {
  mdns::Resolver resolver;
  REQUIRE(resolver.resolve(at(0), kName).ok());
  int queries = 0;
  Instant now = at(0);
  std::optional<mdns::Resolution> resolution;
  while (!resolution && now < at(60'000)) {
    while (resolver.poll_query()) ++queries;
    now = resolver.poll_timeout();
    resolver.handle_timeout(now);
    resolution = resolver.poll_resolution();
  }
  REQUIRE(resolution);
  CHECK(resolution->addresses.empty());
  CHECK(queries == 6);  // A and AAAA at 0, 1 and 3 s
  CHECK(now == at(6'000));  // queries at 0, 1 and 3 s; given up 3 s after the last
  CHECK(resolver.poll_timeout() == Instant::max());
}

TEST_CASE("mDNS resolver: names in flight are bounded", "[ice][mdns]") {
  mdns::Resolver resolver({.max_pending = 4});
  for (int i = 0; i < 4; ++i) REQUIRE(resolver.resolve(at(0), "n" + std::to_string(i) + ".local").ok());
  CHECK(resolver.resolve(at(0), "n9.local").error().code == base::ErrorCode::kResourceExhausted);
}

TEST_CASE("mDNS responder: only our names, one multicast answer a second, legacy queriers answered by unicast",
          "[ice][mdns]") {
  mdns::Responder responder;
  REQUIRE(responder.add(kName, {kV4}));
  CHECK_FALSE(responder.add("not-local.example", {kV4}));
  const auto query = *mdns::parse(mdns::build_query(kName, mdns::kTypeA));
  const base::SocketAddress peer(base::IpAddress::v4(192, 0, 2, 9), mdns::kPort);
  std::optional<mdns::Responder::Reply> reply;
  CHECK(responder.handle_query(at(0), query, peer, reply) == mdns::Responder::Outcome::kAnswered);
  REQUIRE(reply);
  CHECK_FALSE(reply->unicast_to);
  const auto answer = mdns::parse(reply->bytes);
  REQUIRE(answer->answers.size() == 1);  // the A record; we have no IPv6 address
  CHECK(answer->answers[0].address == kV4);
  // A flood: one answer a second.
  int answered = 0;
  for (int ms = 1; ms < 3000; ms += 10) {
    if (responder.handle_query(at(ms), query, peer, reply) == mdns::Responder::Outcome::kAnswered) ++answered;
  }
  CHECK(answered == 2);  // at 1 s and 2 s
  // Someone else's name, and a response, are not ours to answer.
  CHECK(responder.handle_query(at(5000), *mdns::parse(mdns::build_query("someone.local", mdns::kTypeA)), peer, reply) ==
        mdns::Responder::Outcome::kNotOurs);
  CHECK_FALSE(reply);
  // A one-shot querier (not port 5353) gets a unicast answer with its id.
  auto legacy = query;
  legacy.id = 77;
  const base::SocketAddress resolver_port(base::IpAddress::v4(192, 0, 2, 9), 40000);
  CHECK(responder.handle_query(at(6000), legacy, resolver_port, reply) == mdns::Responder::Outcome::kAnswered);
  REQUIRE(reply);
  CHECK(reply->unicast_to == resolver_port);
  CHECK(mdns::parse(reply->bytes)->id == 77);
  responder.remove(kName);
  CHECK(responder.handle_query(at(9000), query, peer, reply) == mdns::Responder::Outcome::kNotOurs);
}
