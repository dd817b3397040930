#include "store.hpp"

namespace mock_segment {

std::optional<mode> parse_mode(std::string_view text) {
  if (text == "ok") return mode::ok;
  if (text == "blackhole") return mode::blackhole;
  if (text == "error500") return mode::error500;
  if (text == "error429") return mode::error429;
  return std::nullopt;
}

const char* to_string(mode m) {
  switch (m) {
    case mode::ok: return "ok";
    case mode::blackhole: return "blackhole";
    case mode::error500: return "error500";
    case mode::error429: return "error429";
  }
  return "ok";
}

void store::accept(nlohmann::json event) {
  ++accepted_;
  if (auto it = event.find("messageId"); it != event.end() && it->is_string()) {
    if (seen_ids_[it->get<std::string>()]++ > 0) ++duplicates_;
  }
  records_.push_back(make_record(event, ++record_index_));
  index_.add(records_.back());
  events_.push_back(std::move(event));
  while (events_.size() > limits_.max_events) {
    events_.pop_front();
    index_.remove_oldest(records_.front());
    records_.pop_front();
    ++evicted_;
  }
  changed();
}

void store::reject(nlohmann::json message, std::string reason, std::uint64_t request_id) {
  ++rejected_count_;
  rejected_.push_back({{"reason", std::move(reason)}, {"message", std::move(message)}, {"requestId", request_id}});
  while (rejected_.size() > limits_.max_rejected) rejected_.pop_front();
  changed();
}

void store::count_request(int status) {
  ++request_count_;
  ++by_status_[status];
  changed();
}

void store::log_request(nlohmann::json entry, int status) {
  count_request(status);
  entry["status"] = status;
  requests_.push_back(std::move(entry));
  while (requests_.size() > limits_.max_requests) requests_.pop_front();
}

void store::reset() {
  events_.clear();
  index_.clear();
  records_.clear();
  record_index_ = 0;
  rejected_.clear();
  requests_.clear();
  seen_ids_.clear();
  accepted_ = rejected_count_ = duplicates_ = evicted_ = request_count_ = body_bytes_ = 0;
  by_status_.clear();
  changed();
}

nlohmann::json store::events(std::string_view type, std::string_view event, std::string_view user_id) const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : events_) {
    if (!type.empty() && e.value("type", "") != type) continue;
    if (!event.empty() && e.value("event", "") != event) continue;
    if (!user_id.empty() && e.value("userId", "") != user_id) continue;
    out.push_back(e);
  }
  return {{"events", std::move(out)}};
}

nlohmann::json store::rejected() const {
  return {{"rejected", nlohmann::json(std::vector<nlohmann::json>(rejected_.begin(), rejected_.end()))}};
}

nlohmann::json store::requests() const {
  return {{"requests", nlohmann::json(std::vector<nlohmann::json>(requests_.begin(), requests_.end()))}};
}

nlohmann::json store::stats() const {
  nlohmann::json statuses = nlohmann::json::object();
  for (const auto& [status, n] : by_status_) statuses[std::to_string(status)] = n;
  return {{"requests", request_count_},      {"events_accepted", accepted_}, {"events_rejected", rejected_count_},
          {"duplicates", duplicates_},       {"unique_message_ids", seen_ids_.size()},
          {"events_stored", events_.size()}, {"evicted", evicted_},          {"by_status", statuses},
          {"mode", to_string(current_mode)}, {"faults_queued", faults_.size()},
          {"body_bytes", body_bytes_},       {"lean", lean}};
}

nlohmann::json store::faults() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : faults_) out.push_back(f.to_json());
  return {{"faults", out}, {"mode", to_string(current_mode)}};
}

std::optional<fault> store::next_fault() {
  if (!faults_.empty()) {
    fault f = std::move(faults_.front());
    faults_.pop_front();
    return f;
  }
  switch (current_mode) {
    case mode::ok: return std::nullopt;
    case mode::blackhole: return fault{.action = "blackhole"};
    case mode::error500: return fault{.status = 500, .retry_after = -1, .delay_ms = 0, .action = {}};
    case mode::error429: return fault{.status = 429, .retry_after = 1, .delay_ms = 0, .action = {}};
  }
  return std::nullopt;
}

}  // namespace mock_segment
