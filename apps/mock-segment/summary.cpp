#include "summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string_view>
#include <unordered_map>

namespace mock_segment {
using json = nlohmann::json;

namespace {

constexpr std::size_t top_error_classes = 5;

bool is(const event_record* r, std::string_view name) { return r->type == "track" && r->event == name; }

bool finished(run_outcome o) { return o != run_outcome::unknown; }

// Sorts a row's events by sequence, leaves replays out, finds the gaps, the command, the time
// range and the outcome.
void finish_row(invocation_summary& row) {
  auto& events = row.events;
  if (!row.id.empty()) {
    const auto by_sequence = [](const event_record* a, const event_record* b) { return a->sequence < b->sequence; };
    if (!std::is_sorted(events.begin(), events.end(), by_sequence))  // they usually arrive in order
      std::stable_sort(events.begin(), events.end(), by_sequence);
    // A replay (the same messageId at the same sequence) is one event delivered twice.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const event_record* e = events[i];
      bool replay = false;
      for (std::size_t j = kept; j-- > 0 && events[j]->sequence == e->sequence;)
        if (!e->message_id.empty() && events[j]->message_id == e->message_id) replay = true;
      if (replay) {
        ++row.duplicates;
      } else {
        events[kept++] = e;
      }
    }
    events.resize(kept);
    std::int64_t expected = 1;
    for (const event_record* e : events) {
      if (e->sequence < expected) continue;  // the same sequence again
      const std::int64_t gap = e->sequence - expected;
      row.missing_count += static_cast<std::size_t>(gap);
      for (std::int64_t n = expected; n < e->sequence && row.missing.size() < missing_limit; ++n)
        row.missing.push_back(n);
      expected = e->sequence + 1;
    }
  }
  for (const event_record* e : events) {
    if (row.command.empty() && !e->command.empty() && (is(e, "Command Invoked") || is(e, "Command Completed")))
      row.command = e->command;
    if (e->time_ms) {
      if (!row.first_ms || *e->time_ms < *row.first_ms) {
        row.first_ms = e->time_ms;
        row.first_time = e->time;
      }
      if (!row.last_ms || *e->time_ms >= *row.last_ms) {
        row.last_ms = e->time_ms;
        row.last_time = e->time;
      }
    }
  }
  if (row.command.empty()) {
    for (const event_record* e : events) {
      if (!e->command.empty()) {
        row.command = e->command;
        break;
      }
    }
  }
  for (std::size_t k = events.size(); k-- > 0;) {
    const event_record* e = events[k];
    if (!is(e, "Command Completed")) continue;
    const bool ok = e->succeeded ? *e->succeeded : e->exit_code == 0;
    if (ok) {
      row.outcome = run_outcome::succeeded;
    } else if (e->error_class == "cancelled" || e->user_cancelled) {
      row.outcome = run_outcome::cancelled;
    } else {
      row.outcome = run_outcome::failed;
    }
    row.error_class = ok ? std::string_view() : std::string_view(e->error_class);
    row.exit_code = e->exit_code;
    row.duration_ms = e->duration_ms;
    break;
  }
}

bool row_matches(const invocation_summary& row, const summary_query& q) {
  if (!q.command.empty() && row.command != q.command) return false;
  if (q.since_ms && (!row.last_ms || *row.last_ms < *q.since_ms)) return false;
  if (q.until_ms && (!row.first_ms || *row.first_ms > *q.until_ms)) return false;
  return true;
}

// Flows, steps, commands and error classes by name: few keys, looked up once per row or step. A
// vector with a last-hit shortcut (rows of one command come in runs) and, past a few keys, a hash
// index: no string comparisons of a tree's, which dominated the summary's cost.
template <class V>
class name_map {
 public:
  V& operator[](std::string_view key) {
    if (last_ < items_.size() && items_[last_].first == key) return items_[last_].second;
    if (index_.empty()) {
      for (std::size_t i = 0; i < items_.size(); ++i)
        if (items_[i].first == key) return items_[last_ = i].second;
    } else if (auto it = index_.find(key); it != index_.end()) {
      return items_[last_ = it->second].second;
    }
    last_ = items_.size();
    items_.emplace_back(key, V{});
    if (!index_.empty()) {
      index_.emplace(key, last_);
    } else if (items_.size() > 8) {
      for (std::size_t i = 0; i < items_.size(); ++i) index_.emplace(items_[i].first, i);
    }
    return items_.back().second;
  }
  /// The entries sorted by name.
  std::vector<std::pair<std::string_view, V>*> sorted() {
    std::vector<std::pair<std::string_view, V>*> out;
    for (auto& item : items_) out.push_back(&item);
    std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
    return out;
  }

