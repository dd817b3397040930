// Pure tests of mock-segment's store (counters, duplicates, eviction, filters, reset, the
// fault queue and modes) and of the fault script's parser.
#include <gtest/gtest.h>

#include "store.hpp"

namespace mock_segment {
namespace {

using json = nlohmann::json;

json event(const char* type, const char* name, const char* user, const char* id) {
  json e = {{"type", type}, {"userId", user}, {"messageId", id}};
  if (*name) e["event"] = name;
  return e;
}

TEST(MockStore, DuplicatesUniqueIdsAndEviction) {
  store s({.max_events = 3, .max_requests = 10, .max_rejected = 10});
  s.accept(event("track", "A", "u", "1"));
  s.accept(event("track", "A", "u", "1"));
  s.accept(event("track", "B", "u", "2"));
  s.accept(event("track", "C", "u", "3"));
  s.accept(event("track", "D", "u", "1"));
  auto stats = s.stats();
  EXPECT_EQ(stats["events_accepted"], 5);
  EXPECT_EQ(stats["duplicates"], 2);
  EXPECT_EQ(stats["unique_message_ids"], 3);
  EXPECT_EQ(stats["evicted"], 2);
  EXPECT_EQ(stats["events_stored"], 3);
  auto kept = s.events("", "", "")["events"];
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0]["event"], "B");  // oldest evicted first, arrival order kept
  EXPECT_EQ(kept[2]["event"], "D");
}

TEST(MockStore, FiltersCombineAndReadingNeverDrains) {
  store s({});
  s.accept(event("track", "Open", "a", "1"));
  s.accept(event("track", "Open", "b", "2"));
  s.accept(event("identify", "", "a", "3"));
  EXPECT_EQ(s.events("track", "", "")["events"].size(), 2u);
  EXPECT_EQ(s.events("", "Open", "a")["events"].size(), 1u);
  EXPECT_EQ(s.events("", "", "a")["events"].size(), 2u);
  EXPECT_EQ(s.events("page", "", "")["events"].size(), 0u);
  EXPECT_EQ(s.events("", "", "")["events"].size(), 3u);
}

TEST(MockStore, RequestLogRejectionsAndReset) {
  store s({});
  EXPECT_EQ(s.next_request_id(), 1u);
  s.log_request({{"id", 1}}, 200);
  s.log_request({{"id", 2}}, 503);
  s.log_request({{"id", 3}}, 503);
  s.reject(json{{"type", "track"}}, "missing userId and anonymousId", 1);
  auto stats = s.stats();
  EXPECT_EQ(stats["requests"], 3);
  EXPECT_EQ(stats["by_status"], json({{"200", 1}, {"503", 2}}));
  EXPECT_EQ(stats["events_rejected"], 1);
  EXPECT_EQ(s.requests()["requests"][1]["status"], 503);
  EXPECT_EQ(s.rejected()["rejected"][0]["reason"], "missing userId and anonymousId");
  s.add_fault({.status = 503});
  s.reset();
  stats = s.stats();
  EXPECT_EQ(stats["requests"], 0);
  EXPECT_EQ(stats["events_rejected"], 0);
  EXPECT_TRUE(s.requests()["requests"].empty());
  EXPECT_TRUE(s.rejected()["rejected"].empty());
  EXPECT_EQ(stats["faults_queued"], 1);  // reset keeps the script: DELETE /admin/faults clears it
}

TEST(MockStore, ScriptedFaultsFirstThenTheMode) {
  store s({});
  EXPECT_FALSE(s.next_fault());
  s.add_fault({.status = 503});
  s.add_fault({.action = "close"});
  s.current_mode = mode::error429;
  EXPECT_EQ(s.next_fault()->status, 503);
  EXPECT_EQ(s.next_fault()->action, "close");
  auto from_mode = s.next_fault();
  ASSERT_TRUE(from_mode);
  EXPECT_EQ(from_mode->status, 429);
  EXPECT_EQ(from_mode->retry_after, 1);
  s.current_mode = mode::error500;
  EXPECT_EQ(s.next_fault()->status, 500);
  s.current_mode = mode::blackhole;
  EXPECT_EQ(s.next_fault()->action, "blackhole");
  s.current_mode = mode::ok;
  EXPECT_FALSE(s.next_fault());
  EXPECT_EQ(parse_mode("error429"), mode::error429);
  EXPECT_FALSE(parse_mode("fast"));
}

TEST(MockFaultScript, ParsesWhatTheDocsShowAndRefusesTheRest) {
  struct row {
    const char* json_text;
    bool ok;
  };
  const row rows[] = {
      {R"({"status":503})", true},
      {R"({"status":429,"retry_after":2})", true},
      {R"({"delay_ms":1500})", true},
      {R"({"delay_ms":500,"status":500})", true},
      {R"({"action":"close"})", true},
      {R"({"action":"blackhole"})", true},
      {R"({"action":"reset"})", true},
      {R"({"action":"garbage"})", true},
      {R"({"action":"truncate","delay_ms":10})", true},
      {R"({})", false},
      {R"([])", false},
      {R"({"status":99})", false},
      {R"({"status":600})", false},
      {R"({"status":"503"})", false},
      {R"({"delay_ms":-1})", false},
      {R"({"action":"explode"})", false},
      {R"({"action":"close","status":503})", false},
      {R"({"retry_after":2})", false},
      {R"({"status":503,"colour":"red"})", false},
  };
  for (const auto& r : rows) {
    std::string error;
    auto f = fault::from_json(json::parse(r.json_text), error);
    EXPECT_EQ(f.has_value(), r.ok) << r.json_text << ": " << error;
    if (f) EXPECT_EQ(f->to_json(), json::parse(r.json_text)) << r.json_text;  // round trip
    if (!f) EXPECT_FALSE(error.empty()) << r.json_text;
  }
}

}  // namespace
}  // namespace mock_segment
