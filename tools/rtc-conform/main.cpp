// rtc-conform: checks another WebRTC endpoint against the RFCs, clause by clause.
//   rtc-conform server-test URL [--only SEL,...] [--skip SEL,...] [--json FILE] [--junit FILE]
//                               [--bind IP] [--timeout SECONDS]
// Prints a table of the checks (pass / fail / n/a, the RFC clause, the evidence of a
// failure); --json and --junit write the same as JSON and JUnit XML. A selector is a check's
// name, a prefix ending in '.' ("dtls.") or an RFC ("RFC 8842"). Exit status 0 only when
// every selected check that applies passed.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "report.h"
#include "server_test.h"

namespace {

using namespace rtcstack::conform;

int usage() {
  std::fprintf(stderr,
               "usage: rtc-conform server-test URL [--only SEL,...] [--skip SEL,...] [--json FILE] [--junit FILE]\n"
               "                               [--bind IP] [--timeout SECONDS]\n"
               "  SEL: a check name (dtls.setup-answer), a prefix ending in '.' (dtls.) or an RFC (\"RFC 8842\")\n");
  return 2;
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) items.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
  return static_cast<bool>(file);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || std::string_view(argv[1]) != "server-test") return usage();
  ServerTestOptions options;
  options.url = argv[2];
  std::vector<std::string> only, skip;
  std::string json_path, junit_path;
  for (int i = 3; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string value = argv[++i];
    if (flag == "--only") {
      only = split(value);
    } else if (flag == "--skip") {
      skip = split(value);
    } else if (flag == "--json") {
      json_path = value;
    } else if (flag == "--junit") {
      junit_path = value;
    } else if (flag == "--bind") {
      options.bind = value;
    } else if (flag == "--timeout") {
      options.timeout_seconds = std::atoi(value.c_str());
      if (options.timeout_seconds <= 0) return usage();
    } else {
      return usage();
    }
  }
  Results results;
  for (CheckResult& check : run_server_test(options)) {
    if (selected(check, only, skip)) results.push_back(std::move(check));
  }
  std::fputs(table(results).c_str(), stdout);
  if (!json_path.empty() && !write_file(json_path, json(results, options.url))) {
    std::fprintf(stderr, "could not write %s\n", json_path.c_str());
    return 1;
  }
  if (!junit_path.empty() && !write_file(junit_path, junit(results, options.url))) {
    std::fprintf(stderr, "could not write %s\n", junit_path.c_str());
    return 1;
  }
  const bool failed = std::any_of(results.begin(), results.end(), [](const CheckResult& r) { return r.verdict == Verdict::kFail; });
  return failed ? 1 : 0;
}
