// flowtrack-drain: the standalone telemetry drainer, for CLIs that would rather not have their
// own binary started as one (handoff_options::drainer_program). It does exactly what the hook
// in a CLI's main() does: `flowtrack-drain --flowtrack-drain`, its request on stdin (see
// flowtrack/cli/handoff.hpp). Anything else: a usage line on stderr, exit 2.
#include <iostream>

#include <flowtrack/cli/handoff.hpp>

int main(int argc, char** argv) {
  if (auto rc = flowtrack::cli::run_drainer_if_requested(argc, argv)) return *rc;
  std::cerr << "usage: flowtrack-drain " << flowtrack::cli::drainer_argument
            << " (started by a CLI's telemetry close, its request on stdin)\n";
  return 2;
}
