// `telemetry status` lists what is collected (collected_fields()): the list must cover every
// property the layer sends, or the status would under-report.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "capturing_sink.hpp"
#include "flowtrack/cli/command_runner.hpp"
#include "flowtrack/cli/flow_tracker.hpp"
#include "flowtrack/cli/telemetry.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

TEST(CollectedFields, CoverEveryPropertySent) {
  asio::io_context io;
  temp_dir tmp{"flowtrack-collected"};
  auto sink = std::make_shared<capturing_sink>();
  cli::telemetry_options o;
  o.app = {"demo", "1"};
  o.state_dir = tmp.path();
  o.env = cli::fixed_environment({});
  o.sink = sink;
  o.notice.enabled = false;
  auto t = cli::make_telemetry(io.get_executor(), o);
  static constexpr cli::flow f{"deploy"};
  static constexpr cli::step a{1, "a"}, b{2, "b"};
  asio::co_spawn(io,
                 cli::execute_command(*t, {"deploy", {"--x"}},
                                      [&]() -> asio::awaitable<int> {
                                        cli::flow_tracker flow{*t, f};
                                        flow.enter(a);
                                        flow.enter(b);
                                        flow.finish(cli::flow_outcome::failed, "app::e");
                                        throw std::runtime_error("x");
                                      }),
                 [](std::exception_ptr, const cli::command_result&) {});
  io.run_for(10s);

  std::set<std::string> listed;
  for (auto field : cli::collected_fields()) listed.emplace(field.substr(0, field.find(' ')));
  std::set<std::string> sent;
  for (const auto& m : sink->events())
    for (const auto& [key, value] : m.properties.items()) sent.insert(key);
  ASSERT_GE(sent.size(), 15u);
  for (const auto& key : sent) EXPECT_TRUE(listed.contains(key)) << key << " is sent but not listed";
  EXPECT_TRUE(listed.contains("anonymous_id"));  // the message's anonymousId
}

}  // namespace
}  // namespace flowtrack::test
