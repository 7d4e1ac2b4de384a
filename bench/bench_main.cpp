// main() of every benchmark program: Google Benchmark's command line, JSON-lines output.
#include <benchmark/benchmark.h>

#include "json_lines_reporter.h"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  rtcstack::bench::JsonLinesReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
