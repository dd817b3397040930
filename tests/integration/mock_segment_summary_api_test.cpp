// GET /admin/summary on a real mock-segment: the recorded flowtrack-demo session posted through
// /v1/batch, events from other clients, the query (command, time window, limits), refused and
// faulted requests, the revision, reset and eviction. The summary's own rules are unit-tested in
// mock_segment_summary_test.cpp; this checks the endpoint computes them from what was accepted.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "mock_segment_test.hpp"
#include "support/http_test_client.hpp"
#include "wire/iso8601.hpp"

namespace flowtrack::test {
namespace {

class MockSummaryApi : public MockSegmentTest {};

using json = nlohmann::json;
using namespace std::chrono_literals;

const http::fields auth = {{"Authorization", basic_auth("key")}, {"Content-Type", "application/json"}};

json recorded_session() {
  std::ifstream in(MOCK_SEGMENT_SUMMARY_SESSION);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

json summary(const std::string& url, const std::string& query = "") {
  auto r = http_get(url, "/admin/summary" + query);
  EXPECT_EQ(r.response.status, 200) << r.response.body;
  EXPECT_EQ(r.response.header("Content-Type"), "application/json");
  return r.json();
}

void post(const std::string& url, const json& messages) {
  ASSERT_EQ(http_post(url, "/v1/batch", json{{"batch", messages}}.dump(), auth).response.status, 200);
}

TEST_F(MockSummaryApi, RecordedSessionThroughIngest) {
  post(url(), recorded_session());
  const json s = summary(url());
  EXPECT_EQ(s["totals"]["events"], 31);
  EXPECT_EQ(s["totals"]["invocations_matched"], 5);
  ASSERT_EQ(s["invocations"].size(), 5u);
  std::vector<std::string> outcomes;
  for (const auto& row : s["invocations"]) outcomes.push_back(row["command"].get<std::string>() + ":" +
                                                               row["outcome"].get<std::string>());
  EXPECT_EQ(outcomes, (std::vector<std::string>{"login:succeeded", "deploy:succeeded", "deploy:failed",
                                                "deploy:cancelled", "wizard:succeeded"}));
  EXPECT_EQ(s["invocations"][2]["error_class"], "demo::deploy_error");
  const json& deploy = s["commands"][0];
  EXPECT_EQ(deploy["command"], "deploy");
  EXPECT_EQ(deploy["runs"], 3);
  EXPECT_EQ(deploy["p50_ms"], 84);
  EXPECT_EQ(deploy["p95_ms"], 494);
  const json& wizard = s["flows"][1];
  EXPECT_EQ(wizard["flow"], "wizard");
  EXPECT_EQ(wizard["back_moves"], 1);
  EXPECT_EQ(wizard["steps"][1]["back_from"], 1);
  EXPECT_EQ(s["flows"][0]["steps"][2]["drop_off_failed"], 1);  // deploy: failed after upload
  EXPECT_EQ(s["events"].size(), 31u);
  EXPECT_EQ(s["events"][4]["step"], "validate");
  EXPECT_EQ(s["events"][4]["direction"], "forward");
  EXPECT_TRUE(s["problems"]["requests"].empty());
  EXPECT_EQ(s["server"]["lean"], false);
  EXPECT_GE(s["compute_ms"].get<double>(), 0.0);
}

TEST_F(MockSummaryApi, AMissingSequenceNumberAndEventsFromOtherClients) {
  // An invocation sent with curl whose sequence 2 was lost, and two events that are not flowtrack's.
  post(url(), json::array({
                  {{"type", "track"}, {"userId", "c"}, {"event", "Command Invoked"},
                   {"properties", {{"invocation_id", "curl-1"}, {"sequence", 1}, {"command", "sync"}}}},
                  {{"type", "track"}, {"userId", "c"}, {"event", "Command Completed"},
                   {"properties", {{"invocation_id", "curl-1"}, {"sequence", 3}, {"command", "sync"},
                                   {"succeeded", true}, {"exit_code", 0}, {"duration_ms", 12}}}},
                  {{"type", "track"}, {"anonymousId", "node"}, {"event", "Signed Up"}},
                  {{"type", "identify"}, {"userId", "node"}, {"traits", {{"plan", "pro"}}}},
              }));
  const json s = summary(url());
  ASSERT_EQ(s["invocations"].size(), 3u);
  const json& curl = s["invocations"][0];
  EXPECT_EQ(curl["id"], "curl-1");
  EXPECT_EQ(curl["missing"], json::array({2}));
  EXPECT_EQ(curl["missing_count"], 1);
  EXPECT_EQ(curl["outcome"], "succeeded");
  EXPECT_EQ(s["invocations"][1]["ungrouped_reason"], "no invocation_id");
  EXPECT_EQ(s["invocations"][1]["events"][0]["event"], "Signed Up");
  EXPECT_EQ(s["invocations"][2]["events"][0]["type"], "identify");
  EXPECT_EQ(s["totals"]["ungrouped_matched"], 2);
  EXPECT_EQ(s["events"].size(), 4u);  // nothing dropped
}

TEST_F(MockSummaryApi, FilterByCommandTimeWindowAndLimits) {
  json session = recorded_session();  // moved two days back, whenever the test runs
  for (auto& e : session)
    e["timestamp"] = detail::to_iso8601(*detail::parse_iso8601(e["timestamp"].get<std::string>()) - 48h);
  post(url(), session);
  // One event sent without a timestamp: its time is receivedAt, now.
  post(url(), json::array({{{"type", "track"},
                            {"userId", "c"},
                            {"event", "Command Invoked"},
                            {"properties", {{"invocation_id", "now-1"}, {"sequence", 1}, {"command", "sync"}}}}}));
  json s = summary(url(), "?command=deploy");
  EXPECT_EQ(s["totals"]["invocations_matched"], 3);
  EXPECT_EQ(s["commands"].size(), 1u);
  EXPECT_EQ(s["flows"].size(), 1u);
  EXPECT_EQ(s["totals"]["events_matched"], 20);
  EXPECT_EQ(s["commands_seen"], json({"deploy", "login", "sync", "wizard"}));
  EXPECT_EQ(s["query"]["command"], "deploy");

  const std::string now = detail::to_iso8601(std::chrono::system_clock::now());
  const std::string hour_ago = detail::to_iso8601(std::chrono::system_clock::now() - 1h);
  const std::string recorded_at = session[0]["timestamp"];
  s = summary(url(), "?window=600");
  ASSERT_EQ(s["invocations"].size(), 1u);
  EXPECT_EQ(s["invocations"][0]["id"], "now-1");
  s = summary(url(), "?since=" + hour_ago + "&until=" + now);
  EXPECT_EQ(s["totals"]["invocations_matched"], 1);
  s = summary(url(), "?until=" + hour_ago);
  EXPECT_EQ(s["totals"]["invocations_matched"], 5);
  const auto recorded_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               detail::parse_iso8601(recorded_at)->time_since_epoch()).count();
  s = summary(url(), "?since=" + std::to_string(recorded_ms + 60000));  // ms since the epoch
  EXPECT_EQ(s["totals"]["invocations_matched"], 1);

  s = summary(url(), "?limit=2&events=3");
  ASSERT_EQ(s["invocations"].size(), 2u);
  EXPECT_EQ(s["invocations"][1]["id"], "now-1");
  EXPECT_EQ(s["totals"]["invocations_matched"], 6);
  ASSERT_EQ(s["events"].size(), 3u);
  EXPECT_EQ(s["events"][2]["invocation_id"], "now-1");
  EXPECT_EQ(s["totals"]["events_matched"], 32);

  for (const char* bad : {"?since=yesterday", "?until=2026-13-01T00:00:00Z", "?window=0", "?window=ten",
                          "?limit=-1", "?events=10001"}) {
    auto r = http_get(url(), std::string("/admin/summary") + bad);
    EXPECT_EQ(r.response.status, 400) << bad;
  }
  EXPECT_EQ(http_post(url(), "/admin/summary", "").response.status, 404);
}

TEST_F(MockSummaryApi, RefusedAndFaultedRequestsSayWhy) {
  ASSERT_EQ(http_post(url(), "/admin/faults", R"([{"status":503},{"action":"close"}])").response.status, 200);
  const std::string batch = json{{"batch", {{{"type", "track"}, {"userId", "u"}, {"event", "E"}}}}}.dump();
  EXPECT_EQ(http_post(url(), "/v1/batch", batch, auth).response.status, 503);
  EXPECT_TRUE(http_post(url(), "/v1/batch", batch, auth).eof_without_response);
  EXPECT_EQ(http_post(url(), "/v1/batch", "{oops", auth).response.status, 400);
  EXPECT_EQ(http_post(url(), "/v1/batch", batch).response.status, 401);
  post(url(), json::array({{{"type", "track"}, {"userId", "u"}}, {{"type", "track"}, {"userId", "u"}, {"event", "ok"}}}));
  const json p = summary(url())["problems"];
  EXPECT_EQ(p["requests_total"], 5);
  ASSERT_EQ(p["requests"].size(), 5u);  // newest first
  EXPECT_EQ(p["requests"][0]["status"], 200);
  EXPECT_EQ(p["requests"][0]["rejected"], 1);
  EXPECT_EQ(p["requests"][0]["accepted"], 1);
  EXPECT_EQ(p["requests"][1]["status"], 401);
  EXPECT_EQ(p["requests"][1]["reason"], "invalid write key");
  EXPECT_EQ(p["requests"][2]["status"], 400);
  EXPECT_EQ(p["requests"][2]["reason"], "invalid JSON");
  EXPECT_EQ(p["requests"][3]["status"], 0);
  EXPECT_EQ(p["requests"][3]["fault"], json({{"action", "close"}}));
  EXPECT_EQ(p["requests"][3]["reason"], "injected fault: close (no answer)");
  EXPECT_EQ(p["requests"][4]["status"], 503);
  EXPECT_EQ(p["requests"][4]["reason"], "injected fault");
  EXPECT_EQ(p["requests"][4]["fault"], json({{"status", 503}}));
  ASSERT_EQ(p["messages"].size(), 1u);
  EXPECT_EQ(p["messages"][0]["reason"], http_get(url(), "/admin/rejected").json()["rejected"][0]["reason"]);
  EXPECT_EQ(p["messages"][0]["requestId"], p["requests"][0]["id"]);
  // The request log says it too.
  EXPECT_EQ(http_get(url(), "/admin/requests").json()["requests"][2]["reason"], "invalid JSON");

  ASSERT_EQ(http_post(url(), "/admin/faults", R"({"status":500})").response.status, 200);
  const json s = summary(url());
  EXPECT_EQ(s["faults"]["faults"], json::array({{{"status", 500}}}));
  EXPECT_EQ(s["faults"]["mode"], "ok");
}

TEST_F(MockSummaryApi, RevisionSaysWhenNothingChanged) {
  post(url(), recorded_session());
  const auto revision = summary(url())["revision"].get<std::uint64_t>();
  const std::string unchanged = "?if_revision=" + std::to_string(revision);
  EXPECT_EQ(summary(url(), unchanged), json({{"revision", revision}, {"unchanged", true}}));
  EXPECT_FALSE(summary(url(), unchanged + "&window=60").contains("unchanged"));  // a window moves with time
  post(url(), json::array({{{"type", "track"}, {"userId", "u"}, {"event", "E"}}}));
  json s = summary(url(), unchanged);
  EXPECT_FALSE(s.contains("unchanged"));
  EXPECT_GT(s["revision"].get<std::uint64_t>(), revision);
  ASSERT_EQ(http_post(url(), "/admin/mode", R"({"mode":"error500"})").response.status, 200);
  EXPECT_FALSE(summary(url(), "?if_revision=" + s["revision"].dump()).contains("unchanged"));
  ASSERT_EQ(http_post(url(), "/admin/mode", R"({"mode":"ok"})").response.status, 200);

  ASSERT_EQ(http_post(url(), "/admin/reset", "").response.status, 200);
  s = summary(url());
  EXPECT_GT(s["revision"].get<std::uint64_t>(), revision);  // never repeats across a reset
  EXPECT_EQ(s["totals"]["events"], 0);
  EXPECT_TRUE(s["invocations"].empty());
  EXPECT_TRUE(s["commands"].empty());
  EXPECT_TRUE(s["flows"].empty());
}

TEST_F(MockSummaryApi, EvictedEventsLeaveTheSummary) {
  REQUIRE_LOCAL_MOCK();
  auto capped = start_mock({"--max-events", "20"});
  post(capped->url(), recorded_session());  // 31 events: the first 11 go (login, deploy ok, the next Invoked)
  const json s = summary(capped->url());
  EXPECT_EQ(s["totals"]["events"], 20);
  EXPECT_EQ(s["server"]["evicted"], 11);
  ASSERT_EQ(s["invocations"].size(), 3u);
  EXPECT_EQ(s["invocations"][0]["command"], "deploy");
  EXPECT_EQ(s["invocations"][0]["missing"], json::array({1}));  // its Command Invoked was evicted
}

TEST_F(MockSummaryApi, LeanModeHasNothingToSummarize) {
  REQUIRE_LOCAL_MOCK();
  auto lean = start_mock({"--lean"});
  post(lean->url(), recorded_session());
  const json s = summary(lean->url());
  EXPECT_EQ(s["server"]["lean"], true);
  EXPECT_EQ(s["server"]["events_accepted"], 31);
  EXPECT_EQ(s["totals"]["events"], 0);
  EXPECT_TRUE(s["invocations"].empty());
}

}  // namespace
}  // namespace flowtrack::test
