#include "flowtrack/cli/flow_tracker.hpp"
#include "flowtrack/cli/command_runner.hpp"

#include <gtest/gtest.h>

#include <asio/io_context.hpp>

#include "capturing_sink.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

constexpr cli::flow wizard{"wizard"};
constexpr cli::step name{1, "name"}, region{2, "region"}, confirm{3, "confirm"};

struct fake_clock {
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::time_point{} + 1h;
  cli::flow_tracker::clock_fn fn() {
    return [this] { return now; };
  }
};

std::unique_ptr<cli::telemetry> telemetry_over(std::shared_ptr<capturing_sink> sink, asio::io_context& io) {
  cli::telemetry_options o;
  o.app = {"flow-test", "1"};
  o.state_dir = std::filesystem::temp_directory_path() / "flowtrack-flow-test";
  o.env = cli::fixed_environment({});
  o.sink = std::move(sink);
  o.notice.enabled = false;  // the first-run notice has tests of its own
  return cli::make_telemetry(io.get_executor(), o);
}

TEST(FlowTracker, StepsDirectionsAndDurations) {
  asio::io_context io;
  auto sink = std::make_shared<capturing_sink>();
  auto t = telemetry_over(sink, io);
  fake_clock clock;
  cli::flow_tracker f{*t, wizard, clock.fn()};
  clock.now += 100ms;
  f.enter(name);
  clock.now += 250ms;
  f.enter(region);
  clock.now += 50ms;
  f.enter(name);  // the user went back
  clock.now += 10ms;
  f.enter(name);  // and stayed
  clock.now += 40ms;
  f.enter(confirm);
  EXPECT_EQ(f.current_step(), confirm);
  EXPECT_EQ(f.duration(), 450ms);
  f.finish(cli::flow_outcome::completed);
  f.finish(cli::flow_outcome::failed);  // only the first counts

  auto events = sink->events();
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[0].event, cli::event::flow_started);
  struct expected_step {
    const char* step;
    const char* direction;
    int elapsed_ms;
    const char* previous;
  };
  const expected_step steps[] = {{"name", "forward", 100, nullptr},
                                 {"region", "forward", 350, "name"},
                                 {"name", "back", 400, "region"},
                                 {"name", "repeat", 410, "name"},
                                 {"confirm", "forward", 450, "name"}};
  for (int i = 0; i < 5; ++i) {
    const auto& p = events[i + 1].properties;
    EXPECT_EQ(events[i + 1].event, cli::event::flow_step);
    EXPECT_EQ(p["flow"], "wizard");
    EXPECT_EQ(p["step"], steps[i].step) << i;
    EXPECT_EQ(p["direction"], steps[i].direction) << i;
    EXPECT_EQ(p["elapsed_ms"], steps[i].elapsed_ms) << i;
    if (steps[i].previous) EXPECT_EQ(p["previous_step"], steps[i].previous) << i;
    else EXPECT_FALSE(p.contains("previous_step"));
  }
  const auto& done = events[6].properties;
  EXPECT_EQ(events[6].event, cli::event::flow_completed);
  EXPECT_EQ(done["outcome"], "completed");
  EXPECT_EQ(done["duration_ms"], 450);
  EXPECT_EQ(done["last_step"], "confirm");
  EXPECT_EQ(done["steps_entered"], 5);
}

TEST(FlowTracker, FailureCarriesTheErrorClass) {
  asio::io_context io;
  auto sink = std::make_shared<capturing_sink>();
  auto t = telemetry_over(sink, io);
  fake_clock clock;
  cli::flow_tracker f{*t, wizard, clock.fn()};
  f.enter(name);
  clock.now += 5ms;
  f.finish(cli::flow_outcome::failed, "app::quota_error");
  auto done = sink->events().back().properties;
  EXPECT_EQ(done["outcome"], "failed");
  EXPECT_EQ(done["error_class"], "app::quota_error");
  EXPECT_EQ(done["duration_ms"], 5);
}

// An app's own strongly typed steps.
enum class deploy_step { validate = 1, build, upload, release };
constexpr cli::flow deploy{"deploy"};
constexpr cli::step validate = cli::make_step(deploy_step::validate, "validate");
constexpr cli::step build = cli::make_step(deploy_step::build, "build");
constexpr cli::step upload = cli::make_step(deploy_step::upload, "upload");
static_assert(build.order == 2 && build.name == "build");
static_assert(cli::direction_between(upload, validate) == cli::direction::back);

TEST(FlowTracker, AppDefinedStepsRetryGoesBack) {
  asio::io_context io;
  auto sink = std::make_shared<capturing_sink>();
  auto t = telemetry_over(sink, io);
  fake_clock clock;
  cli::flow_tracker f{*t, deploy, clock.fn()};
  f.enter(validate);
  f.enter(build);
  f.enter(upload);
  clock.now += 3s;
  f.enter(build);  // the upload failed: back to build
  f.finish(cli::flow_outcome::cancelled);
  auto events = sink->events();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[4].properties["direction"], "back");
  EXPECT_EQ(events[4].properties["step_order"], 2);
  EXPECT_EQ(events[5].properties["outcome"], "cancelled");
  EXPECT_EQ(events[5].properties["duration_ms"], 3000);
  EXPECT_FALSE(events[5].properties.contains("error_class"));
}

TEST(FlowVocabulary, StableStringForms) {
  for (auto d : {cli::direction::forward, cli::direction::back, cli::direction::repeat})
    EXPECT_EQ(cli::parse_direction(cli::to_string(d)), d);
  for (auto o : {cli::flow_outcome::completed, cli::flow_outcome::failed, cli::flow_outcome::cancelled})
    EXPECT_EQ(cli::parse_flow_outcome(cli::to_string(o)), o);
  EXPECT_EQ(cli::to_string(cli::direction::back), "back");
  EXPECT_EQ(cli::to_string(cli::flow_outcome::cancelled), "cancelled");
  EXPECT_FALSE(cli::parse_direction("sideways"));
  EXPECT_FALSE(cli::parse_direction("Forward"));  // exact, case-sensitive forms
  EXPECT_FALSE(cli::parse_flow_outcome(""));
  EXPECT_EQ(cli::to_string(cli::direction::repeat), "repeat");
  EXPECT_EQ(cli::event::flow_started, "Flow Started");
  EXPECT_EQ(cli::event::flow_step, "Flow Step");
  EXPECT_EQ(cli::event::flow_completed, "Flow Completed");
  EXPECT_EQ(cli::to_string(cli::pre_run_outcome::usage_error), "usage_error");
  EXPECT_EQ(cli::event::command_invoked, "Command Invoked");
  EXPECT_EQ(cli::event::command_completed, "Command Completed");
  EXPECT_EQ(cli::direction_between(region, name), cli::direction::back);
}

}  // namespace
}  // namespace flowtrack::test
