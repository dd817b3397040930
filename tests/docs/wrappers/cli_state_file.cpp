// For docs/CLI-TELEMETRY.md's state-file fragment: statements given the CLI's state directory.
#include <filesystem>
#include <string>

#include <flowtrack/cli/state_file.hpp>

void snippet(const std::filesystem::path& dir) {
  // {{snippet}}
}
