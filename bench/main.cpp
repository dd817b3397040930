// flowtrack-bench: the benchmark workloads (docs/PERFORMANCE.md). Each prints one JSON object
// on stdout; errors go to stderr with exit code 1.
#include <iostream>

#include "bench_common.hpp"

// NOLINTNEXTLINE(bugprone-exception-escape): only bad_alloc or a bad option table escape the try
int main(int argc, char** argv) {
  CLI::App app{"flowtrack-bench: benchmark workloads (docs/PERFORMANCE.md)"};
  app.require_subcommand(1);
  const std::vector<flowtrack::bench::workload> workloads{flowtrack::bench::add_micro(app),
                                                          flowtrack::bench::add_w1(app),
                                                          flowtrack::bench::add_w2(app),
                                                          flowtrack::bench::add_ceiling(app)};
  CLI11_PARSE(app, argc, argv);
  try {
    for (const auto& w : workloads)
      if (w.command->parsed()) std::cout << w.run().dump() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "flowtrack-bench: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
