// Counting the messages of an ingest body in one pass, without building a document: the parser
// of mock-segment's lean mode (--lean). It checks the whole JSON grammar (strings, escapes,
// UTF-8, numbers, literals, nesting) as strictly as the full mode's parser, but keeps nothing
// except counts and the write key.
#pragma once

#include <cstddef>
#include <string_view>

namespace mock_segment {

/// What lean_count() found in a body.
struct lean_result {
  std::size_t messages = 0;        ///< batch elements that are objects (a valid single-message body: 1)
  std::size_t non_objects = 0;     ///< batch elements that are not objects (the full mode rejects them)
  std::string_view write_key;      ///< the top-level "writeKey" string as written, between its quotes
  bool write_key_escaped = false;  ///< write_key contains escapes: decode it before comparing
  std::string_view error;          ///< non-empty: the request's 400 reason (parse_ingest_body's texts)
};

/// Scans a decoded ingest body once: `batch` for {"batch":[...],...} bodies (/v1/batch,
/// /v1/import), otherwise the body is one message object (/v1/track...). Allocation-free, no
/// recursion, any nesting depth. Refuses what parse_ingest_body() refuses, with its texts: a body
/// over max_batch_bytes, invalid JSON or a root that is not an object, no `batch` array, more
/// than max_batch_messages elements, an element (a single-message body: the body) over
/// max_message_bytes. Sizes are measured as written, not re-serialized; keys are compared as
/// written (no escapes decoded); of duplicate keys the last one counts, as in the full mode.
lean_result lean_count(std::string_view body, bool batch) noexcept;

}  // namespace mock_segment
