// libFuzzer target: mock-segment's HTTP entry past the wire parser, over arbitrary bodies: the
// ingest path (batch and single-message endpoints, gzip or not, validation, the store, the
// request log) and the admin API's JSON bodies. Nothing may crash, whatever the nesting or
// size (dictionary: fuzz_mock_ingest.dict).
#include <cstddef>
#include <cstdint>
#include <string>

#include "admin_api.hpp"
#include "ingest.hpp"
#include "store.hpp"
#include "validation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static mock_segment::store store({.max_events = 1000, .max_requests = 100, .max_rejected = 100});
  static std::uint64_t request_id = 0;
  const std::string body(reinterpret_cast<const char*>(data), size);
  for (const char* path : {"/v1/batch", "/v1/track"}) {
    flowtrack::http::request req;
    req.method = "POST";
    req.target = path;
    req.headers = {{"Authorization", "Basic a2V5Og=="}, {"Content-Type", "application/json"}};
    req.body = body;
    nlohmann::json entry = mock_segment::describe_request(req, ++request_id);
    (void)mock_segment::ingest(req, path == std::string("/v1/batch") ? "" : "track", {}, store, request_id, entry);
  }
  for (const char* admin : {"/admin/faults", "/admin/mode", "/admin/latest-version"}) {
    flowtrack::http::request req;
    req.method = "POST";
    req.target = admin;
    req.headers = {{"Content-Type", "application/json"}, {"Host", "127.0.0.1"}};
    req.body = body;
    (void)mock_segment::handle_admin(req, store);
  }
  store.clear_faults();  // scripted faults must not pile up across inputs
  return 0;
}
