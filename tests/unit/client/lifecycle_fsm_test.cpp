// Table tests of the client's lifecycle machine: each row steps one machine through events
// with the client's facts of that moment, and compares every action and the phase after it.
#include "client/lifecycle_fsm.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace flowtrack::detail {
namespace {

using namespace std::chrono_literals;
using time_point = std::chrono::steady_clock::time_point;
using ev = lifecycle_event;
using ph = lifecycle_phase;
using act = lifecycle_action_type;

const time_point t0{std::chrono::hours(1)};

const lifecycle_facts idle{};  // all settled, nothing sending
const lifecycle_facts busy{.all_settled = false, .sending = true, .senders_running = true};
const lifecycle_facts busy_spool{.all_settled = false, .sending = true, .senders_running = true, .spool_available = true};
// Batches left for the spool: unsettled, but nothing queued or in flight.
const lifecycle_facts left_for_spool{.all_settled = false, .sending = false, .senders_running = false, .spool_available = true};
const lifecycle_facts aborted_senders_gone{.all_settled = false, .sending = true, .senders_running = false};

struct step {
  ev event;
  lifecycle_facts facts;
  std::chrono::milliseconds at;  // virtual time from t0
  act expected;
  std::chrono::milliseconds expected_time;  // from t0; ignored for none/complete
  ph phase_after;
};

struct row {
  std::string name;
  std::chrono::milliseconds timeout;
  std::vector<step> steps;
  bool deadline_reached = false;
  bool cancelled = false;
};

TEST(LifecycleFsm, Transitions) {
  const std::vector<row> rows = {
      {"nothing to send: straight to spooling and closed",
       1s,
       {{ev::close_requested, idle, 0ms, act::start_draining, 1000ms, ph::draining},
        {ev::progress, idle, 0ms, act::spool, 1000ms, ph::spooling},
        {ev::spooled, idle, 1ms, act::complete, 0ms, ph::closed}}},
      {"drains, then closes when all is settled",
       1s,
       {{ev::close_requested, busy, 0ms, act::start_draining, 1000ms, ph::draining},
        {ev::progress, busy, 0ms, act::wait_until, 1000ms, ph::draining},
        {ev::progress, busy, 10ms, act::wait_until, 1000ms, ph::draining},
        {ev::progress, idle, 20ms, act::spool, 1000ms, ph::spooling},
        {ev::spooled, idle, 21ms, act::complete, 0ms, ph::closed}}},
      {"the deadline aborts, the grace bounds the wait for senders",
       300ms,
       {{ev::close_requested, busy, 0ms, act::start_draining, 300ms, ph::draining},
        {ev::progress, busy, 0ms, act::wait_until, 300ms, ph::draining},
        {ev::time_reached, busy, 300ms, act::abort, 320ms, ph::aborting},
        {ev::time_reached, busy, 300ms, act::spool, 300ms, ph::spooling},
        {ev::spooled, busy, 301ms, act::complete, 0ms, ph::closed}},
       true},
      {"with a spool, sending stops spool_reserve before the deadline",
       1s,
       {{ev::close_requested, busy_spool, 0ms, act::start_draining, 950ms, ph::draining},
        {ev::time_reached, busy_spool, 950ms, act::abort, 970ms, ph::aborting},
        {ev::progress, aborted_senders_gone, 951ms, act::spool, 1000ms, ph::spooling},
        {ev::spooled, idle, 960ms, act::complete, 0ms, ph::closed}},
       true},
      {"the reserve is at most half a short timeout",
       40ms,
       {{ev::close_requested, busy_spool, 0ms, act::start_draining, 20ms, ph::draining}}},
      {"senders still running after the abort: wait out the grace",
       100ms,
       {{ev::close_requested, busy, 0ms, act::start_draining, 100ms, ph::draining},
        {ev::time_reached, busy, 100ms, act::abort, 120ms, ph::aborting},
        {ev::progress, busy, 101ms, act::wait_until, 120ms, ph::aborting},
        {ev::time_reached, busy, 120ms, act::spool, 100ms, ph::spooling}},
       true},
      {"batches left for the spool end the draining",
       3s,
       {{ev::close_requested, busy_spool, 0ms, act::start_draining, 2950ms, ph::draining},
        {ev::progress, left_for_spool, 5ms, act::spool, 3000ms, ph::spooling}}},
      {"cancellation aborts at once and cuts the spool's sync",
       3s,
       {{ev::close_requested, busy_spool, 0ms, act::start_draining, 2950ms, ph::draining},
        {ev::progress, busy_spool, 1ms, act::wait_until, 2950ms, ph::draining},
        {ev::cancelled, busy_spool, 200ms, act::abort, 220ms, ph::aborting},
        {ev::cancelled, busy_spool, 201ms, act::none, 0ms, ph::aborting},
        {ev::progress, busy_spool, 202ms, act::wait_until, 220ms, ph::aborting},
        {ev::progress, left_for_spool, 203ms, act::spool, 240ms, ph::spooling},
        {ev::spooled, idle, 210ms, act::complete, 0ms, ph::closed}},
       false,
       true},
      {"cancellation near the deadline keeps the deadline",
       100ms,
       {{ev::close_requested, busy, 0ms, act::start_draining, 100ms, ph::draining},
        {ev::cancelled, busy, 90ms, act::abort, 110ms, ph::aborting},
        {ev::time_reached, busy, 110ms, act::spool, 100ms, ph::spooling}},
       false,
       true},
      {"destroyed while open: spool at once, bounded by the reserve",
       0ms,
       {{ev::destroyed, busy_spool, 0ms, act::spool, 50ms, ph::spooling},
        {ev::spooled, idle, 1ms, act::complete, 0ms, ph::closed}}},
      {"destroyed while draining",
       1s,
       {{ev::close_requested, busy, 0ms, act::start_draining, 1000ms, ph::draining},
        {ev::destroyed, busy, 10ms, act::spool, 60ms, ph::spooling},
        {ev::time_reached, busy, 1000ms, act::none, 0ms, ph::spooling},
        {ev::spooled, idle, 11ms, act::complete, 0ms, ph::closed}}},
      {"closed ignores everything",
       1s,
       {{ev::close_requested, idle, 0ms, act::start_draining, 1000ms, ph::draining},
        {ev::progress, idle, 0ms, act::spool, 1000ms, ph::spooling},
        {ev::spooled, idle, 0ms, act::complete, 0ms, ph::closed},
        {ev::close_requested, idle, 1ms, act::none, 0ms, ph::closed},
        {ev::destroyed, idle, 1ms, act::none, 0ms, ph::closed},
        {ev::cancelled, idle, 1ms, act::none, 0ms, ph::closed}}},
      {"events before close are ignored",
       1s,
       {{ev::progress, busy, 0ms, act::none, 0ms, ph::open},
        {ev::time_reached, busy, 0ms, act::none, 0ms, ph::open},
        {ev::cancelled, busy, 0ms, act::none, 0ms, ph::open},
        {ev::spooled, busy, 0ms, act::none, 0ms, ph::open}}},
  };
  for (const auto& r : rows) {
    lifecycle_state st;
    st.settings = {.spool_reserve = 50ms, .abort_grace = 20ms, .cancel_budget = 40ms};
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
      const auto& s = r.steps[i];
      const auto a = resume(st, s.event, s.facts, t0 + s.at, r.timeout);
      EXPECT_EQ(a.type, s.expected) << r.name << ", step " << i;
      if (s.expected != act::none && s.expected != act::complete)
        EXPECT_EQ(a.time, t0 + s.expected_time) << r.name << ", step " << i;
      EXPECT_EQ(st.phase, s.phase_after) << r.name << ", step " << i << ": " << to_string(st.phase);
    }
    EXPECT_EQ(st.deadline_reached, r.deadline_reached) << r.name;
    EXPECT_EQ(st.cancelled, r.cancelled) << r.name;
  }
}

}  // namespace
}  // namespace flowtrack::detail