 private:
  std::vector<std::pair<std::string_view, V>> items_;
  std::unordered_map<std::string_view, std::size_t> index_;
  std::size_t last_ = 0;
};

bool time_matches(const event_record& r, const summary_query& q) {
  if (q.since_ms && (!r.time_ms || *r.time_ms < *q.since_ms)) return false;
  if (q.until_ms && (!r.time_ms || *r.time_ms > *q.until_ms)) return false;
  return true;
}

std::vector<command_summary> command_summaries(const std::vector<const invocation_summary*>& matched) {
  struct acc {
    command_summary c;
    std::vector<std::int64_t> durations;
    name_map<std::size_t> errors;
  };
  name_map<acc> by_command;
  for (const invocation_summary* r : matched) {
    const auto& row = *r;
    if (row.command.empty()) continue;
    auto& a = by_command[row.command];
    auto& c = a.c;
    ++c.runs;
    switch (row.outcome) {
      case run_outcome::succeeded: ++c.succeeded; break;
      case run_outcome::failed: ++c.failed; break;
      case run_outcome::cancelled: ++c.cancelled; break;
      case run_outcome::unknown: ++c.unknown; break;
    }
    if (finished(row.outcome) && row.duration_ms) a.durations.push_back(*row.duration_ms);
    if (row.outcome == run_outcome::failed || row.outcome == run_outcome::cancelled)
      ++a.errors[row.error_class.empty() ? std::string_view("(none)") : row.error_class];
  }
  std::vector<command_summary> out;
  for (auto* item : by_command.sorted()) {
    auto& [name, a] = *item;
    auto& c = a.c;
    c.command = std::string(name);
    const std::size_t done = c.succeeded + c.failed + c.cancelled;
    if (done > 0) c.success_rate = static_cast<double>(c.succeeded) / static_cast<double>(done);
    auto& d = a.durations;
    std::sort(d.begin(), d.end());
    c.p50_ms = nearest_rank(d, 0.50);
    c.p95_ms = nearest_rank(d, 0.95);
    for (const auto* e : a.errors.sorted()) c.error_classes.emplace_back(std::string(e->first), e->second);
    std::stable_sort(c.error_classes.begin(), c.error_classes.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (c.error_classes.size() > top_error_classes) c.error_classes.resize(top_error_classes);
    out.push_back(std::move(c));
  }
  return out;
}

// Flow sessions, walked in sequence order within each invocation: each invocation's part is
// computed once (when it changes) and the parts of the matching invocations are merged.
enum class session_end { completed, failed, cancelled, unfinished };

struct session_part {
  std::string_view flow;
  std::vector<std::string_view> reached;  // distinct steps entered
  session_end end = session_end::unfinished;
};

struct step_part {
  std::string_view flow, step;
  std::optional<std::int64_t> order;
  std::uint64_t first_seen = std::numeric_limits<std::uint64_t>::max();
  std::size_t entries = 0, back_from = 0, back_to = 0, repeats = 0;
};

bool is_flow_event(const event_record* e) {
  return is(e, "Flow Started") || is(e, "Flow Step") || is(e, "Flow Completed");
}

}  // namespace

// What one invocation (or event on its own row) contributes to the funnels.
struct flow_part {
  std::vector<session_part> sessions;
  std::vector<step_part> steps;
  std::vector<std::pair<std::string_view, std::size_t>> back_moves;        // per flow
  std::vector<std::pair<std::string_view, std::size_t>> ungrouped_events;  // per flow

  template <class V>
  static std::size_t& count(V& v, std::string_view flow) {
    for (auto& [name, n] : v)
      if (name == flow) return n;
    return v.emplace_back(flow, 0).second;
  }
  step_part& step(std::string_view flow, std::string_view name, std::uint64_t seen_at) {
    auto it = std::find_if(steps.begin(), steps.end(), [&](const step_part& s) { return s.flow == flow && s.step == name; });
    step_part& st = it != steps.end() ? *it : steps.emplace_back(step_part{.flow = flow, .step = name});
    st.first_seen = std::min(st.first_seen, seen_at);
    return st;
  }

