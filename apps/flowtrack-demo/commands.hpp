// flowtrack-demo's commands. Each is a coroutine returning an exit code; failures throw typed
// errors (their type is what telemetry reports, never their message).
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <asio/awaitable.hpp>
#include <flowtrack/cli/events.hpp>
#include <flowtrack/cli/line_input.hpp>
#include <flowtrack/cli/telemetry.hpp>

#include "demo_state.hpp"

namespace demo {

/// A deploy step failed (--fail-at). Its type, demo::deploy_error, is the error_class; its
/// message ("deploy failed at upload: ...") is for the user's terminal only.
struct deploy_error : std::runtime_error {
  deploy_error(std::string_view step, const std::string& detail)
      : std::runtime_error("deploy failed at " + std::string(step) + ": " + detail) {}
};

inline constexpr flowtrack::cli::flow deploy_flow{"deploy"};
inline constexpr flowtrack::cli::step deploy_steps[] = {{1, "validate"}, {2, "build"}, {3, "upload"}, {4, "release"}};

inline constexpr flowtrack::cli::flow wizard_flow{"wizard"};
inline constexpr flowtrack::cli::step wizard_steps[] = {{1, "name"}, {2, "region"}, {3, "confirm"}};

/// Runs the four deploy steps, each taking `step_time`; throws deploy_error at `fail_at`.
asio::awaitable<int> deploy(flowtrack::cli::telemetry& t, std::string name, std::optional<std::string> fail_at,
                            std::chrono::milliseconds step_time);

/// The interactive wizard. Reads one answer per line from `in`: a value moves forward,
/// "back" returns to the previous step, "quit" (or the end of the input) cancels; at
/// "confirm", "yes" finishes. The reads are cancellable, so Ctrl-C stops the wizard where it
/// waits: the flow ends `cancelled` and the command throws operation_aborted (quit and the end
/// of input: operation_canceled), which the runner reports as user_cancelled.
asio::awaitable<int> wizard(flowtrack::cli::telemetry& t, flowtrack::cli::line_input& in);

}  // namespace demo
