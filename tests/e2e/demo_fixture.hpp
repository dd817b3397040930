// The fixture of the flowtrack-demo end-to-end tests: the demo as a separate process against
// mock-segment, in a fresh state directory per test.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/child_process.hpp"
#include "support/http_test_client.hpp"
#include "support/mock_process.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::test {

using json = nlohmann::json;

class DemoE2E : public ::testing::Test {
 protected:

  child_options env_for(const std::string& url, const std::map<std::string, std::string>& extra = {}) const {
    child_options o;
    o.env = {{"FLOWTRACK_ENDPOINT", url},
             {"FLOWTRACK_WRITE_KEY", "demo-e2e"},
             {"FLOWTRACK_STATE_DIR", state_.string()},
             {"FLOWTRACK_CLOSE_TIMEOUT_MS", "1000"}};
    o.unset_env = {"DO_NOT_TRACK", "FLOWTRACK_TELEMETRY_DISABLED", "FLOWTRACK_TELEMETRY_DEBUG", "DEBUG",
                   "FLOWTRACK_NO_UPDATE_NOTIFIER", "FLOWTRACK_UPDATE_URL"};
    for (const char* ci : {"CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "JENKINS_URL", "TF_BUILD",
                           "TEAMCITY_VERSION", "TRAVIS", "BITBUCKET_BUILD_NUMBER", "CODEBUILD_BUILD_ID"})
      o.unset_env.emplace_back(ci);  // the demo must see an interactive run, also under CI
    // The first-run notice is acknowledged unless a test is about it (then: {{"FLOWTRACK_NO_TELEMETRY_NOTICE", ""}}).
    o.env["FLOWTRACK_NO_TELEMETRY_NOTICE"] = "1";
    for (const auto& [k, v] : extra) o.env[k] = v;
    return o;
  }

  struct result {
    int exit_code;
    std::string out, err;
  };
  result demo(const std::string& url, std::vector<std::string> args,
              const std::map<std::string, std::string>& extra = {}, std::string stdin_data = {}) {
    args.insert(args.begin(), sibling_binary("flowtrack-demo"));
    auto options = env_for(url, extra);
    options.stdin_data = std::move(stdin_data);
    child_process p(args, options);
    const int code = p.exit_code();
    return {code, p.output(), p.errors()};
  }

  static json events(const std::string& url, const std::string& query = "") {
    return http_get(url, "/admin/events" + query).json()["events"];
  }
  static int ingest_requests(const std::string& url) { return http_get(url, "/admin/stats").json()["requests"]; }

  // Exactly one Invoked and one Completed for each invocation; returns the Completed events.
  static std::vector<json> completed_per_invocation(const std::string& url) {
    std::map<std::string, std::vector<json>> by_invocation;
    for (const auto& e : events(url, "?type=track")) {
      if (e["event"] == "Command Invoked" || e["event"] == "Command Completed")
        by_invocation[e["properties"]["invocation_id"]].push_back(e);
    }
    std::vector<json> completed;
    for (auto& [id, evs] : by_invocation) {
      EXPECT_EQ(evs.size(), 2u) << id;
      if (evs.size() != 2) continue;
      const json& invoked = evs[0]["event"] == "Command Invoked" ? evs[0] : evs[1];
      const json& done = evs[0]["event"] == "Command Completed" ? evs[0] : evs[1];
      EXPECT_EQ(invoked["event"], "Command Invoked");
      EXPECT_EQ(done["event"], "Command Completed");
      EXPECT_GT(done["properties"]["sequence"].get<int>(), invoked["properties"]["sequence"].get<int>());
      EXPECT_EQ(done["properties"]["command"], invoked["properties"]["command"]);
      completed.push_back(done);
    }
    return completed;
  }

  temp_dir tmp_{"flowtrack-demo-e2e"};
  const std::filesystem::path& state_ = tmp_.path();
};

}  // namespace flowtrack::test
