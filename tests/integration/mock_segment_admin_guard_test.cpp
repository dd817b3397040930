// mock-segment's pure guards, by table: the JSON depth bound every body walk relies on, and the
// refusal of state-changing admin requests a web page could have sent (CSRF).
#include <gtest/gtest.h>

#include <string>

#include "admin_api.hpp"
#include "validation.hpp"

namespace mock_segment {
namespace {

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(MockJsonDepth, DepthIsCountedOutsideStringsOnly) {
  struct row {
    std::string text;
    std::size_t limit;
    bool within;
  };
  const row rows[] = {
      {"{}", 1, true},
      {"[[]]", 1, false},
      {nested(512), 512, true},
      {nested(513), 512, false},
      {R"({"a":"[[[[[[[["})", 1, true},         // brackets in a string do not count
      {R"({"a":"\"[[[[["})", 1, true},           // nor after an escaped quote
      {R"({"a":"\\"}[[)", 1, false},             // an escaped backslash ends the escape
      {"]]]]]][", 1, true},                      // stray closers never go below zero
      {std::string(1 << 20, '['), 512, false},   // a megabyte of openers: refused, no recursion
  };
  for (const auto& r : rows) EXPECT_EQ(json_depth_within(r.text, r.limit), r.within) << r.text.substr(0, 40);
}

TEST(MockJsonDepth, BodiesNestedTooDeeplyAreA400BeforeAnythingWalksThem) {
  const std::string deep = R"({"batch":[{"type":"track","userId":"u","event":"E","properties":{"p":)" +
                           nested(20000) + "}}]}";
  const auto parsed = parse_ingest_body(deep, "");
  EXPECT_NE(parsed.error.find("nested too deeply"), std::string::npos) << parsed.error;
  EXPECT_TRUE(parse_bounded_json(nested(100000)).is_discarded());
  EXPECT_EQ(parse_bounded_json(R"({"mode":"ok"})")["mode"], "ok");
}

flowtrack::http::request admin_request(std::string method, std::string target, flowtrack::http::fields headers) {
  flowtrack::http::request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = std::move(headers);
  r.headers.push_back({"Host", "127.0.0.1:8080"});
  return r;
}

TEST(MockAdminGuard, StateChangingRequestsAWebPageCouldSendAreRefused) {
  struct row {
    const char* name;
    const char* method;
    const char* target;
    flowtrack::http::fields headers;
    const char* token;
    int refused_with;  // 0: allowed
  };
  const row rows[] = {
      {"JSON POST, no Origin", "POST", "/admin/mode", {{"Content-Type", "application/json"}}, "", 0},
      {"JSON POST, own Origin", "POST", "/admin/mode",
       {{"Content-Type", "application/json; charset=utf-8"}, {"Origin", "http://127.0.0.1:8080"}}, "", 0},
      {"text/plain POST (a page's simple request)", "POST", "/admin/mode", {{"Content-Type", "text/plain"}}, "", 415},
      {"form POST", "POST", "/admin/reset", {{"Content-Type", "application/x-www-form-urlencoded"}}, "", 415},
      {"POST without a type", "POST", "/admin/reset", {}, "", 415},
      {"JSON POST from another origin", "POST", "/admin/faults",
       {{"Content-Type", "application/json"}, {"Origin", "http://evil.example"}}, "", 403},
      {"DELETE from another origin", "DELETE", "/admin/faults", {{"Origin", "null"}}, "", 403},
      {"reads stay open, any origin", "GET", "/admin/events", {{"Origin", "http://evil.example"}}, "", 0},
      {"not admin", "POST", "/v1/batch", {{"Content-Type", "text/plain"}}, "", 0},
      {"token required, missing", "POST", "/admin/reset", {{"Content-Type", "application/json"}}, "s3cret", 401},
      {"token required, wrong", "DELETE", "/admin/faults", {{"Authorization", "Bearer nope"}}, "s3cret", 401},
      {"token required, given", "POST", "/admin/reset",
       {{"Content-Type", "application/json"}, {"Authorization", "Bearer s3cret"}}, "s3cret", 0},
      {"token never needed to read", "GET", "/admin/stats", {}, "s3cret", 0},
  };
  for (const auto& r : rows) {
    const auto refusal = admin_request_refusal(admin_request(r.method, r.target, r.headers), r.token);
    EXPECT_EQ(refusal ? refusal->status : 0, r.refused_with) << r.name;
  }
}

}  // namespace
}  // namespace mock_segment
