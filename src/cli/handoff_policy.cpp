#include "cli/handoff_policy.hpp"

#include <algorithm>

namespace flowtrack::cli {

std::string_view to_string(handoff_outcome o) noexcept {
  switch (o) {
    case handoff_outcome::none: return "none";
    case handoff_outcome::disabled: return "handoff disabled: the close waited up to its timeout";
    case handoff_outcome::no_drainer: return "no drainer program: the close waited up to its timeout";
    case handoff_outcome::no_state_dir: return "no state directory: the close waited up to its timeout";
    case handoff_outcome::delivered: return "delivered within the grace: no drainer";
    case handoff_outcome::drainer_started: return "spooled and handed to a new drainer";
    case handoff_outcome::drainer_running: return "spooled for the drainer already running";
    case handoff_outcome::spawn_failed: return "spooled, but no drainer could start: the next run sends it";
    case handoff_outcome::not_spooled: return "not delivered and not spooled (see the spool error)";
  }
  return "unknown";
}

namespace detail {

close_plan plan_close(const close_facts& f) noexcept {
  const auto timeout = std::max(f.timeout, std::chrono::milliseconds(0));
  if (!f.handoff_enabled)
    return {.close_for = timeout, .hand_off = false, .outcome_without = handoff_outcome::disabled, .why = "handoff disabled"};
  if (!f.has_drainer)
    return {.close_for = timeout, .hand_off = false, .outcome_without = handoff_outcome::no_drainer,
            .why = "no drainer program (run_drainer_if_requested() not called)"};
  if (!f.has_state_dir)
    return {.close_for = timeout, .hand_off = false, .outcome_without = handoff_outcome::no_state_dir, .why = "no state directory"};
  if (f.drainer_running)
    return {.close_for = std::chrono::milliseconds(0), .hand_off = true, .why = "a drainer is running: no grace"};
  if (f.handoff_unconfirmed)
    return {.close_for = std::chrono::milliseconds(0), .hand_off = true,
            .why = "the last handoff is not delivered yet: no grace"};
  return {.close_for = std::clamp(f.grace, std::chrono::milliseconds(0), timeout), .hand_off = true, .why = "grace"};
}

handoff_decision decide_handoff(const close_plan& plan, std::uint64_t spooled, std::uint64_t pending) noexcept {
  if (!plan.hand_off) return {handoff_step::finish, plan.outcome_without};
  if (spooled > 0) return {handoff_step::start_drainer, handoff_outcome::none};
  return {handoff_step::finish, pending > 0 ? handoff_outcome::not_spooled : handoff_outcome::delivered};
}

handoff_outcome outcome_of_start(bool lock_taken, bool spawned) noexcept {
  if (!lock_taken) return handoff_outcome::drainer_running;
  return spawned ? handoff_outcome::drainer_started : handoff_outcome::spawn_failed;
}

bool leaves_events_for_drainer(handoff_outcome o) noexcept {
  return o == handoff_outcome::drainer_started || o == handoff_outcome::drainer_running;
}

}  // namespace detail
}  // namespace flowtrack::cli
