// The ingest endpoints in lean mode (--lean): a sink for throughput benchmarks. The same
// authentication, gzip decoding and request-level limits as ingest(), but messages are only
// counted (lean_count), never parsed into documents, checked field by field or stored.
#pragma once

#include <optional>
#include <string>

#include "http/http_codec.hpp"
#include "ingest.hpp"
#include "store.hpp"

namespace mock_segment {

/// Handles an ingest request (`batch`: /v1/batch or /v1/import; otherwise a single-message
/// endpoint). Counts the objects of the batch as accepted and its other elements as rejected in
/// `s`. nullopt: accepted, the caller answers 200 {"success":true}; otherwise the refusal
/// (405, 401, 400 with parse_ingest_body's reasons). `scratch` receives a gzip body's decoding;
/// pass the same string each time to reuse its capacity.
std::optional<flowtrack::http::response> lean_ingest(const flowtrack::http::request& req, bool batch,
                                                     const ingest_options& options, store& s, std::string& scratch);

}  // namespace mock_segment
