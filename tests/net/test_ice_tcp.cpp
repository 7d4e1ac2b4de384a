// ICE-TCP (RFC 6544) on real loopback sockets: two runtimes that offer TCP only connect
// over it and echo, UDP still wins when both are offered, and strangers who connect to a
// passive candidate cannot keep the peer out.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "net/runtime.h"
#include "net/sockaddr.h"
#include "runtime_helpers.h"

using namespace rtcstack;
using testing::EchoPair;
using testing::eventually;
using testing::loopback_runtime;

namespace {

net::RuntimeOptions transports(bool udp, bool tcp) {
  net::RuntimeOptions options;
  options.udp_candidates = udp;
  options.tcp_candidates = tcp;
  return options;
}

std::string text_of(const pc::Stats& stats, const char* member) {
  const auto value = stats.get(member);
  return value ? std::get<std::string>(*value) : std::string();
}

// The selected pair's local candidate stats (empty when none is selected).
pc::Stats selected_local_candidate(net::PeerConnectionHandle& connection) {
  const auto stats = connection.get_stats();
  std::map<std::string, const pc::Stats*> by_id;
  std::string selected;
  for (const pc::Stats& s : stats) {
    by_id[s.id] = &s;
    if (s.type == "transport") selected = text_of(s, "selectedCandidatePairId");
  }
  if (!by_id.contains(selected)) return {};
  return *by_id.at(text_of(*by_id.at(selected), "localCandidateId"));
}

// The port of the offer's passive TCP candidate on 127.0.0.1.
std::uint16_t passive_port(const std::string& sdp) {
  const std::size_t line = sdp.find(" tcptype passive");
  REQUIRE(line != std::string::npos);
  const std::size_t start = sdp.rfind("a=candidate:", line);
  // foundation component transport priority address port
  std::vector<std::string> fields;
  std::size_t at = start;
  for (int i = 0; i < 6; ++i) {
    const std::size_t space = sdp.find(' ', at);
    fields.push_back(sdp.substr(at, space - at));
    at = space + 1;
  }
  return static_cast<std::uint16_t>(std::stoi(fields[5]));
}

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage storage;
  const socklen_t size = net::to_sockaddr(base::SocketAddress(base::IpAddress::v4(127, 0, 0, 1), port), storage);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&storage), size) == 0);
  return fd;
}

// Two runtimes on 127.0.0.1 offering these transports, and a channel from a, open.
struct OpenCall {
  std::unique_ptr<net::Runtime> runtime_a, runtime_b;
  EchoPair pair;
  pc::ChannelHandle channel = 0;
  OpenCall(bool udp, bool tcp)
      : runtime_a(loopback_runtime(transports(udp, tcp))), runtime_b(loopback_runtime(transports(udp, tcp))),
        pair(*runtime_a, *runtime_b) {
    pc::DataChannelInit init;
    init.label = "call";
    channel = *pair.a->create_data_channel(init);
    pair.negotiate();
    REQUIRE(eventually([&] { return pair.a_open.load(); }));
  }
};

}  // namespace

TEST_CASE("ICE-TCP: runtimes that offer TCP only connect over it and echo, large messages included", "[net][tcp]") {
  OpenCall call(false, true);
  EchoPair& pair = call.pair;
  const auto channel = call.channel;
  const std::string offer = pair.a->local_description()->sdp;
  CHECK(offer.find(" udp ") == std::string::npos);
  CHECK(offer.find(" tcp ") != std::string::npos);
  CHECK(offer.find("127.0.0.1 9 typ host tcptype active") != std::string::npos);
  const std::string big(60000, 'x');  // many SCTP chunks, several RFC 4571 frames
  for (int i = 0; i < 100; ++i) REQUIRE(pair.a->send(channel, i % 10 == 0 ? big : "ping " + std::to_string(i)).ok());
  REQUIRE(eventually([&] { return pair.a_messages == 100; }));
  for (auto* side : {pair.a.get(), pair.b.get()}) {
    const pc::Stats local = selected_local_candidate(*side);
    CHECK(text_of(local, "protocol") == "tcp");
    CHECK((text_of(local, "tcpType") == "active" || text_of(local, "tcpType") == "passive"));
  }
  // One side connected, the other accepted: one active and one passive end.
  CHECK(text_of(selected_local_candidate(*pair.a), "tcpType") != text_of(selected_local_candidate(*pair.b), "tcpType"));
}

TEST_CASE("ICE-TCP: with UDP and TCP both offered the call goes over UDP", "[net][tcp]") {
  OpenCall call(true, true);
  EchoPair& pair = call.pair;
  REQUIRE(pair.a->send(call.channel, "hello").ok());
  REQUIRE(eventually([&] { return pair.a_messages == 1; }));
  CHECK(text_of(selected_local_candidate(*pair.a), "protocol") == "udp");
  CHECK(text_of(selected_local_candidate(*pair.b), "protocol") == "udp");
}

TEST_CASE("ICE-TCP: strangers connected to the passive candidate, silent or sending garbage, do not keep the peer out",
          "[net][tcp]") {
  auto runtime_a = loopback_runtime(transports(false, true));
  auto runtime_b = loopback_runtime(transports(false, true));
  EchoPair pair(*runtime_a, *runtime_b);
  pc::DataChannelInit init;
  init.label = "crowded";
  const auto channel = *pair.a->create_data_channel(init);
  // Before the peer hears of a's candidates, strangers fill a's passive port: more silent
  // connections than a connection keeps streams, and some that send frames of garbage.
  auto offer = pair.a->create_offer();
  REQUIRE(offer.ok());
  REQUIRE(pair.a->set_local_description(*offer).ok());
  const std::uint16_t port = passive_port(pair.a->local_description()->sdp);
  std::vector<int> strangers;
  for (int i = 0; i < 24; ++i) {
    strangers.push_back(connect_to(port));
    if (i % 3 == 0) {
      const std::uint8_t garbage[] = {0x00, 0x04, 0xde, 0xad, 0xbe, 0xef};
      REQUIRE(::send(strangers.back(), garbage, sizeof garbage, MSG_NOSIGNAL) == sizeof garbage);
    }
  }
  REQUIRE(pair.b->set_remote_description(*offer).ok());
  auto answer = pair.b->create_answer();
  REQUIRE(answer.ok());
  REQUIRE(pair.b->set_local_description(*answer).ok());
  REQUIRE(pair.a->set_remote_description(*answer).ok());
  REQUIRE(eventually([&] { return pair.a_open.load(); }));
  REQUIRE(pair.a->send(channel, "through the crowd").ok());
  REQUIRE(eventually([&] { return pair.a_messages == 1; }));
  // The garbage senders were cut off: their reads end.
  for (std::size_t i = 0; i < strangers.size(); i += 3) {
    std::uint8_t byte = 0;
    CHECK(eventually([&] { return ::recv(strangers[i], &byte, 1, MSG_DONTWAIT) == 0; }));
  }
  for (const int fd : strangers) ::close(fd);
}

TEST_CASE("ICE-TCP: shared sockets and a runtime with no transport are refused at create()", "[net][tcp]") {
  net::RuntimeOptions shared = transports(true, true);
  shared.share_sockets = true;
  shared.addresses = {base::IpAddress::v4(127, 0, 0, 1)};
  CHECK(net::Runtime::create(shared).error().code == base::ErrorCode::kInvalidArgument);
  net::RuntimeOptions none = transports(false, false);
  none.addresses = shared.addresses;
  CHECK(net::Runtime::create(none).error().code == base::ErrorCode::kInvalidArgument);
}