  explicit flow_part(const invocation_summary& row) {
    if (row.id.empty()) {
      for (const event_record* e : row.events)
        if (is_flow_event(e)) ++count(ungrouped_events, e->flow);
      return;
    }
    std::vector<std::pair<std::string_view, std::size_t>> open;  // flow -> its session's index
    auto find_open = [&](std::string_view flow) {
      return std::find_if(open.begin(), open.end(), [&](const auto& p) { return p.first == flow; });
    };
    auto open_session = [&](std::string_view flow, bool fresh) -> session_part& {
      auto it = find_open(flow);
      if (it != open.end() && !fresh) return sessions[it->second];
      if (it != open.end()) open.erase(it);  // a new Flow Started: the previous session never finished
      sessions.push_back({.flow = flow});
      open.emplace_back(flow, sessions.size() - 1);
      return sessions.back();
    };
    for (const event_record* e : row.events) {
      if (is(e, "Flow Started")) {
        open_session(e->flow, true);
      } else if (is(e, "Flow Step")) {
        session_part& s = open_session(e->flow, false);
        step_part& st = step(e->flow, e->step, e->index);
        ++st.entries;
        if (e->step_order && (!st.order || *e->step_order < *st.order)) st.order = e->step_order;
        if (std::find(s.reached.begin(), s.reached.end(), std::string_view(e->step)) == s.reached.end())
          s.reached.emplace_back(e->step);
        if (e->direction == "back") {
          ++count(back_moves, e->flow);
          ++st.back_to;
          if (!e->previous_step.empty()) ++step(e->flow, e->previous_step, e->index).back_from;
        } else if (e->direction == "repeat") {
          ++st.repeats;
        }
      } else if (is(e, "Flow Completed")) {
        session_part& s = open_session(e->flow, false);
        if (e->outcome == "completed") {
          s.end = session_end::completed;
        } else if (e->outcome == "cancelled") {
          s.end = session_end::cancelled;
        } else {
          s.end = session_end::failed;
        }
        open.erase(find_open(e->flow));
      }
    }
  }
};

namespace {

struct step_acc {
  flow_step_summary s;
  std::uint64_t first_seen = std::numeric_limits<std::uint64_t>::max();
};

struct flow_acc {
  std::vector<const session_part*> sessions;
  name_map<step_acc> steps;
  std::size_t back_moves = 0, ungrouped_events = 0;
};

std::vector<flow_summary> flow_summaries(const std::vector<const flow_part*>& parts) {
  name_map<flow_acc> flows;
  for (const flow_part* part : parts) {
    for (const auto& [flow, n] : part->ungrouped_events) flows[flow].ungrouped_events += n;
    for (const auto& [flow, n] : part->back_moves) flows[flow].back_moves += n;
    for (const session_part& s : part->sessions) flows[s.flow].sessions.push_back(&s);
    for (const step_part& p : part->steps) {
      step_acc& st = flows[p.flow].steps[p.step];
      st.first_seen = std::min(st.first_seen, p.first_seen);
      if (p.order && (!st.s.order || *p.order < *st.s.order)) st.s.order = p.order;
      st.s.entries += p.entries;
      st.s.back_from += p.back_from;
      st.s.back_to += p.back_to;
      st.s.repeats += p.repeats;
    }
  }
  std::vector<flow_summary> out;
  for (auto* item : flows.sorted()) {
    auto& [name, acc] = *item;
    flow_summary f;
    f.flow = std::string(name);
    f.back_moves = acc.back_moves;
    f.ungrouped_events = acc.ungrouped_events;
    std::vector<step_acc*> order;
    for (auto* step : acc.steps.sorted()) {
      step->second.s.step = std::string(step->first);
      order.push_back(&step->second);
    }
    std::sort(order.begin(), order.end(), [](const step_acc* a, const step_acc* b) {
      const auto ka = a->s.order.value_or(std::numeric_limits<std::int64_t>::max());
      const auto kb = b->s.order.value_or(std::numeric_limits<std::int64_t>::max());
      return ka != kb ? ka < kb : a->first_seen < b->first_seen;
    });
    name_map<std::size_t> position;
    for (std::size_t p = 0; p < order.size(); ++p) position[order[p]->s.step] = p;
    for (const session_part* s : acc.sessions) {
      ++f.sessions;
      switch (s->end) {
        case session_end::completed: ++f.completed; break;
        case session_end::failed: ++f.failed; break;
        case session_end::cancelled: ++f.cancelled; break;
        case session_end::unfinished: ++f.unfinished; break;
      }
      std::size_t furthest = 0;
      for (std::string_view step : s->reached) {
        const std::size_t p = position[step];
        ++order[p]->s.reached;
        furthest = std::max(furthest, p);
      }
      if (s->end == session_end::completed) continue;
      if (s->reached.empty()) {
        ++f.dropped_before_first_step;
        continue;
      }
      auto& st = order[furthest]->s;
      ++st.drop_off;
      if (s->end == session_end::failed) ++st.drop_off_failed;
      if (s->end == session_end::cancelled) ++st.drop_off_cancelled;
      if (s->end == session_end::unfinished) ++st.drop_off_unfinished;
    }
    for (const step_acc* st : order) f.steps.push_back(st->s);
    out.push_back(std::move(f));
  }
  return out;
}

template <class T>
void put(json& j, const char* name, const std::optional<T>& v) {
  if (v) j[name] = *v;
}
void put(json& j, const char* name, std::string_view v) {
  if (!v.empty()) j[name] = v;
}

}  // namespace

const char* to_string(run_outcome o) {
  switch (o) {
    case run_outcome::succeeded: return "succeeded";
    case run_outcome::failed: return "failed";
    case run_outcome::cancelled: return "cancelled";
    case run_outcome::unknown: return "unknown";
  }
  return "unknown";
}

std::optional<std::int64_t> nearest_rank(const std::vector<std::int64_t>& sorted, double q) {
  if (sorted.empty()) return std::nullopt;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

// One row of the summary: an invocation, or an event on its own row, with what it contributes,
// recomputed only when its events changed.
struct summary_index::entry {
  std::vector<const event_record*> arrived;  // arrival order
  bool dirty = true;
  bool live = false;
  invocation_summary row;
  std::unique_ptr<flow_part> flows;

  void refresh() {
    if (!dirty) return;
    std::string id = std::move(row.id);  // kept across the rebuild
    std::string reason = std::move(row.ungrouped_reason);
    std::vector<const event_record*> events = std::move(row.events);  // its capacity reused
    row = invocation_summary{};
    row.id = std::move(id);
    row.ungrouped_reason = std::move(reason);
    events.assign(arrived.begin(), arrived.end());
    row.events = std::move(events);
    row.first_index = arrived.front()->index;
    finish_row(row);
    flows = std::make_unique<flow_part>(row);
    dirty = false;
  }
};

summary_index::summary_index() = default;
summary_index::~summary_index() = default;
summary_index::summary_index(summary_index&&) noexcept = default;
summary_index& summary_index::operator=(summary_index&&) noexcept = default;

void summary_index::add(const event_record& r) {
  std::uint32_t slot = 0;
  if (r.grouped()) {
    auto it = by_id_.find(r.invocation_id);
    if (it == by_id_.end()) {
      slot = new_entry();
      entries_[slot].row.id = r.invocation_id;
      by_id_.emplace(r.invocation_id, slot);
    } else {
      slot = it->second;
    }
  } else {
    slot = new_entry();
    entries_[slot].row.ungrouped_reason = r.invocation_id.empty() ? "no invocation_id" : "no sequence";
  }
  entry& e = entries_[slot];
  e.arrived.push_back(&r);
  e.dirty = true;
  slot_of_.push_back(slot);
}

void summary_index::remove_oldest(const event_record& r) {
  if (slot_of_.empty()) return;
  const std::uint32_t slot = slot_of_.front();
  slot_of_.pop_front();
  entry& e = entries_[slot];
  // The oldest record overall is the oldest of its row.
  if (!e.arrived.empty() && e.arrived.front() == &r) e.arrived.erase(e.arrived.begin());
  e.dirty = true;
  if (!e.arrived.empty()) return;
  if (!e.row.id.empty()) by_id_.erase(e.row.id);
  e = entry{};
  free_.push_back(slot);
}

void summary_index::clear() {
  entries_.clear();
  free_.clear();
  by_id_.clear();
  slot_of_.clear();
}

std::uint32_t summary_index::new_entry() {
  std::uint32_t slot = 0;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  entries_[slot].live = true;
  return slot;
}

summary summary_index::summarize(const std::deque<event_record>& records, const summary_query& query) {
  summary s;
  s.events_total = records.size();
  name_map<char> commands;
  std::vector<char> matches(entries_.size(), 0);
  std::vector<const invocation_summary*> matched;
  std::vector<const flow_part*> parts;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    entry& e = entries_[i];
    if (!e.live) continue;
    e.refresh();
    if (!e.row.command.empty()) commands[e.row.command] = 1;
    if (!row_matches(e.row, query)) continue;
    matches[i] = 1;
    matched.push_back(&e.row);
    parts.push_back(e.flows.get());
    if (e.row.id.empty()) ++s.ungrouped_matched;
  }
  for (const auto* c : commands.sorted()) s.commands_seen.emplace_back(c->first);
  s.invocations_matched = matched.size();

  for (std::size_t k = records.size(); k-- > 0;) {
    if (!matches[slot_of_[k]] || !time_matches(records[k], query)) continue;
    ++s.events_matched;
    if (s.events.size() < query.max_events) s.events.push_back(&records[k]);
  }
  std::reverse(s.events.begin(), s.events.end());

  s.commands = command_summaries(matched);
  s.flows = flow_summaries(parts);

  std::sort(matched.begin(), matched.end(), [](const invocation_summary* a, const invocation_summary* b) {
    const auto ta = a->first_ms.value_or(std::numeric_limits<std::int64_t>::min());
    const auto tb = b->first_ms.value_or(std::numeric_limits<std::int64_t>::min());
    return ta != tb ? ta < tb : a->first_index < b->first_index;
  });
  const std::size_t from = matched.size() > query.max_invocations ? matched.size() - query.max_invocations : 0;
  for (std::size_t k = from; k < matched.size(); ++k) s.invocations.push_back(*matched[k]);
  return s;
}

summary summarize(const std::deque<event_record>& records, const summary_query& query) {
  summary_index index;
  for (const event_record& r : records) index.add(r);
  return index.summarize(records, query);
}


json to_json(const event_record& r) {
  json j = {{"index", r.index}};
  put(j, "type", r.type);
  put(j, "event", r.event);
  put(j, "user", r.user);
  put(j, "time", r.time);
  put(j, "invocation_id", r.invocation_id);
  if (r.sequence > 0) j["sequence"] = r.sequence;
  put(j, "command", r.command);
  put(j, "flow", r.flow);
  put(j, "step", r.step);
  put(j, "step_order", r.step_order);
  put(j, "previous_step", r.previous_step);
  put(j, "direction", r.direction);
  put(j, "outcome", r.outcome);
  put(j, "succeeded", r.succeeded);
  put(j, "exit_code", r.exit_code);
  put(j, "duration_ms", r.duration_ms);
  put(j, "error_class", r.error_class);
  if (r.user_cancelled) j["user_cancelled"] = true;
  put(j, "message_id", r.message_id);
  return j;
}

json to_json(const summary& s) {
  json invocations = json::array();
  for (const auto& row : s.invocations) {
    json j = {{"id", row.id}, {"outcome", to_string(row.outcome)}};
    put(j, "ungrouped_reason", row.ungrouped_reason);
    put(j, "command", row.command);
    put(j, "first_time", row.first_time);
    put(j, "last_time", row.last_time);
    put(j, "first_ms", row.first_ms);
    put(j, "last_ms", row.last_ms);
    put(j, "error_class", row.error_class);
    put(j, "exit_code", row.exit_code);
    put(j, "duration_ms", row.duration_ms);
    json events = json::array();
    for (const event_record* e : row.events) events.push_back(to_json(*e));
    j["events"] = std::move(events);
    j["missing"] = row.missing;
    j["missing_count"] = row.missing_count;
    j["duplicates"] = row.duplicates;
    invocations.push_back(std::move(j));
  }
  json commands = json::array();
  for (const auto& c : s.commands) {
    json j = {{"command", c.command}, {"runs", c.runs},         {"succeeded", c.succeeded},
              {"failed", c.failed},   {"cancelled", c.cancelled}, {"unknown", c.unknown}};
    put(j, "success_rate", c.success_rate);
    put(j, "p50_ms", c.p50_ms);
    put(j, "p95_ms", c.p95_ms);
    json errors = json::array();
    for (const auto& [cls, n] : c.error_classes) errors.push_back({{"error_class", cls}, {"count", n}});
    j["error_classes"] = std::move(errors);
    commands.push_back(std::move(j));
  }
  json flows = json::array();
  for (const auto& f : s.flows) {
    json steps = json::array();
    for (const auto& st : f.steps) {
      json j = {{"step", st.step},
                {"reached", st.reached},
                {"entries", st.entries},
                {"back_from", st.back_from},
                {"back_to", st.back_to},
                {"repeats", st.repeats},
                {"drop_off", st.drop_off},
                {"drop_off_failed", st.drop_off_failed},
                {"drop_off_cancelled", st.drop_off_cancelled},
                {"drop_off_unfinished", st.drop_off_unfinished}};
      put(j, "order", st.order);
      steps.push_back(std::move(j));
    }
    flows.push_back({{"flow", f.flow},
                     {"sessions", f.sessions},
                     {"completed", f.completed},
                     {"failed", f.failed},
                     {"cancelled", f.cancelled},
                     {"unfinished", f.unfinished},
                     {"dropped_before_first_step", f.dropped_before_first_step},
                     {"back_moves", f.back_moves},
                     {"ungrouped_events", f.ungrouped_events},
                     {"steps", std::move(steps)}});
  }
  json events = json::array();
  for (const event_record* e : s.events) events.push_back(to_json(*e));
  return {{"totals",
           {{"events", s.events_total},
            {"events_matched", s.events_matched},
            {"invocations_matched", s.invocations_matched},
            {"ungrouped_matched", s.ungrouped_matched},
            {"invocations_shown", s.invocations.size()},
            {"events_shown", s.events.size()}}},
          {"commands_seen", s.commands_seen},
          {"invocations", std::move(invocations)},
          {"commands", std::move(commands)},
          {"flows", std::move(flows)},
          {"events", std::move(events)}};
}

json problems(const std::deque<json>& requests, const std::deque<json>& rejected, std::size_t limit) {
  json refused = json::array();
  std::size_t refused_total = 0;
  for (std::size_t k = requests.size(); k-- > 0;) {
    const json& r = requests[k];
    const int status = r.value("status", 0);
    const bool faulted = r.contains("fault");
    const int rejected_messages = r.value("rejected", 0);
    if (status == 200 && !faulted && rejected_messages == 0) continue;
    ++refused_total;
    if (refused.size() >= limit) continue;
    json j = {{"id", r.value("id", 0)},
              {"path", r.value("path", "")},
              {"status", status},
              {"receivedAt", r.value("receivedAt", "")},
              {"accepted", r.value("accepted", 0)},
              {"rejected", rejected_messages}};
    std::string reason = r.value("reason", "");
    if (reason.empty() && status == 0) reason = "no answer";
    if (reason.empty() && rejected_messages > 0) reason = "some messages rejected";
    j["reason"] = reason;
    if (faulted) j["fault"] = r["fault"];
    refused.push_back(std::move(j));
  }
  json messages = json::array();
  for (std::size_t k = rejected.size(); k-- > 0 && messages.size() < limit;) {
    const json& entry = rejected[k];
    json j = {{"reason", entry.value("reason", "")}, {"requestId", entry.value("requestId", 0)}};
    if (auto m = entry.find("message"); m != entry.end() && m->is_object()) {
      if (auto t = m->find("type"); t != m->end() && t->is_string()) j["type"] = *t;
      if (auto e = m->find("event"); e != m->end() && e->is_string()) j["event"] = *e;
    }
    messages.push_back(std::move(j));
  }
  return {{"requests", std::move(refused)},
          {"requests_total", refused_total},
          {"messages", std::move(messages)},
          {"messages_total", rejected.size()}};
}

}  // namespace mock_segment
