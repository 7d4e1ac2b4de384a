// The real SDP of tests/data/sdp (Chromium, aiortc, Pion, werift), parsed, and a section of it.
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "pcapng.h"
#include "sdp/session_description.h"

namespace rtcstack::testing {

inline sdp::SessionDescription load_sdp(const std::string& name) {
  std::ifstream file(test_data_path("sdp/" + name));
  REQUIRE(file);
  std::stringstream text;
  text << file.rdbuf();
  auto parsed = sdp::SessionDescription::parse(text.str());
  REQUIRE(parsed.ok());
  return std::move(*parsed);
}

inline const sdp::MediaDescription& sdp_section(const sdp::SessionDescription& description, std::string_view media) {
  for (const auto& m : description.media) {
    if (m.media_line.media == media) return m;
  }
  FAIL("no " << media << " section");
  return description.media.front();
}

}  // namespace rtcstack::testing
