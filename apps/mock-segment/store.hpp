// Everything mock-segment remembers: accepted events (capped, oldest evicted) and their summary
// records, rejected messages, the request log, counters, the fault script, the mode and the
// update-check answer. Single-threaded: the server runs one io_context thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "event_record.hpp"
#include "faults.hpp"
#include "summary.hpp"

namespace mock_segment {

enum class mode { ok, blackhole, error500, error429 };
std::optional<mode> parse_mode(std::string_view text);
const char* to_string(mode m);

struct store_limits {
  std::size_t max_events = 100000;
  std::size_t max_requests = 10000;
  std::size_t max_rejected = 10000;
};

class store {
 public:
  explicit store(store_limits limits) : limits_(limits) {}

  std::uint64_t next_request_id() { return ++request_counter_; }

  void accept(nlohmann::json event);
  void reject(nlohmann::json message, std::string reason, std::uint64_t request_id);
  /// Counts an ingest request by its status (0: no answer) and keeps its log entry.
  void log_request(nlohmann::json entry, int status);
  /// Counts an ingest request by its status without keeping anything (lean mode).
  void count_request(int status);
  /// Counts the bytes of an ingest request's body as received (before any gzip decoding).
  void count_body(std::size_t bytes) { body_bytes_ += bytes; }
  /// Counts accepted and rejected messages without keeping them (lean mode).
  void count_events(std::uint64_t accepted, std::uint64_t rejected) {
    accepted_ += accepted;
    rejected_count_ += rejected;
  }
  void reset();

  /// The summary records (event_record.hpp) of the events kept, in arrival order: one per event.
  const std::deque<event_record>& records() const { return records_; }
  /// The summary of the events kept (summary.hpp), recomputing only the invocations that changed
  /// since the last call. Points into records(): use it before the store changes.
  summary summarize(const summary_query& query) { return index_.summarize(records_, query); }
  const std::deque<nlohmann::json>& request_log() const { return requests_; }
  const std::deque<nlohmann::json>& rejected_log() const { return rejected_; }
  /// Grows whenever what the summary shows may have changed (events, rejections, requests,
  /// faults, mode, reset); never repeats, even across a reset.
  std::uint64_t revision() const { return revision_; }
  void changed() { ++revision_; }

  nlohmann::json events(std::string_view type, std::string_view event, std::string_view user_id) const;
  nlohmann::json rejected() const;
  nlohmann::json requests() const;
  nlohmann::json stats() const;

  // Faults and mode
  void add_fault(fault f) {
    faults_.push_back(std::move(f));
    changed();
  }
  void clear_faults() {
    faults_.clear();
    changed();
  }
  nlohmann::json faults() const;
  /// The next scripted fault, or one derived from the mode; nullopt: answer normally.
  std::optional<fault> next_fault();
  mode current_mode = mode::ok;
  bool lean = false;  ///< reported by stats(): events are counted, not kept

  // The update check answer (GET /cli/latest-version).
  std::string latest_version = "0.0.0";
  int latest_version_delay_ms = 0;

 private:
  store_limits limits_;
  std::uint64_t request_counter_ = 0;
  std::deque<nlohmann::json> events_;
  std::deque<event_record> records_;  // in step with events_
  summary_index index_;               // over records_
  std::uint64_t record_index_ = 0;
  std::uint64_t revision_ = 0;
  std::deque<nlohmann::json> rejected_;
  std::deque<nlohmann::json> requests_;
  std::unordered_map<std::string, std::uint32_t> seen_ids_;
  std::deque<fault> faults_;
  std::uint64_t accepted_ = 0, rejected_count_ = 0, duplicates_ = 0, evicted_ = 0, request_count_ = 0, body_bytes_ = 0;
  std::map<int, std::uint64_t> by_status_;
};

}  // namespace mock_segment
