#include "json_lines_reporter.h"

#include <cstdio>
#include <string>

namespace rtcstack::bench {

namespace {

std::string json_string(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;  // names never hold control characters
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

bool JsonLinesReporter::ReportContext(const Context& context) {
  // RTCSTACK_BUILDTYPE comes from bench/meson.build: figures from a debug build are not
  // comparable with a release one, so every run says which it was.
  std::printf("{\"context\":{\"cpus\":%d,\"mhz_per_cpu\":%.0f,\"buildtype\":\"%s\"}}\n",
              context.cpu_info.num_cpus, context.cpu_info.cycles_per_second / 1e6,
              RTCSTACK_BUILDTYPE);
  return true;
}

void JsonLinesReporter::ReportRuns(const std::vector<Run>& runs) {
  for (const Run& run : runs) {
    std::string line = "{\"benchmark\":" + json_string(run.benchmark_name());
    if (run.error_occurred) {
      line += ",\"error\":" + json_string(run.error_message) + "}";
      std::puts(line.c_str());
      continue;
    }
    const double seconds_per_op = run.real_accumulated_time / static_cast<double>(run.iterations);
    char numbers[128];
    std::snprintf(numbers, sizeof numbers, ",\"iterations\":%lld,\"ns_per_op\":%.2f",
                  static_cast<long long>(run.iterations), seconds_per_op * 1e9);
    line += numbers;
    for (const auto& [name, counter] : run.counters) {
      std::snprintf(numbers, sizeof numbers, ",%s:%.6g", json_string(name).c_str(), counter.value);
      line += numbers;
    }
    line += "}";
    std::puts(line.c_str());
  }
  std::fflush(stdout);
}

}  // namespace rtcstack::bench
