// rtc-sdp: check, inspect and normalise SDP, for people testing WebRTC stacks.
//
//   rtc-sdp check FILE   exit 0 when FILE parses; otherwise print the error (with its line) and exit 1
//   rtc-sdp json FILE    the typed model as JSON
//   rtc-sdp fmt FILE     the canonical form (CRLF line ends)
//
// FILE "-" reads standard input.
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>

#include "sdp/canonical.h"
#include "sdp/session_description.h"
#include "sdp_json.h"

namespace {

int usage() {
  std::cerr << "usage: rtc-sdp check|json|fmt FILE   (FILE - reads standard input)\n";
  return 2;
}

bool read_input(const std::string& path, std::string& text) {
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  std::ostringstream buffer;
  buffer << file.rdbuf();
  text = buffer.str();
  return true;
}

}  // namespace

int main(int argc, char* argv[]) {
  if (argc != 3) return usage();
  const std::string_view command = argv[1];
  if (command != "check" && command != "json" && command != "fmt") return usage();
  std::string text;
  if (!read_input(argv[2], text)) {
    std::cerr << "rtc-sdp: cannot read " << argv[2] << "\n";
    return 2;
  }
  const auto session = rtcstack::sdp::SessionDescription::parse(text);
  if (!session) {
    std::cerr << argv[2] << ": " << session.error().message << "\n";
    return 1;
  }
  if (command == "check") {
    std::cout << argv[2] << ": ok, " << session->media.size() << " media section"
              << (session->media.size() == 1 ? "" : "s") << "\n";
  } else if (command == "json") {
    std::cout << rtcstack::tools::to_json(*session).dump(2) << "\n";
  } else {
    std::cout << rtcstack::sdp::canonicalize(*session).to_string();
  }
  return 0;
}
