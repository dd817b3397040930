// The handoff's decisions as tables: how long the facade's close tries, and what it does with
// what the close left.
#include "cli/handoff_policy.hpp"

#include <gtest/gtest.h>

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;
using cli::handoff_outcome;
using cli::detail::handoff_step;

TEST(HandoffPlan, EachRowOfTheTable) {
  struct row {
    bool enabled, state_dir, drainer_program, running, unconfirmed;
    std::chrono::milliseconds grace, timeout;
    std::chrono::milliseconds close_for;
    bool hand_off;
    handoff_outcome without;
  };
  const row table[] = {
      // healthy path: the grace, capped by the caller's deadline
      {true, true, true, false, false, 200ms, 3000ms, 200ms, true, handoff_outcome::none},
      {true, true, true, false, false, 200ms, 50ms, 50ms, true, handoff_outcome::none},
      {true, true, true, false, false, 0ms, 3000ms, 0ms, true, handoff_outcome::none},
      {true, true, true, false, false, 200ms, -5ms, 0ms, true, handoff_outcome::none},
      // the network is known to be bad: no grace
      {true, true, true, true, false, 200ms, 3000ms, 0ms, true, handoff_outcome::none},
      {true, true, true, false, true, 200ms, 3000ms, 0ms, true, handoff_outcome::none},
      {true, true, true, true, true, 200ms, 3000ms, 0ms, true, handoff_outcome::none},
      // no handoff possible or wanted: the whole deadline, as a plain client close
      {false, true, true, true, true, 200ms, 3000ms, 3000ms, false, handoff_outcome::disabled},
      {true, false, true, false, false, 200ms, 3000ms, 3000ms, false, handoff_outcome::no_state_dir},
      {true, true, false, true, false, 200ms, 3000ms, 3000ms, false, handoff_outcome::no_drainer},
      {false, false, false, false, false, 200ms, 1000ms, 1000ms, false, handoff_outcome::disabled},
  };
  for (const auto& r : table) {
    const auto plan = cli::detail::plan_close({.handoff_enabled = r.enabled,
                                               .has_state_dir = r.state_dir,
                                               .has_drainer = r.drainer_program,
                                               .drainer_running = r.running,
                                               .handoff_unconfirmed = r.unconfirmed,
                                               .grace = r.grace,
                                               .timeout = r.timeout});
    const auto where = ::testing::Message() << "enabled " << r.enabled << " dir " << r.state_dir << " program "
                                            << r.drainer_program << " running " << r.running << " unconfirmed "
                                            << r.unconfirmed << " grace " << r.grace.count() << " timeout "
                                            << r.timeout.count();
    EXPECT_EQ(plan.close_for, r.close_for) << where;
    EXPECT_EQ(plan.hand_off, r.hand_off) << where;
    if (!r.hand_off) EXPECT_EQ(plan.outcome_without, r.without) << where;
    EXPECT_FALSE(plan.why.empty()) << where;
  }
}

TEST(HandoffDecision, AfterTheClose) {
  const auto handing = cli::detail::plan_close({});
  const auto plain = cli::detail::plan_close({.handoff_enabled = false});
  struct row {
    bool hand_off;
    std::uint64_t spooled, pending;
    handoff_step step;
    handoff_outcome outcome;
  };
  const row table[] = {
      {true, 0, 0, handoff_step::finish, handoff_outcome::delivered},      // all settled: no drainer
      {true, 3, 0, handoff_step::start_drainer, handoff_outcome::none},    // spooled: a drainer
      {true, 3, 2, handoff_step::start_drainer, handoff_outcome::none},    // part spooled
      {true, 0, 2, handoff_step::finish, handoff_outcome::not_spooled},    // nothing spooled: nothing to hand off
      {false, 3, 0, handoff_step::finish, handoff_outcome::disabled},
      {false, 0, 0, handoff_step::finish, handoff_outcome::disabled},
  };
  for (const auto& r : table) {
    const auto d = cli::detail::decide_handoff(r.hand_off ? handing : plain, r.spooled, r.pending);
    EXPECT_EQ(d.step, r.step) << r.hand_off << " " << r.spooled << " " << r.pending;
    if (d.step == handoff_step::finish) EXPECT_EQ(d.outcome, r.outcome) << r.hand_off << " " << r.spooled << " " << r.pending;
  }
}

TEST(HandoffDecision, StartingADrainer) {
  EXPECT_EQ(cli::detail::outcome_of_start(true, true), handoff_outcome::drainer_started);
  EXPECT_EQ(cli::detail::outcome_of_start(true, false), handoff_outcome::spawn_failed);
  EXPECT_EQ(cli::detail::outcome_of_start(false, false), handoff_outcome::drainer_running);  // its holder drains
  for (auto o : {handoff_outcome::drainer_started, handoff_outcome::drainer_running})
    EXPECT_TRUE(cli::detail::leaves_events_for_drainer(o));
  for (auto o : {handoff_outcome::none, handoff_outcome::disabled, handoff_outcome::no_drainer, handoff_outcome::no_state_dir,
                 handoff_outcome::delivered, handoff_outcome::spawn_failed, handoff_outcome::not_spooled}) {
    EXPECT_FALSE(cli::detail::leaves_events_for_drainer(o));
    EXPECT_NE(cli::to_string(o), "unknown");
  }
}

}  // namespace
}  // namespace flowtrack::test
