// The first-run notice and the consent gate in front of sending.
//
// Before a CLI sends anything, its user is told once, on stderr, what is collected and how to
// opt out. The invocation that shows the notice sends nothing (and leaves no spool); a mark in
// the state directory says it was shown, and the next invocations send. decide_notice() is the
// whole rule, as a pure function; make_telemetry() gathers its facts and carries it out.
//
// The rule (first matching row wins):
//   opted out (DO_NOT_TRACK, <APP>_TELEMETRY_DISABLED, `telemetry disable`) -> off: no notice,
//       nothing sent, nothing written
//   the mark exists                                                         -> send
//   <APP>_NO_TELEMETRY_NOTICE set (the user has read it: CI images, test rigs) -> send, no notice,
//       no mark (unset the variable and the notice shows on the next run)
//   CI detected and stderr is not a terminal                                -> hold: nobody can
//       read a notice there, so nothing is shown, sent or written; telemetry stays off in such
//       jobs until the variable above acknowledges the notice
//   otherwise (a terminal, or a script whose stderr goes to a log)          -> show the notice,
//       write the mark, send nothing this invocation
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace flowtrack::cli {

/// What decide_notice() looks at.
struct notice_facts {
  bool opted_out = false;           ///< DO_NOT_TRACK, <APP>_TELEMETRY_DISABLED or the setting
  bool notice_shown = false;        ///< the mark is in the state directory
  bool hidden = false;              ///< <APP>_NO_TELEMETRY_NOTICE
  bool in_ci = false;               ///< running_in_ci()
  bool stderr_is_terminal = false;  ///< isatty(STDERR_FILENO)
};

enum class notice_action {
  off,            ///< opted out: no notice, nothing sent, nothing written
  send,           ///< the notice was shown before (or hidden on purpose): send
  show_and_hold,  ///< show it now, write the mark, send nothing this invocation
  hold,           ///< CI without a terminal: show nothing, send nothing, write nothing
};
std::string_view to_string(notice_action a) noexcept;

notice_action decide_notice(const notice_facts& facts) noexcept;

/// Whether `a` lets this invocation send events.
constexpr bool sends(notice_action a) noexcept { return a == notice_action::send; }

/// The variable that hides the notice: `<prefix>_NO_TELEMETRY_NOTICE`.
std::string notice_hide_variable(std::string_view env_prefix);

/// The default notice text (several lines, ending in '\n'): what is collected, that this run
/// sends nothing, how to opt out (`<prefix>_TELEMETRY_DISABLED`, DO_NOT_TRACK,
/// `<app> telemetry disable`), how to hide it, and `docs` when not empty.
std::string default_notice_text(std::string_view app_name, std::string_view env_prefix, std::string_view docs = {});

}  // namespace flowtrack::cli
