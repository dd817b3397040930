#include "flowtrack/cli/flow_tracker.hpp"

namespace flowtrack::cli {

flow_tracker::flow_tracker(telemetry& t, flow f, clock_fn clock)
    : telemetry_(t), flow_(f), clock_(clock ? std::move(clock) : clock_fn([] { return std::chrono::steady_clock::now(); })) {
  started_ = clock_();
  telemetry_.track(event::flow_started, {{"flow", std::string(flow_.name)}});
}

std::chrono::milliseconds flow_tracker::duration() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_() - started_);
}

void flow_tracker::enter(const step& s) {
  if (finished_) return;
  nlohmann::json props = {{"flow", std::string(flow_.name)},
                          {"step", std::string(s.name)},
                          {"step_order", s.order},
                          {"elapsed_ms", duration().count()}};
  if (current_) {
    props["previous_step"] = std::string(current_->name);
    props["direction"] = std::string(to_string(direction_between(*current_, s)));
  } else {
    props["direction"] = std::string(to_string(direction::forward));
  }
  current_ = s;
  ++steps_entered_;
  telemetry_.track(event::flow_step, std::move(props));
}

void flow_tracker::finish(flow_outcome outcome, std::string_view error_class) {
  if (finished_) return;
  finished_ = true;
  nlohmann::json props = {{"flow", std::string(flow_.name)},
                          {"outcome", std::string(to_string(outcome))},
                          {"duration_ms", duration().count()},
                          {"steps_entered", steps_entered_}};
  if (current_) props["last_step"] = std::string(current_->name);
  if (outcome == flow_outcome::failed && !error_class.empty()) props["error_class"] = std::string(error_class);
  telemetry_.track(event::flow_completed, std::move(props));
}

}  // namespace flowtrack::cli
