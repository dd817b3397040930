#include "telemetry_command.hpp"

#include <iostream>
#include <string>

namespace demo {

namespace cli = flowtrack::cli;

int telemetry_command(const std::string& action, bool json, const cli::telemetry_options& options,
                      const demo_state& state) {
  if (action == "enable" || action == "disable") {
    if (cli::set_telemetry_enabled(options, action == "enable")) {
      std::cerr << "cannot write the setting in " << options.state_dir.string() << '\n';
      return 1;
    }
    std::cout << "telemetry " << action << "d\n";
    return 0;
  }
  const auto s = cli::read_status(options);
  if (json) {
    auto j = cli::to_json(s);
    j["last_delivery"] = state.last_delivery();
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  std::string fields;
  for (const auto& f : s.collected) fields += (fields.empty() ? "" : ", ") + f;
  std::cout << "telemetry:      " << cli::to_string(s.state) << '\n'
            << "why:            " << s.reason << '\n'
            << "collected:      " << fields << '\n'
            << "never:          flag values, arguments, error messages, paths, user names\n"
            << "sent to:        " << (s.endpoint_host.empty() ? "(no endpoint)" : s.endpoint_host) << '\n'
            << "anonymous id:   " << (s.anonymous_id.empty() ? "(none yet)" : s.anonymous_id) << '\n'
            << "state dir:      " << s.state_dir.string() << '\n'
            << "pending:        " << s.pending_events << " event(s) spooled in " << s.spool_files << " file(s), "
            << s.spool_bytes << " bytes"
            << (s.spool_unreadable ? ", " + std::to_string(s.spool_unreadable) + " entry(ies) not regular files, left alone"
                                   : std::string())
            << '\n'
            << "drainer:        "
            << (s.drainer_running ? "running (pid " + std::to_string(s.drainer_pid) + "), delivering the spool"
                : !s.handoff_enabled ? std::string("off (FLOWTRACK_NO_TELEMETRY_HANDOFF): the exit waits up to its deadline")
                                     : std::string("none running"))
            << '\n'
            << "last delivery:  " << state.last_delivery() << '\n';
  for (const auto& problem : s.config_problems) std::cout << "problem:        " << problem << '\n';
  std::cout << "docs:           " << s.docs << '\n';
  return 0;
}

}  // namespace demo
