#include "flowtrack/cli/notice.hpp"

namespace flowtrack::cli {

std::string notice_variable(std::string_view prefix) { return std::string(prefix) + "_NO_TELEMETRY_NOTICE"; }

std::string default_notice_text(std::string_view app, std::string_view prefix) {
  const std::string a(app), p(prefix);
  return a + " collects anonymous usage data to improve the tool: which commands run, their flag names\n"
             "(never values), success, exit code, duration and error types (never messages), the app\n"
             "version, OS and architecture. Nothing was sent this time; it starts with the next command.\n"
             "Opt out with DO_NOT_TRACK=1, " + p + "_TELEMETRY_DISABLED=1 or `" + a + " telemetry disable`;\n"
             "`" + a + " telemetry status` shows what is collected. " + notice_variable(p) + "=1 hides this notice.\n";
}

}  // namespace flowtrack::cli
