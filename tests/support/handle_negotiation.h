// One offer/answer exchange between two runtime connections, for the tests that run
// PeerConnections on real Runtimes (test_net, test_fault, the interop programs).
#pragma once

#include <catch2/catch.hpp>

#include "net/runtime.h"

namespace rtcstack::testing {

/// `offerer` creates and sets an offer, `answerer` takes it and answers; each step must
/// succeed. Candidates travel however the callbacks trickle them.
inline void negotiate(net::PeerConnectionHandle& offerer, net::PeerConnectionHandle& answerer) {
  auto offer = offerer.create_offer();
  REQUIRE(offer.ok());
  REQUIRE(offerer.set_local_description(*offer).ok());
  REQUIRE(answerer.set_remote_description(*offer).ok());
  auto answer = answerer.create_answer();
  REQUIRE(answer.ok());
  REQUIRE(answerer.set_local_description(*answer).ok());
  REQUIRE(offerer.set_remote_description(*answer).ok());
}

}  // namespace rtcstack::testing
