#include "flowtrack/cli/notice.hpp"

namespace flowtrack::cli {

std::string_view to_string(notice_action a) noexcept {
  switch (a) {
    case notice_action::off: return "off";
    case notice_action::send: return "send";
    case notice_action::show_and_hold: return "show_and_hold";
    case notice_action::hold: return "hold";
  }
  return "off";
}

notice_action decide_notice(const notice_facts& f) noexcept {
  if (f.opted_out) return notice_action::off;
  if (f.notice_shown || f.hidden) return notice_action::send;
  if (f.in_ci && !f.stderr_is_terminal) return notice_action::hold;
  return notice_action::show_and_hold;
}

std::string notice_hide_variable(std::string_view env_prefix) {
  return std::string(env_prefix) + "_NO_TELEMETRY_NOTICE";
}

std::string default_notice_text(std::string_view app_name, std::string_view env_prefix, std::string_view docs) {
  const std::string app(app_name);
  const std::string prefix(env_prefix);
  std::string text = app + " collects anonymous usage data: which commands run, their flag names (never\n"
                           "values), success, exit code, duration and error types (never messages).\n"
                           "Nothing was sent this time; it starts with the next command.\n"
                           "Opt out with DO_NOT_TRACK=1, " +
                     prefix + "_TELEMETRY_DISABLED=1 or `" + app + " telemetry disable`;\n" +
                     "hide this notice with " + notice_hide_variable(prefix) + "=1.\n";
  if (!docs.empty()) text += "Details: " + std::string(docs) + "\n";
  return text;
}

}  // namespace flowtrack::cli
