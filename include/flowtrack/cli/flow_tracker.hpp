// FlowTracker: follows a user through a multi-step flow and emits one event per move, with the
// direction of the move and the time since the flow started.
//
//   cli::flow_tracker f{*t, deploy_flow};
//   f.enter(validate); f.enter(build); ... f.finish(cli::flow_outcome::completed);
//
// Each call emits its event synchronously through telemetry::track (errors, e.g. a full queue,
// are ignored: telemetry never fails the flow). Not thread-safe: use one tracker from one
// coroutine or thread. Call finish() on every path; a tracker destroyed unfinished emits nothing.
// `t` must outlive the tracker.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "flowtrack/cli/events.hpp"
#include "flowtrack/cli/telemetry.hpp"

namespace flowtrack::cli {

class flow_tracker {
 public:
  using clock_fn = std::function<std::chrono::steady_clock::time_point()>;

  /// Emits "Flow Started". `clock` is injectable for tests (default: steady_clock::now).
  flow_tracker(telemetry& t, flow f, clock_fn clock = {});

  /// Moves to `s`: emits "Flow Step" with flow, step, step_order, previous_step (not on the
  /// first step), direction (forward on the first step; then forward / back / repeat by the
  /// steps' order) and elapsed_ms (since the flow started). Ignored after finish().
  void enter(const step& s);

  /// Emits "Flow Completed" with outcome, duration_ms, last step, steps entered and, on
  /// failure, `error_class`. Only the first call emits anything.
  void finish(flow_outcome outcome, std::string_view error_class = {});

  /// The step last entered; nullopt before the first enter().
  std::optional<step> current_step() const { return current_; }
  /// Time since the flow started (by the tracker's clock), also after finish().
  std::chrono::milliseconds duration() const;
  int steps_entered() const noexcept { return steps_entered_; }

 private:
  telemetry& telemetry_;
  flow flow_;
  clock_fn clock_;
  std::chrono::steady_clock::time_point started_;
  std::optional<step> current_;
  int steps_entered_ = 0;
  bool finished_ = false;
};

}  // namespace flowtrack::cli
