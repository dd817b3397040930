// What the accepted events say, for the live page and GET /admin/summary: invocations (events in
// `sequence` order, outcome, duration, missing sequence numbers), per-command success rate and
// p50/p95 duration, per-flow funnels (reached, drop-off, back moves per step), and the latest raw
// events. Pure: computed from event records (event_record.hpp) and a query, no clock, no I/O.
//
// Definitions (docs/MOCK-SEGMENT.md, "Summary"):
// - an invocation groups the events sharing properties.invocation_id that have a positive integer
//   properties.sequence; any other event (from any client) is a row of its own, never dropped;
// - missing: the numbers in 1..max(sequence) that did not arrive; an event whose messageId and
//   sequence were both seen before in its invocation is a duplicate (a replay), counted not shown;
// - outcome, from the invocation's last Command Completed: succeeded (succeeded: true, or no
//   `succeeded` and exit_code 0), cancelled (error_class "cancelled" or user_cancelled: true),
//   otherwise failed; unknown without a Command Completed;
// - per command: success rate = succeeded / finished (succeeded + failed + cancelled); p50 and
//   p95 of duration_ms over finished runs, nearest rank;
// - a flow session starts at Flow Started (or at a flow's first event when that was lost) and
//   ends at Flow Completed; steps are in the catalog's order (step_order, then first seen); a
//   session reached a step if it entered it at least once; its drop-off is counted after the
//   furthest step it reached when it did not complete; a back move is counted at the step it
//   left (previous_step, `back_from`) and at the step it went to (`back_to`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "event_record.hpp"

namespace mock_segment {

struct summary_query {
  std::string command;                     ///< empty: every command
  std::optional<std::int64_t> since_ms;    ///< keep invocations whose time range overlaps [since, until]
  std::optional<std::int64_t> until_ms;
  std::size_t max_invocations = 100;       ///< the latest ones, in time order
  std::size_t max_events = 200;            ///< the latest matching raw events, in arrival order
};

enum class run_outcome { succeeded, failed, cancelled, unknown };
const char* to_string(run_outcome o);

struct invocation_summary {
  std::string id;                ///< invocation_id; empty for an event on its own row
  std::string ungrouped_reason;  ///< on its own row: "no invocation_id" or "no sequence"
  // The views point into the records, as `events` does.
  std::string_view command;
  std::optional<std::int64_t> first_ms, last_ms;
  std::string_view first_time, last_time;
  std::vector<const event_record*> events;  ///< by sequence (then arrival), duplicates left out
  run_outcome outcome = run_outcome::unknown;
  std::string_view error_class;
  std::optional<std::int64_t> exit_code, duration_ms;
  std::vector<std::int64_t> missing;  ///< the first missing_limit missing sequence numbers
  std::size_t missing_count = 0;
  std::size_t duplicates = 0;
  std::uint64_t first_index = 0;  ///< arrival index of its first event
};

struct command_summary {
  std::string command;
  std::size_t runs = 0, succeeded = 0, failed = 0, cancelled = 0, unknown = 0;
  std::optional<double> success_rate;        ///< nullopt: no finished run
  std::optional<std::int64_t> p50_ms, p95_ms;  ///< nullopt: no finished run with duration_ms
  std::vector<std::pair<std::string, std::size_t>> error_classes;  ///< most frequent first
};

struct flow_step_summary {
  std::string step;
  std::optional<std::int64_t> order;
  std::size_t reached = 0;    ///< sessions that entered it
  std::size_t entries = 0;    ///< times it was entered
  std::size_t back_from = 0;  ///< back moves leaving it
  std::size_t back_to = 0;    ///< back moves arriving at it
  std::size_t repeats = 0;    ///< moves to itself
  std::size_t drop_off = 0;   ///< sessions not completed whose furthest step it was
  std::size_t drop_off_failed = 0, drop_off_cancelled = 0, drop_off_unfinished = 0;
};

struct flow_summary {
  std::string flow;
  std::size_t sessions = 0;  ///< "started"
  std::size_t completed = 0, failed = 0, cancelled = 0, unfinished = 0;
  std::size_t dropped_before_first_step = 0;  ///< sessions not completed that entered no step
  std::size_t back_moves = 0;
  std::size_t ungrouped_events = 0;  ///< its events without invocation_id/sequence: not in the funnel
  std::vector<flow_step_summary> steps;
};

struct summary {
  std::size_t events_total = 0;        ///< records summarized
  std::size_t events_matched = 0;      ///< of them, in the rows that match the query
  std::size_t invocations_matched = 0; ///< rows (invocations and events on their own) matching the query
  std::size_t ungrouped_matched = 0;   ///< of them, events on their own row
  std::vector<std::string> commands_seen;       ///< every command, whatever the query, sorted
  std::vector<invocation_summary> invocations;  ///< the latest max_invocations matching rows
  std::vector<command_summary> commands;        ///< by name
  std::vector<flow_summary> flows;              ///< by name
  std::vector<const event_record*> events;      ///< the latest max_events matching events
};

inline constexpr std::size_t missing_limit = 100;

struct flow_part;

/// The summary kept up to date as records come and go (the store's): add() and remove_oldest()
/// cost one row's bookkeeping, and summarize() recomputes only the rows (invocations, events on
/// their own) that changed since it last ran; the rest is merging per-row results. The records
/// must stay at their address while indexed (a std::deque appended at the back and trimmed at
/// the front keeps them there). Not thread-safe.
class summary_index {
 public:
  summary_index();
  ~summary_index();
  summary_index(summary_index&&) noexcept;
  summary_index& operator=(summary_index&&) noexcept;
  summary_index(const summary_index&) = delete;
  summary_index& operator=(const summary_index&) = delete;

  /// `r` was appended to the records.
  void add(const event_record& r);
  /// `r`, the oldest record (the front), is about to be removed.
  void remove_oldest(const event_record& r);
  void clear();
  /// The summary of `records`: exactly the records added and not removed, in the same order.
  /// The result points into `records`: use it before they change.
  summary summarize(const std::deque<event_record>& records, const summary_query& query);

 private:
  struct entry;
  std::uint32_t new_entry();
  std::vector<entry> entries_;                                 // slots; a freed one is reused
  std::vector<std::uint32_t> free_;
  std::unordered_map<std::string, std::uint32_t> by_id_;      // invocation_id -> slot
  std::deque<std::uint32_t> slot_of_;                          // each record's slot, in step with the records
};

/// Summarizes `records` (arrival order) from scratch: summary_index over them, once. The result
/// points into `records`: use it before they change.
summary summarize(const std::deque<event_record>& records, const summary_query& query);

/// The q-quantile (0 < q <= 1) of ascending `sorted` by nearest rank: the ceil(q*n)-th value.
/// nullopt when empty.
std::optional<std::int64_t> nearest_rank(const std::vector<std::int64_t>& sorted, double q);

/// GET /admin/summary's body for `s` (without the `problems` the admin API adds).
nlohmann::json to_json(const summary& s);
nlohmann::json to_json(const event_record& r);

/// Why requests or messages were refused: the request-log entries whose status is not 200, that
/// had a fault applied or some message rejected, and the rejected messages, the latest `limit`
/// of each, newest first. `requests` and `rejected` are the store's logs (arrival order).
nlohmann::json problems(const std::deque<nlohmann::json>& requests, const std::deque<nlohmann::json>& rejected,
                        std::size_t limit);

}  // namespace mock_segment
