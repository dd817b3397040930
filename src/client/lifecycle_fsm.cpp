#include "client/lifecycle_fsm.hpp"

#include <algorithm>

namespace flowtrack::detail {
namespace {

using action = lifecycle_action;
using type = lifecycle_action_type;

action to_spooling(lifecycle_state& st) {
  st.phase = lifecycle_phase::spooling;
  return {type::spool, st.spool_by};
}

action to_aborting(lifecycle_state& st, std::chrono::steady_clock::time_point now) {
  st.phase = lifecycle_phase::aborting;
  st.wait_ends_at = now + st.settings.abort_grace;
  return {type::abort, st.wait_ends_at};
}

}  // namespace

const char* to_string(lifecycle_phase p) noexcept {
  switch (p) {
    case lifecycle_phase::open: return "open";
    case lifecycle_phase::draining: return "draining";
    case lifecycle_phase::aborting: return "aborting";
    case lifecycle_phase::spooling: return "spooling";
    case lifecycle_phase::closed: return "closed";
  }
  return "unknown";
}

lifecycle_action resume(lifecycle_state& st, lifecycle_event event, const lifecycle_facts& facts,
                        std::chrono::steady_clock::time_point now, std::chrono::milliseconds timeout) {
  const auto& s = st.settings;
  switch (st.phase) {
    case lifecycle_phase::open:
      if (event == lifecycle_event::close_requested) {
        timeout = std::max(timeout, std::chrono::milliseconds::zero());
        st.deadline = now + timeout;
        st.stop_sending_at = facts.spool_available ? st.deadline - std::min(s.spool_reserve, timeout / 2) : st.deadline;
        st.spool_by = st.deadline;
        st.wait_ends_at = st.stop_sending_at;
        st.phase = lifecycle_phase::draining;
        return {type::start_draining, st.stop_sending_at};
      }
      break;
    case lifecycle_phase::draining:
      switch (event) {
        case lifecycle_event::progress:
          if (facts.all_settled || !facts.sending) return to_spooling(st);
          return {type::wait_until, st.stop_sending_at};
        case lifecycle_event::time_reached:
          st.deadline_reached = true;
          return to_aborting(st, now);
        case lifecycle_event::cancelled:
          st.cancelled = true;
          st.spool_by = std::min(st.deadline, now + s.cancel_budget);
          return to_aborting(st, now);
        default:
          break;
      }
      break;
    case lifecycle_phase::aborting:
      switch (event) {
        case lifecycle_event::progress:
          if (!facts.senders_running) return to_spooling(st);
          return {type::wait_until, st.wait_ends_at};
        case lifecycle_event::time_reached:
          return to_spooling(st);
        default:
          break;
      }
      break;
    case lifecycle_phase::spooling:
      if (event == lifecycle_event::spooled) {
        st.phase = lifecycle_phase::closed;
        return {type::complete, {}};
      }
      return {};
    case lifecycle_phase::closed:
      return {};
  }
  if (event == lifecycle_event::destroyed) {
    st.spool_by = now + s.spool_reserve;
    return to_spooling(st);
  }
  return {};
}

}  // namespace flowtrack::detail
