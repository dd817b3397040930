// The first-run notice: consent before sending. Until the notice has been shown once (a mark
// in the state directory records it) or acknowledged with <APP>_NO_TELEMETRY_NOTICE, CLI
// telemetry sends nothing. make_telemetry() applies it; these are the pieces it is made of.
//
// - Interactive first run: the notice is printed on the diagnostics stream (stderr, never
//   stdout), the mark `<state dir>/notice_shown` is written, and that invocation sends nothing
//   and creates nothing else (no client, no spool, no anonymous id). The next one sends.
// - <APP>_NO_TELEMETRY_NOTICE=1: no notice, and telemetry is on (the variable is the
//   acknowledgment, e.g. an administrator's; like dotnet's DOTNET_NOLOGO). The mark is not
//   written: a user who unsets the variable later still sees the notice once.
// - CI (running_in_ci()) without a mark or the variable: no notice (nobody reads it, and a fresh
//   runner would print it into every build log) and, since no notice was shown, nothing is
//   sent. A pipeline that wants to send sets <APP>_NO_TELEMETRY_NOTICE=1.
// - When the mark cannot be written (no state directory, read-only), the notice shows on each
//   run and nothing is ever sent: consent that cannot be recorded is not assumed.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace flowtrack::cli {

enum class notice_action {
  none,              ///< shown before (or acknowledged): telemetry may send
  show_then_skip,    ///< show it, record the mark, send nothing this invocation
  skip_silently,     ///< CI: no notice possible, send nothing
};

struct notice_inputs {
  bool mark_present = false;   ///< `<state dir>/notice_shown` exists
  bool hidden_by_env = false;  ///< <APP>_NO_TELEMETRY_NOTICE is set (env_flag)
  bool in_ci = false;          ///< running_in_ci()
};

/// The decision, from the table in the comment above.
constexpr notice_action decide_notice(notice_inputs in) noexcept {
  if (in.mark_present || in.hidden_by_env) return notice_action::none;
  if (in.in_ci) return notice_action::skip_silently;
  return notice_action::show_then_skip;
}

/// The default notice text for `app` whose variables start with `prefix` ("MY_CLI"): what is
/// collected, what never is, how to opt out, how to hide the notice; ends with a newline.
std::string default_notice_text(std::string_view app, std::string_view prefix);

/// The name of the variable that hides the notice: "<prefix>_NO_TELEMETRY_NOTICE".
std::string notice_variable(std::string_view prefix);

}  // namespace flowtrack::cli
