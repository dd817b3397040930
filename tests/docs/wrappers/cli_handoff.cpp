// For fragments that use the CLI layer's handoff (flowtrack/cli/handoff.hpp) at namespace scope.
#include <flowtrack/cli/command_runner.hpp>
#include <flowtrack/cli/handoff.hpp>
#include <flowtrack/cli/telemetry.hpp>

// {{snippet}}
