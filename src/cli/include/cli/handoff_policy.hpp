// The handoff's decisions, without I/O: how long the facade's close tries to deliver, and what
// it does with what is left. Table-tested in tests/unit/cli/handoff_policy_test.cpp; the facade
// (telemetry.cpp) carries out the steps.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "flowtrack/cli/handoff.hpp"

namespace flowtrack::cli::detail {

struct close_facts {
  bool handoff_enabled = true;
  bool has_state_dir = true;      ///< a spool directory the drainer can read
  bool has_drainer = true;        ///< a drainer program: the hook was called, or one is configured
  bool drainer_running = false;   ///< drainer.lock is held
  bool handoff_unconfirmed = false;  ///< the last handoff's events were not yet delivered (its mark)
  std::chrono::milliseconds grace{200};
  std::chrono::milliseconds timeout{3000};  ///< the caller's close deadline
};

struct close_plan {
  std::chrono::milliseconds close_for{0};  ///< the client's close timeout
  bool hand_off = false;                   ///< what is left is spooled and handed to a drainer
  handoff_outcome outcome_without = handoff_outcome::none;  ///< when !hand_off: why not
  std::string_view why;                    ///< for DEBUG=1: why this close_for
};
close_plan plan_close(const close_facts& f) noexcept;

enum class handoff_step {
  finish,         ///< nothing to start: the outcome is final
  start_drainer,  ///< take drainer.lock; start a drainer with it, or leave the rest to its holder
};
struct handoff_decision {
  handoff_step step = handoff_step::finish;
  handoff_outcome outcome = handoff_outcome::none;  ///< final when step is finish
};
/// After the close: `spooled` and `pending` from its report.
handoff_decision decide_handoff(const close_plan& plan, std::uint64_t spooled, std::uint64_t pending) noexcept;
/// After start_drainer: whether drainer.lock was taken, and whether the drainer started.
handoff_outcome outcome_of_start(bool lock_taken, bool spawned) noexcept;
/// Whether the outcome leaves events for a drainer (so the next close skips its grace).
bool leaves_events_for_drainer(handoff_outcome o) noexcept;

}  // namespace flowtrack::cli::detail
