// `flowtrack-demo telemetry status|enable|disable [--json]`.
#pragma once

#include <string>

#include <flowtrack/cli/telemetry.hpp>

#include "demo_state.hpp"

namespace demo {

/// Runs the telemetry subcommand; returns its exit code. `status` prints the state and why, what
/// is collected, where it goes, what waits in the spool and the docs; `--json` prints the same
/// as one JSON object (cli::to_json plus last_delivery) for scripts.
int telemetry_command(const std::string& action, bool json, const flowtrack::cli::telemetry_options& options,
                      const demo_state& state);

}  // namespace demo
