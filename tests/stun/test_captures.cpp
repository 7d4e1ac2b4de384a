#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "pcapng.h"
#include "stun/demux.h"
#include "stun/message.h"

using namespace rtcstack;
using namespace rtcstack::stun;

namespace {

// ice-ufrag -> ice-pwd of every m-section in an SDP file (lib/sdp will do this properly;
// two lines are all this test needs).
std::map<std::string, std::string> ice_credentials(const std::string& path) {
  std::ifstream file(path);
  REQUIRE(file);
  std::map<std::string, std::string> credentials;
  std::string line;
  std::string ufrag;
  while (std::getline(file, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("a=ice-ufrag:", 0) == 0) ufrag = line.substr(12);
    if (line.rfind("a=ice-pwd:", 0) == 0) credentials[ufrag] = line.substr(10);
  }
  return credentials;
}

struct CaptureStats {
  int stun = 0;
  int requests = 0;
  int verified = 0;
  int with_fingerprint = 0;
};

// Parses every STUN datagram of a capture; with credentials, verifies each request with
// the password of the ufrag before the colon of its USERNAME (the receiver's), and each
// response with the password its request used.
CaptureStats check_capture(const std::string& name,
                           const std::map<std::string, std::string>& credentials) {
  const auto datagrams = testing::read_pcapng_udp(testing::test_data_path("pcap/" + name));
  REQUIRE(datagrams.ok());
  CaptureStats stats;
  std::map<TransactionId, std::string> password_of_transaction;
  for (const auto& datagram : *datagrams) {
    if (!looks_like_stun(datagram.payload)) continue;
    const auto message = StunMessage::parse(datagram.payload);
    INFO(name << ": " << datagram.from.to_string() << " -> " << datagram.to.to_string());
    REQUIRE(message.ok());
    ++stats.stun;
    if (message->has_fingerprint()) ++stats.with_fingerprint;
    if (message->cls() == StunClass::kRequest) ++stats.requests;
    if (credentials.empty() || !message->has_message_integrity()) continue;
    if (message->cls() == StunClass::kRequest) {
      const std::string username(*message->username());
      const auto receiver = credentials.find(username.substr(0, username.find(':')));
      REQUIRE(receiver != credentials.end());
      CHECK(message->verify_message_integrity(base::as_bytes(receiver->second)).ok());
      password_of_transaction[message->transaction_id()] = receiver->second;
      ++stats.verified;
    } else {
      const auto password = password_of_transaction.find(message->transaction_id());
      REQUIRE(password != password_of_transaction.end());
      CHECK(message->verify_message_integrity(base::as_bytes(password->second)).ok());
      CHECK(message->xor_mapped_address().has_value());
      ++stats.verified;
    }
  }
  return stats;
}

std::map<std::string, std::string> credentials_of(const std::string& capture) {
  auto credentials = ice_credentials(testing::test_data_path("pcap/" + capture + ".offer.sdp"));
  credentials.merge(ice_credentials(testing::test_data_path("pcap/" + capture + ".answer.sdp")));
  return credentials;
}

}  // namespace

TEST_CASE("aiortc <-> Pion captures: every STUN message parses and verifies with the SDP passwords",
          "[stun][capture]") {
  for (const std::string capture : {"aiortc-pion-datachannel", "aiortc-pion-media"}) {
    INFO(capture);
    const CaptureStats stats = check_capture(capture + ".pcapng", credentials_of(capture));
    CHECK(stats.requests > 0);
    CHECK(stats.verified > stats.requests);  // requests and their responses
    CHECK(stats.with_fingerprint == stats.stun);
  }
}

TEST_CASE("Chromium <-> Pion captures: every STUN message parses, FINGERPRINT verified",
          "[stun][capture]") {
  for (const std::string capture : {"chromium-pion-datachannel.pcapng", "chromium-pion-media.pcapng"}) {
    INFO(capture);
    const CaptureStats stats = check_capture(capture, {});
    CHECK(stats.requests > 0);
    CHECK(stats.with_fingerprint == stats.stun);
  }
}
