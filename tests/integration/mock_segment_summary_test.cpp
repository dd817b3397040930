// Pure tests of mock-segment's summary (summary.hpp): over a recorded flowtrack-demo session
// (mock_segment_summary_session.json: login, deploy ok, deploy failing at upload, deploy
// cancelled with Ctrl-C, a wizard with `back`, as mock-segment accepted them) and over small
// tables of hand-made events: funnel counts, back moves, p50/p95, missing sequence numbers,
// cancelled vs failed, events from other clients, the query's filters and limits.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <random>

#include "store.hpp"
#include "summary.hpp"

namespace mock_segment {
namespace {

using json = nlohmann::json;

std::deque<event_record> records_of(const json& events) {
  std::deque<event_record> out;
  for (const auto& e : events) out.push_back(make_record(e, out.size() + 1));
  return out;
}

json recorded_session() {
  std::ifstream in(MOCK_SEGMENT_SUMMARY_SESSION);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// A flowtrack-style event: `props` plus invocation_id and sequence (0: none).
json ev(const char* name, const char* invocation, std::int64_t sequence, json props = json::object(),
        const char* time = "2026-12-01T10:00:00.000Z") {
  if (*invocation) props["invocation_id"] = invocation;
  if (sequence != 0) props["sequence"] = sequence;
  return {{"type", "track"}, {"event", name}, {"userId", "u"}, {"timestamp", time}, {"properties", props}};
}

const invocation_summary* find_row(const summary& s, const std::string& id) {
  for (const auto& row : s.invocations)
    if (row.id == id) return &row;
  return nullptr;
}
const command_summary* find_command(const summary& s, const std::string& name) {
  for (const auto& c : s.commands)
    if (c.command == name) return &c;
  return nullptr;
}
const flow_summary* find_flow(const summary& s, const std::string& name) {
  for (const auto& f : s.flows)
    if (f.flow == name) return &f;
  return nullptr;
}
std::vector<std::string> step_names(const flow_summary& f) {
  std::vector<std::string> out;
  for (const auto& st : f.steps) out.push_back(st.step);
  return out;
}
std::vector<std::int64_t> sequences(const invocation_summary& row) {
  std::vector<std::int64_t> out;
  for (const auto* e : row.events) out.push_back(e->sequence);
  return out;
}

// ---- the recorded demo session ----------------------------------------------------------------

TEST(MockSummary, RecordedSessionInvocationsInOrderWithOutcomes) {
  const auto records = records_of(recorded_session());
  const summary s = summarize(records, {});
  EXPECT_EQ(s.events_total, 31u);
  EXPECT_EQ(s.invocations_matched, 5u);
  EXPECT_EQ(s.ungrouped_matched, 0u);
  EXPECT_EQ(s.commands_seen, (std::vector<std::string>{"deploy", "login", "wizard"}));
  ASSERT_EQ(s.invocations.size(), 5u);
  struct expected {
    const char* command;
    run_outcome outcome;
    const char* error_class;
    std::int64_t exit_code, duration_ms;
    std::size_t events;
  };
  const expected table[] = {
      {"login", run_outcome::succeeded, "", 0, 2, 2},
      {"deploy", run_outcome::succeeded, "", 0, 84, 8},
      {"deploy", run_outcome::failed, "demo::deploy_error", 1, 65, 7},
      {"deploy", run_outcome::cancelled, "cancelled", 130, 494, 5},
      {"wizard", run_outcome::succeeded, "", 0, 0, 9},
  };
  for (std::size_t i = 0; i < std::size(table); ++i) {
    SCOPED_TRACE(i);
    const auto& row = s.invocations[i];
    EXPECT_EQ(row.command, table[i].command);
    EXPECT_EQ(row.outcome, table[i].outcome);
    EXPECT_EQ(row.error_class, table[i].error_class);
    EXPECT_EQ(row.exit_code, table[i].exit_code);
    EXPECT_EQ(row.duration_ms, table[i].duration_ms);
    ASSERT_EQ(row.events.size(), table[i].events);
    EXPECT_EQ(row.events.front()->event, "Command Invoked");
    EXPECT_EQ(row.events.back()->event, "Command Completed");
    for (std::size_t k = 0; k < row.events.size(); ++k) EXPECT_EQ(row.events[k]->sequence, std::int64_t(k + 1));
    EXPECT_TRUE(row.missing.empty());
    EXPECT_EQ(row.missing_count, 0u);
    EXPECT_FALSE(row.id.empty());
    ASSERT_TRUE(row.first_ms && row.last_ms);
    EXPECT_LE(*row.first_ms, *row.last_ms);
    if (i > 0) EXPECT_LE(*s.invocations[i - 1].first_ms, *row.first_ms);
  }
}

TEST(MockSummary, RecordedSessionCommands) {
  const auto records = records_of(recorded_session());
  const summary s = summarize(records, {});
  ASSERT_EQ(s.commands.size(), 3u);
  const auto* deploy = find_command(s, "deploy");
  ASSERT_NE(deploy, nullptr);
  EXPECT_EQ(deploy->runs, 3u);
  EXPECT_EQ(deploy->succeeded, 1u);
  EXPECT_EQ(deploy->failed, 1u);
  EXPECT_EQ(deploy->cancelled, 1u);
  EXPECT_EQ(deploy->unknown, 0u);
  ASSERT_TRUE(deploy->success_rate);
  EXPECT_DOUBLE_EQ(*deploy->success_rate, 1.0 / 3.0);
  EXPECT_EQ(deploy->p50_ms, 84);   // of 65, 84, 494: rank ceil(1.5) = 2
  EXPECT_EQ(deploy->p95_ms, 494);  // rank ceil(2.85) = 3
  using ec = std::pair<std::string, std::size_t>;
  EXPECT_EQ(deploy->error_classes, (std::vector<ec>{{"cancelled", 1}, {"demo::deploy_error", 1}}));
  const auto* login = find_command(s, "login");
  ASSERT_NE(login, nullptr);
  EXPECT_EQ(login->runs, 1u);
  EXPECT_EQ(login->success_rate, 1.0);
  EXPECT_EQ(login->p50_ms, 2);
  EXPECT_EQ(login->p95_ms, 2);
  EXPECT_TRUE(login->error_classes.empty());
}

TEST(MockSummary, RecordedSessionFunnels) {
  const auto records = records_of(recorded_session());
  const summary s = summarize(records, {});
  ASSERT_EQ(s.flows.size(), 2u);
  const auto* deploy = find_flow(s, "deploy");
  ASSERT_NE(deploy, nullptr);
  EXPECT_EQ(deploy->sessions, 3u);
  EXPECT_EQ(deploy->completed, 1u);
  EXPECT_EQ(deploy->failed, 1u);
  EXPECT_EQ(deploy->cancelled, 1u);
  EXPECT_EQ(deploy->unfinished, 0u);
  EXPECT_EQ(deploy->back_moves, 0u);
  ASSERT_EQ(step_names(*deploy), (std::vector<std::string>{"validate", "build", "upload", "release"}));
  struct expected {
    std::size_t reached, drop_off, failed, cancelled;
  };
  const expected steps[] = {{3, 1, 0, 1}, {2, 0, 0, 0}, {2, 1, 1, 0}, {1, 0, 0, 0}};
  for (std::size_t i = 0; i < std::size(steps); ++i) {
    SCOPED_TRACE(deploy->steps[i].step);
    EXPECT_EQ(deploy->steps[i].order, std::int64_t(i + 1));
    EXPECT_EQ(deploy->steps[i].reached, steps[i].reached);
    EXPECT_EQ(deploy->steps[i].drop_off, steps[i].drop_off);
    EXPECT_EQ(deploy->steps[i].drop_off_failed, steps[i].failed);
    EXPECT_EQ(deploy->steps[i].drop_off_cancelled, steps[i].cancelled);
    EXPECT_EQ(deploy->steps[i].back_from + deploy->steps[i].back_to, 0u);
  }

  const auto* wizard = find_flow(s, "wizard");
  ASSERT_NE(wizard, nullptr);
  EXPECT_EQ(wizard->sessions, 1u);
  EXPECT_EQ(wizard->completed, 1u);
  EXPECT_EQ(wizard->back_moves, 1u);
  ASSERT_EQ(step_names(*wizard), (std::vector<std::string>{"name", "region", "confirm"}));
  EXPECT_EQ(wizard->steps[0].reached, 1u);  // name: entered twice, one session
  EXPECT_EQ(wizard->steps[0].entries, 2u);
  EXPECT_EQ(wizard->steps[0].back_to, 1u);
  EXPECT_EQ(wizard->steps[1].entries, 2u);  // region: left backwards once
  EXPECT_EQ(wizard->steps[1].back_from, 1u);
  EXPECT_EQ(wizard->steps[1].back_to, 0u);
  EXPECT_EQ(wizard->steps[2].reached, 1u);
  for (const auto& st : wizard->steps) EXPECT_EQ(st.drop_off, 0u);
}

TEST(MockSummary, RecordedSessionWithLostEventsShowsTheGaps) {
  json events = recorded_session();
  // Lose the failing deploy's "Flow Step upload" (sequence 5) and the wizard's first event.
  json kept = json::array();
  for (const auto& e : events) {
    const auto& p = e["properties"];
    if (p.value("step", "") == "upload" && p["sequence"] == 5 && p["invocation_id"] == events[10]["properties"]["invocation_id"])
      continue;
    if (e["event"] == "Command Invoked" && p["command"] == "wizard") continue;
    kept.push_back(e);
  }
  ASSERT_EQ(kept.size(), 29u);
  const auto records = records_of(kept);
  const summary s = summarize(records, {});
  ASSERT_EQ(s.invocations.size(), 5u);
  EXPECT_EQ(s.invocations[2].missing, (std::vector<std::int64_t>{5}));
  EXPECT_EQ(s.invocations[4].missing, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(s.invocations[4].command, "wizard");  // still known, from Command Completed
  // The failing deploy's furthest step is now build: the funnel says what arrived.
  const auto* deploy = find_flow(s, "deploy");
  ASSERT_NE(deploy, nullptr);
  EXPECT_EQ(deploy->steps[2].reached, 1u);
  EXPECT_EQ(deploy->steps[1].drop_off_failed, 1u);
}

// ---- missing sequence numbers and replays -----------------------------------------------------

TEST(MockSummary, MissingSequenceNumbers) {
  struct row {
    std::vector<std::int64_t> arrived;
    std::vector<std::int64_t> missing;
    std::size_t missing_count;
  };
  const row table[] = {
      {{1, 2, 3}, {}, 0},       {{3, 1, 2}, {}, 0},          {{1, 2, 4}, {3}, 1},   {{2, 3}, {1}, 1},
      {{5}, {1, 2, 3, 4}, 4},   {{1, 4, 7}, {2, 3, 5, 6}, 4}, {{1, 1, 3}, {2}, 1},  {{6, 2, 4}, {1, 3, 5}, 3},
  };
  for (const auto& r : table) {
    json events = json::array();
    for (auto n : r.arrived) events.push_back(ev("E", "inv", n));
    const auto records = records_of(events);
    const summary s = summarize(records, {});
    ASSERT_EQ(s.invocations.size(), 1u);
    EXPECT_EQ(s.invocations[0].missing, r.missing) << ::testing::PrintToString(r.arrived);
    EXPECT_EQ(s.invocations[0].missing_count, r.missing_count);
    auto sorted = r.arrived;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sequences(s.invocations[0]), sorted);
  }
}

TEST(MockSummary, AHugeGapIsCountedNotListed) {
  const auto records = records_of(json::array({ev("E", "inv", 1), ev("E", "inv", 1000000)}));
  const summary s = summarize(records, {});
  EXPECT_EQ(s.invocations[0].missing_count, 999998u);
  ASSERT_EQ(s.invocations[0].missing.size(), missing_limit);
  EXPECT_EQ(s.invocations[0].missing.front(), 2);
  EXPECT_EQ(s.invocations[0].missing.back(), std::int64_t(missing_limit + 1));
}

TEST(MockSummary, AReplayIsADuplicateNotAGapOrASecondEvent) {
  json a = ev("E", "inv", 1), b = ev("E", "inv", 2), b_again = b, other = ev("E", "inv", 2);
  a["messageId"] = "m1";
  b["messageId"] = b_again["messageId"] = "m2";
  other["messageId"] = "m3";  // the same sequence from another message: both shown
  const auto records = records_of(json::array({a, b, b_again, other}));
  const summary s = summarize(records, {});
  ASSERT_EQ(s.invocations.size(), 1u);
  EXPECT_EQ(s.invocations[0].duplicates, 1u);
  EXPECT_EQ(sequences(s.invocations[0]), (std::vector<std::int64_t>{1, 2, 2}));
  EXPECT_TRUE(s.invocations[0].missing.empty());
}

// ---- outcomes: cancelled vs failed ------------------------------------------------------------

TEST(MockSummary, OutcomeFromCommandCompleted) {
  struct row {
    json completed;  // null: no Command Completed
    run_outcome outcome;
    const char* error_class;
  };
  const row table[] = {
      {{{"succeeded", true}, {"exit_code", 0}}, run_outcome::succeeded, ""},
      {{{"exit_code", 0}}, run_outcome::succeeded, ""},  // another client: no `succeeded`
      {{{"succeeded", false}, {"exit_code", 130}, {"error_class", "cancelled"}, {"user_cancelled", true}},
       run_outcome::cancelled, "cancelled"},
      {{{"succeeded", false}, {"error_class", "cancelled"}}, run_outcome::cancelled, "cancelled"},
      {{{"succeeded", false}, {"error_class", "app::quit"}, {"user_cancelled", true}}, run_outcome::cancelled,
       "app::quit"},
      {{{"succeeded", false}, {"exit_code", 1}, {"error_class", "demo::deploy_error"}, {"user_cancelled", false}},
       run_outcome::failed, "demo::deploy_error"},
      {{{"succeeded", false}, {"exit_code", 130}, {"error_class", "exit_code"}}, run_outcome::failed, "exit_code"},
      {{{"exit_code", 2}}, run_outcome::failed, ""},
      {{{"succeeded", "yes"}}, run_outcome::failed, ""},  // not a boolean, no exit_code 0
      {nullptr, run_outcome::unknown, ""},
  };
  for (const auto& r : table) {
    SCOPED_TRACE(r.completed.dump());
    json events = json::array({ev("Command Invoked", "inv", 1, {{"command", "c"}})});
    if (!r.completed.is_null()) {
      json props = r.completed;
      props["command"] = "c";
      events.push_back(ev("Command Completed", "inv", 2, props));
    }
    const auto records = records_of(events);
    const summary s = summarize(records, {});
    ASSERT_EQ(s.invocations.size(), 1u);
    EXPECT_EQ(s.invocations[0].outcome, r.outcome);
    EXPECT_EQ(s.invocations[0].error_class, r.error_class);
    ASSERT_EQ(s.commands.size(), 1u);
    EXPECT_EQ(s.commands[0].runs, 1u);
    EXPECT_EQ(s.commands[0].succeeded, r.outcome == run_outcome::succeeded ? 1u : 0u);
    EXPECT_EQ(s.commands[0].failed, r.outcome == run_outcome::failed ? 1u : 0u);
    EXPECT_EQ(s.commands[0].cancelled, r.outcome == run_outcome::cancelled ? 1u : 0u);
    EXPECT_EQ(s.commands[0].unknown, r.outcome == run_outcome::unknown ? 1u : 0u);
    EXPECT_EQ(s.commands[0].success_rate.has_value(), r.outcome != run_outcome::unknown);
  }
}

// ---- p50 / p95 --------------------------------------------------------------------------------

TEST(MockSummary, NearestRankPercentiles) {
  auto range = [](std::int64_t n) {
    std::vector<std::int64_t> v;
    for (std::int64_t i = 1; i <= n; ++i) v.push_back(i * 10);
    return v;
  };
  struct row {
    std::vector<std::int64_t> sorted;
    std::optional<std::int64_t> p50, p95;
  };
  const row table[] = {
      {{}, std::nullopt, std::nullopt},
      {{7}, 7, 7},
      {{1, 2}, 1, 2},
      {{1, 2, 3}, 2, 3},
      {range(10), 50, 100},
      {range(20), 100, 190},
      {range(21), 110, 200},
      {range(100), 500, 950},
      {{5, 5, 5, 900}, 5, 900},
  };
  for (const auto& r : table) {
    SCOPED_TRACE(::testing::PrintToString(r.sorted));
    EXPECT_EQ(nearest_rank(r.sorted, 0.50), r.p50);
    EXPECT_EQ(nearest_rank(r.sorted, 0.95), r.p95);
  }
}

TEST(MockSummary, CommandDurationsCountFinishedRunsOnly) {
  json events = json::array();
  const std::int64_t durations[] = {400, 100, 300, 200, 1000};
  int n = 0;
  for (auto d : durations) {
    const std::string id = "inv" + std::to_string(++n);
    const bool ok = d != 1000;
    events.push_back(ev("Command Invoked", id.c_str(), 1, {{"command", "build"}}));
    events.push_back(ev("Command Completed", id.c_str(), 2,
                        {{"command", "build"}, {"succeeded", ok}, {"exit_code", ok ? 0 : 1}, {"duration_ms", d},
                         {"error_class", ok ? "" : "system:ETIMEDOUT"}}));
  }
  events.push_back(ev("Command Invoked", "running", 1, {{"command", "build"}}));  // not finished
  const auto records = records_of(events);
  const summary s = summarize(records, {});
  ASSERT_EQ(s.commands.size(), 1u);
  const auto& c = s.commands[0];
  EXPECT_EQ(c.runs, 6u);
  EXPECT_EQ(c.unknown, 1u);
  EXPECT_DOUBLE_EQ(*c.success_rate, 0.8);
  EXPECT_EQ(c.p50_ms, 300);   // of 100 200 300 400 1000
  EXPECT_EQ(c.p95_ms, 1000);
  ASSERT_EQ(c.error_classes.size(), 1u);
  EXPECT_EQ(c.error_classes[0], (std::pair<std::string, std::size_t>{"system:ETIMEDOUT", 1}));
}

TEST(MockSummary, TopErrorClassesMostFrequentFirstAtMostFive) {
  json events = json::array();
  const std::pair<const char*, int> classes[] = {{"a", 1}, {"b", 4}, {"c", 2}, {"d", 1}, {"e", 3}, {"f", 1}, {"g", 2}};
  int n = 0;
  for (auto [cls, times] : classes) {
    for (int i = 0; i < times; ++i) {
      const std::string id = "i" + std::to_string(++n);
      events.push_back(ev("Command Completed", id.c_str(), 1,
                          {{"command", "x"}, {"succeeded", false}, {"exit_code", 1}, {"error_class", cls}}));
    }
  }
  const auto records = records_of(events);
  const summary s = summarize(records, {});
  using ec = std::pair<std::string, std::size_t>;
  EXPECT_EQ(s.commands[0].error_classes, (std::vector<ec>{{"b", 4}, {"e", 3}, {"c", 2}, {"g", 2}, {"a", 1}}));
}

// ---- funnels ----------------------------------------------------------------------------------

json step(const char* inv, std::int64_t seq, const char* name, std::int64_t order, const char* previous = "",
          const char* direction = "forward") {
  json p = {{"flow", "setup"}, {"step", name}, {"step_order", order}, {"direction", direction}};
  if (*previous) p["previous_step"] = previous;
  return ev("Flow Step", inv, seq, p);
}
json started(const char* inv, std::int64_t seq) { return ev("Flow Started", inv, seq, {{"flow", "setup"}}); }
json completed(const char* inv, std::int64_t seq, const char* outcome) {
  return ev("Flow Completed", inv, seq, {{"flow", "setup"}, {"outcome", outcome}});
}

TEST(MockSummary, FunnelCountsDropOffAndBackMoves) {
  const json events = json::array({
      // A: a -> b -> a (back) -> b -> c, completed
      started("A", 1), step("A", 2, "a", 1), step("A", 3, "b", 2, "a"), step("A", 4, "a", 1, "b", "back"),
      step("A", 5, "b", 2, "a"), step("A", 6, "c", 3, "b"), completed("A", 7, "completed"),
      // B: a -> b, failed at b
      started("B", 1), step("B", 2, "a", 1), step("B", 3, "b", 2, "a"), completed("B", 4, "failed"),
      // C: a -> b -> a (back), cancelled at a: its furthest step was b
      started("C", 1), step("C", 2, "a", 1), step("C", 3, "b", 2, "a"), step("C", 4, "a", 1, "b", "back"),
      completed("C", 5, "cancelled"),
      // D: a, then nothing more arrived (unfinished); a repeat of a
      started("D", 1), step("D", 2, "a", 1), step("D", 3, "a", 1, "a", "repeat"),
      // E: started, cancelled before any step
      started("E", 1), completed("E", 2, "cancelled"),
      // F: Flow Started lost (sequence 1 missing): the session starts at its first step
      step("F", 2, "a", 1), step("F", 3, "b", 2, "a"), step("F", 4, "c", 3, "b"), completed("F", 5, "completed"),
  });
  const auto records = records_of(events);
  const summary s = summarize(records, {});
  ASSERT_EQ(s.flows.size(), 1u);
  const auto& f = s.flows[0];
  EXPECT_EQ(f.flow, "setup");
  EXPECT_EQ(f.sessions, 6u);
  EXPECT_EQ(f.completed, 2u);
  EXPECT_EQ(f.failed, 1u);
  EXPECT_EQ(f.cancelled, 2u);
  EXPECT_EQ(f.unfinished, 1u);
  EXPECT_EQ(f.dropped_before_first_step, 1u);
  EXPECT_EQ(f.back_moves, 2u);
  ASSERT_EQ(step_names(f), (std::vector<std::string>{"a", "b", "c"}));
  struct expected {
    std::size_t reached, entries, back_from, back_to, repeats, drop_off, failed, cancelled, unfinished;
  };
  const expected steps[] = {
      {5, 8, 0, 2, 1, 1, 0, 0, 1},  // a: D dropped here (unfinished)
      {4, 5, 2, 0, 0, 2, 1, 1, 0},  // b: B failed, C cancelled after going back from b
      {2, 2, 0, 0, 0, 0, 0, 0, 0},  // c: both completed
  };
  for (std::size_t i = 0; i < std::size(steps); ++i) {
    SCOPED_TRACE(f.steps[i].step);
    EXPECT_EQ(f.steps[i].reached, steps[i].reached);
    EXPECT_EQ(f.steps[i].entries, steps[i].entries);
    EXPECT_EQ(f.steps[i].back_from, steps[i].back_from);
    EXPECT_EQ(f.steps[i].back_to, steps[i].back_to);
    EXPECT_EQ(f.steps[i].repeats, steps[i].repeats);
    EXPECT_EQ(f.steps[i].drop_off, steps[i].drop_off);
    EXPECT_EQ(f.steps[i].drop_off_failed, steps[i].failed);
    EXPECT_EQ(f.steps[i].drop_off_cancelled, steps[i].cancelled);
    EXPECT_EQ(f.steps[i].drop_off_unfinished, steps[i].unfinished);
  }
  // Sessions = completed + every drop-off.
  std::size_t dropped = f.dropped_before_first_step;
  for (const auto& st : f.steps) dropped += st.drop_off;
  EXPECT_EQ(f.completed + dropped, f.sessions);
  const auto* row_f = find_row(s, "F");
  ASSERT_NE(row_f, nullptr);
  EXPECT_EQ(row_f->missing, (std::vector<std::int64_t>{1}));
}

TEST(MockSummary, StepsFollowTheCatalogOrderNotArrival) {
  // Arrival order c, a, b; step_order says a, b, c. Steps without step_order go last, as first seen.
  const json events = json::array({
      step("A", 1, "c", 3), step("B", 1, "a", 1), step("B", 2, "b", 2, "a"),
      ev("Flow Step", "B", 3, {{"flow", "setup"}, {"step", "extra-2"}}),
      ev("Flow Step", "B", 4, {{"flow", "setup"}, {"step", "extra-1"}}),
  });
  const auto records = records_of(events);
  const summary s = summarize(records, {});
  ASSERT_EQ(s.flows.size(), 1u);
  EXPECT_EQ(step_names(s.flows[0]), (std::vector<std::string>{"a", "b", "c", "extra-2", "extra-1"}));
}

TEST(MockSummary, TwoSessionsOfOneFlowInOneInvocation) {
  const json events = json::array({started("A", 1), step("A", 2, "a", 1),  // never completed...
                                   started("A", 3), step("A", 4, "a", 1), step("A", 5, "b", 2, "a"),
                                   completed("A", 6, "completed")});
  const auto records = records_of(events);
  const summary s = summarize(records, {});
  const auto& f = s.flows.at(0);
  EXPECT_EQ(f.sessions, 2u);
  EXPECT_EQ(f.completed, 1u);
  EXPECT_EQ(f.unfinished, 1u);
  EXPECT_EQ(f.steps.at(0).reached, 2u);
  EXPECT_EQ(f.steps.at(0).drop_off_unfinished, 1u);
  EXPECT_EQ(f.steps.at(1).reached, 1u);
}

// ---- events from any client ------------------------------------------------------------------

TEST(MockSummary, EventsWithoutInvocationOrSequenceAreRowsOfTheirOwn) {
  json no_props = {{"type", "track"}, {"event", "Signed Up"}, {"anonymousId", "anon"}};
  json identify = {{"type", "identify"}, {"userId", "u"}, {"traits", {{"plan", "pro"}}}};
  json no_sequence = ev("Command Invoked", "inv", 0, {{"command", "deploy"}});
  json text_sequence = ev("Flow Step", "inv", 0, {{"flow", "setup"}, {"step", "a"}});
  text_sequence["properties"]["sequence"] = "3";
  json negative = ev("E", "inv", -2);
  json curl_completed = ev("Command Completed", "", 0, {{"command", "deploy"}, {"succeeded", false},
                                                         {"error_class", "curl:test"}, {"duration_ms", 7}});
  json grouped = ev("Command Invoked", "inv", 1, {{"command", "deploy"}});
  const auto records =
      records_of(json::array({no_props, identify, no_sequence, text_sequence, negative, curl_completed, grouped}));
  const summary s = summarize(records, {});
  EXPECT_EQ(s.events_total, 7u);
  EXPECT_EQ(s.events_matched, 7u);
  EXPECT_EQ(s.invocations_matched, 7u);
  EXPECT_EQ(s.ungrouped_matched, 6u);
  ASSERT_EQ(s.invocations.size(), 7u);  // every event is in some row
  std::size_t shown = 0;
  for (const auto& row : s.invocations) shown += row.events.size();
  EXPECT_EQ(shown, 7u);
  EXPECT_EQ(s.invocations[0].ungrouped_reason, "no invocation_id");
  EXPECT_EQ(s.invocations[0].events[0]->user, "anon");
  EXPECT_EQ(s.invocations[1].events[0]->type, "identify");
  EXPECT_EQ(s.invocations[2].ungrouped_reason, "no sequence");
  EXPECT_EQ(s.invocations[3].ungrouped_reason, "no sequence");
  EXPECT_EQ(s.invocations[4].ungrouped_reason, "no sequence");
  EXPECT_EQ(s.invocations[5].outcome, run_outcome::failed);
  EXPECT_EQ(s.invocations[6].id, "inv");
  // The lone Command Completed is a finished run; its flow event is counted beside the funnel.
  const auto* deploy = find_command(s, "deploy");
  ASSERT_NE(deploy, nullptr);
  EXPECT_EQ(deploy->runs, 3u);
  EXPECT_EQ(deploy->failed, 1u);
  EXPECT_EQ(deploy->p50_ms, 7);
  const auto* setup = find_flow(s, "setup");
  ASSERT_NE(setup, nullptr);
  EXPECT_EQ(setup->sessions, 0u);
  EXPECT_EQ(setup->ungrouped_events, 1u);
}

TEST(MockSummary, RecordsTolerateAnyJson) {
  const json odd = {{"type", 3},
                    {"event", json::array({1})},
                    {"timestamp", "not a time"},
                    {"receivedAt", "2026-12-01T10:00:01.500Z"},
                    {"properties",
                     {{"command", 42},
                      {"sequence", 2.5},
                      {"succeeded", "true"},
                      {"exit_code", "0"},
                      {"duration_ms", -5},
                      {"step_order", nullptr},
                      {"invocation_id", true}}}};
  const event_record r = make_record(odd, 9);
  EXPECT_EQ(r.index, 9u);
  EXPECT_EQ(r.type, "3");
  EXPECT_EQ(r.event, "");
  EXPECT_EQ(r.command, "42");
  EXPECT_EQ(r.sequence, 0);
  EXPECT_FALSE(r.succeeded);
  EXPECT_FALSE(r.exit_code);
  EXPECT_EQ(r.duration_ms, -5);
  EXPECT_FALSE(r.step_order);
  EXPECT_EQ(r.invocation_id, "true");
  EXPECT_FALSE(r.grouped());
  EXPECT_EQ(r.time, "2026-12-01T10:00:01.500Z");  // the first parsable of timestamp, originalTimestamp, receivedAt
  EXPECT_EQ(r.time_ms, parse_time_ms("2026-12-01T10:00:01.500Z"));
  const event_record bare = make_record(json::array(), 1);
  EXPECT_EQ(bare.type, "");
  EXPECT_FALSE(bare.time_ms);
  const event_record no_props = make_record({{"type", "track"}, {"properties", "x"}}, 2);
  EXPECT_EQ(no_props.invocation_id, "");
}

// ---- the query: command, time window, limits ---------------------------------------------------

TEST(MockSummary, FilterByCommandAndTimeWindow) {
  auto run = [](const char* id, const char* command, const char* t1, const char* t2, bool ok) {
    return json::array({ev("Command Invoked", id, 1, {{"command", command}}, t1),
                        ev("Flow Started", id, 2, {{"flow", command}}, t1),
                        ev("Command Completed", id, 3,
                           {{"command", command}, {"succeeded", ok}, {"exit_code", ok ? 0 : 1}, {"duration_ms", 5}},
                           t2)});
  };
  json events = json::array();
  for (const json& part : {run("1", "deploy", "2026-12-01T10:00:00Z", "2026-12-01T10:00:05Z", true),
                           run("2", "login", "2026-12-01T10:01:00Z", "2026-12-01T10:01:01Z", true),
                           run("3", "deploy", "2026-12-01T10:02:00Z", "2026-12-01T10:03:00Z", false)})
    for (const auto& e : part) events.push_back(e);
  const auto records = records_of(events);

  summary s = summarize(records, {.command = "deploy"});
  EXPECT_EQ(s.invocations_matched, 2u);
  EXPECT_EQ(s.events_matched, 6u);
  EXPECT_EQ(s.commands.size(), 1u);
  EXPECT_EQ(s.flows.size(), 1u);
  EXPECT_EQ(s.commands_seen, (std::vector<std::string>{"deploy", "login"}));  // whatever the filter
  for (const auto* e : s.events) EXPECT_NE(e->invocation_id, "2");

  // A window overlapping the end of run 1 and the start of run 2: whole invocations are kept,
  // raw events only within the window.
  const auto at = [](const char* t) { return parse_time_ms(t); };
  s = summarize(records, {.since_ms = at("2026-12-01T10:00:03Z"), .until_ms = at("2026-12-01T10:01:00Z")});
  ASSERT_EQ(s.invocations.size(), 2u);
  EXPECT_EQ(s.invocations[0].id, "1");
  EXPECT_EQ(s.invocations[0].events.size(), 3u);  // no false gap at the window's edge
  EXPECT_EQ(s.invocations[1].id, "2");
  EXPECT_EQ(s.events_matched, 3u);  // run 1's Completed, run 2's Invoked and Started

  s = summarize(records, {.since_ms = at("2026-12-01T10:02:30Z")});
  ASSERT_EQ(s.invocations.size(), 1u);
  EXPECT_EQ(s.invocations[0].id, "3");
  s = summarize(records, {.command = "login", .until_ms = at("2026-12-01T09:00:00Z")});
  EXPECT_EQ(s.invocations_matched, 0u);
  EXPECT_TRUE(s.commands.empty());
  EXPECT_TRUE(s.events.empty());
}

TEST(MockSummary, LimitsKeepTheLatest) {
  json events = json::array();
  for (int i = 0; i < 10; ++i) {
    const std::string id = "inv" + std::to_string(i);
    const std::string t = "2026-12-01T10:00:0" + std::to_string(i) + "Z";
    events.push_back(ev("A", id.c_str(), 1, {}, t.c_str()));
    events.push_back(ev("B", id.c_str(), 2, {}, t.c_str()));
  }
  const auto records = records_of(events);
  const summary s = summarize(records, {.max_invocations = 3, .max_events = 5});
  EXPECT_EQ(s.invocations_matched, 10u);
  ASSERT_EQ(s.invocations.size(), 3u);
  EXPECT_EQ(s.invocations[0].id, "inv7");
  EXPECT_EQ(s.invocations[2].id, "inv9");
  EXPECT_EQ(s.events_matched, 20u);
  ASSERT_EQ(s.events.size(), 5u);
  EXPECT_EQ(s.events.front()->index, 16u);  // arrival order, the last five
  EXPECT_EQ(s.events.back()->index, 20u);
}

TEST(MockSummary, InvocationsInTimeOrderEvenWhenTheyArriveLate) {
  // A spooled invocation from earlier, delivered by a later run, sorts by its own time.
  const auto records = records_of(json::array({ev("A", "later", 1, {}, "2026-12-01T11:00:00Z"),
                                               ev("A", "earlier", 1, {}, "2026-12-01T10:00:00Z")}));
  const summary s = summarize(records, {});
  ASSERT_EQ(s.invocations.size(), 2u);
  EXPECT_EQ(s.invocations[0].id, "earlier");
}

// ---- incremental: the store's index agrees with a summary from scratch --------------------------

TEST(MockSummary, IncrementalIndexAgreesWithFromScratchThroughEvictions) {
  // The recorded session, a gap, a replay and other clients' events, in a shuffled order, through
  // a store that keeps 9 events: every step compared with summarize() over what is left.
  json events = recorded_session();
  json replay = events[5];
  events.push_back(replay);
  events.push_back(ev("Command Invoked", "gap", 1, {{"command", "sync"}}));
  events.push_back(ev("Command Completed", "gap", 3, {{"command", "sync"}, {"succeeded", true}, {"duration_ms", 4}}));
  events.push_back({{"type", "identify"}, {"userId", "u"}});
  events.push_back(ev("Flow Step", "", 0, {{"flow", "deploy"}, {"step", "build"}}));
  std::mt19937 rng(20);
  for (int round = 0; round < 20; ++round) {
    json order = events;
    if (round > 0) std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t keep : {std::size_t{9}, std::size_t{1000}}) {
      mock_segment::store s({.max_events = keep, .max_requests = 10, .max_rejected = 10});
      const summary_query queries[] = {{}, {.command = "deploy"}, {.max_invocations = 2, .max_events = 3}};
      for (std::size_t i = 0; i < order.size(); ++i) {
        s.accept(order[i]);
        if (i % 3 != 0 && i + 1 != order.size()) continue;  // some changes pile up between summaries
        for (const auto& q : queries) {
          const json incremental = to_json(s.summarize(q));
          const json scratch = to_json(summarize(s.records(), q));
          ASSERT_EQ(incremental, scratch) << "round " << round << ", keep " << keep << ", after " << i + 1;
        }
      }
      s.reset();
      EXPECT_EQ(to_json(s.summarize({}))["totals"]["events"], 0);
      s.accept(order[0]);
      EXPECT_EQ(to_json(s.summarize({}))["totals"]["events"], 1);
    }
  }
}

// ---- JSON -------------------------------------------------------------------------------------

TEST(MockSummary, JsonShape) {
  const auto records = records_of(recorded_session());
  const json j = to_json(summarize(records, {}));
  EXPECT_EQ(j["totals"]["events"], 31);
  EXPECT_EQ(j["totals"]["invocations_matched"], 5);
  ASSERT_EQ(j["invocations"].size(), 5u);
  const json& failed = j["invocations"][2];
  EXPECT_EQ(failed["outcome"], "failed");
  EXPECT_EQ(failed["error_class"], "demo::deploy_error");
  EXPECT_EQ(failed["duration_ms"], 65);
  EXPECT_EQ(failed["missing"], json::array());
  EXPECT_EQ(failed["events"][4]["step"], "upload");
  EXPECT_EQ(failed["events"][4]["direction"], "forward");
  EXPECT_EQ(failed["events"][5]["outcome"], "failed");
  EXPECT_EQ(j["invocations"][3]["outcome"], "cancelled");
  const json& deploy = j["commands"][0];
  EXPECT_EQ(deploy["command"], "deploy");
  EXPECT_EQ(deploy["p50_ms"], 84);
  EXPECT_EQ(deploy["p95_ms"], 494);
  EXPECT_EQ(deploy["error_classes"][0], json({{"error_class", "cancelled"}, {"count", 1}}));
  EXPECT_EQ(j["flows"][1]["flow"], "wizard");
  EXPECT_EQ(j["flows"][1]["steps"][1], json({{"step", "region"},
                                             {"order", 2},
                                             {"reached", 1},
                                             {"entries", 2},
                                             {"back_from", 1},
                                             {"back_to", 0},
                                             {"repeats", 0},
                                             {"drop_off", 0},
                                             {"drop_off_failed", 0},
                                             {"drop_off_cancelled", 0},
                                             {"drop_off_unfinished", 0}}));
  EXPECT_EQ(j["events"].size(), 31u);
  EXPECT_EQ(j["commands_seen"], json({"deploy", "login", "wizard"}));
}

TEST(MockSummary, ProblemsListRefusedFaultedAndRejected) {
  std::deque<json> requests = {
      {{"id", 1}, {"path", "/v1/batch"}, {"status", 200}, {"accepted", 2}, {"rejected", 0}},
      {{"id", 2}, {"path", "/v1/batch"}, {"status", 503}, {"reason", "injected fault"}, {"fault", {{"status", 503}}}},
      {{"id", 3}, {"path", "/v1/batch"}, {"status", 400}, {"reason", "invalid JSON"}},
      {{"id", 4}, {"path", "/v1/batch"}, {"status", 0}, {"fault", {{"action", "close"}}}},
      {{"id", 5}, {"path", "/v1/batch"}, {"status", 200}, {"accepted", 1}, {"rejected", 1}},
      {{"id", 6}, {"path", "/v1/batch"}, {"status", 200}, {"fault", {{"delay_ms", 100}}}, {"accepted", 1}},
  };
  std::deque<json> rejected = {{{"reason", "track without event"},
                                {"message", {{"type", "track"}, {"userId", "u"}}},
                                {"requestId", 5}}};
  json p = problems(requests, rejected, 3);
  EXPECT_EQ(p["requests_total"], 5);
  ASSERT_EQ(p["requests"].size(), 3u);  // newest first, limited
  EXPECT_EQ(p["requests"][0]["id"], 6);
  EXPECT_EQ(p["requests"][0]["fault"], json({{"delay_ms", 100}}));
  EXPECT_EQ(p["requests"][1]["reason"], "some messages rejected");
  EXPECT_EQ(p["requests"][2]["reason"], "no answer");
  EXPECT_EQ(p["messages_total"], 1);
  EXPECT_EQ(p["messages"][0], json({{"reason", "track without event"}, {"requestId", 5}, {"type", "track"}}));
  p = problems(requests, rejected, 10);
  EXPECT_EQ(p["requests"][3]["status"], 400);
  EXPECT_EQ(p["requests"][3]["reason"], "invalid JSON");
  EXPECT_EQ(p["requests"][4]["status"], 503);
}

}  // namespace
}  // namespace mock_segment
