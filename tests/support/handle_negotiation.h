// One offer/answer exchange between two runtime connections, for the tests that run
// PeerConnections on real Runtimes (test_net, test_fault, the interop programs).
#pragma once

#include <catch2/catch.hpp>

#include "net/runtime.h"

namespace rtcstack::testing {

/// `offerer` creates and sets an offer, `answerer` takes it and answers, and (unless
/// `apply_answer` is false: an offerer that went away) the offerer takes the answer; each
/// step must succeed. Candidates travel however the callbacks trickle them.
inline void negotiate(net::PeerConnectionHandle& offerer, net::PeerConnectionHandle& answerer,
                      bool apply_answer = true) {
  auto offer = offerer.create_offer();
  REQUIRE(offer.ok());
  REQUIRE(offerer.set_local_description(*offer).ok());
  REQUIRE(answerer.set_remote_description(*offer).ok());
  auto answer = answerer.create_answer();
  REQUIRE(answer.ok());
  REQUIRE(answerer.set_local_description(*answer).ok());
  if (apply_answer) REQUIRE(offerer.set_remote_description(*answer).ok());
}

}  // namespace rtcstack::testing
