// A Google Benchmark reporter that prints one JSON object per line (DESIGN.md §6), so
// figures can be diffed run against run and compared with other stacks by simple tools:
// {"benchmark":"crc32/1200","iterations":...,"ns_per_op":...,"bytes_per_second":...}
#pragma once

#include <benchmark/benchmark.h>

namespace rtcstack::bench {

class JsonLinesReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
};

}  // namespace rtcstack::bench
