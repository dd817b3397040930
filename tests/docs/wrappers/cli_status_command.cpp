// For docs/CLI-TELEMETRY.md's `telemetry status | enable | disable` fragment: the body of a
// command handler given the action, the telemetry options and the output stream.
#include <ostream>
#include <string>

#include <flowtrack/cli/telemetry.hpp>

namespace cli = flowtrack::cli;

int telemetry_command(const std::string& action, const cli::telemetry_options& options, std::ostream& out) {
  // {{snippet}}
  return 0;
}
