// The event catalog of CLI telemetry: event names, and the flow vocabulary (flows, steps,
// directions, outcomes) with stable string forms. Names never change once shipped: dashboards
// are built on them. Everything here is constexpr, pure and thread-safe.
#pragma once

#include <optional>
#include <string_view>
#include <type_traits>

namespace flowtrack::cli {

namespace event {
inline constexpr std::string_view command_invoked = "Command Invoked";
inline constexpr std::string_view command_completed = "Command Completed";
inline constexpr std::string_view flow_started = "Flow Started";
inline constexpr std::string_view flow_step = "Flow Step";
inline constexpr std::string_view flow_completed = "Flow Completed";
}  // namespace event

/// A multi-step flow an app defines, e.g. `inline constexpr cli::flow deploy{"deploy"};`
struct flow {
  std::string_view name;
};

/// A step of a flow; `order` gives the steps' sequence, so moving to a lower order is "back".
/// e.g. `inline constexpr cli::step build{2, "build"};`
struct step {
  int order = 0;
  std::string_view name;
  friend bool operator==(const step&, const step&) = default;
};

/// A step from an app's own strongly typed id: its value gives the order.
///   enum class deploy_step { validate = 1, build, upload, release };
///   inline constexpr cli::step build = cli::make_step(deploy_step::build, "build");
template <class Id>
  requires std::is_enum_v<Id>
constexpr step make_step(Id id, std::string_view name) noexcept {
  return step{static_cast<int>(id), name};
}

/// How the user moved between two steps.
enum class direction { forward, back, repeat };
/// How a flow ended.
enum class flow_outcome { completed, failed, cancelled };

constexpr std::string_view to_string(direction d) noexcept {
  switch (d) {
    case direction::forward: return "forward";
    case direction::back: return "back";
    case direction::repeat: return "repeat";
  }
  return "forward";
}

constexpr std::string_view to_string(flow_outcome o) noexcept {
  switch (o) {
    case flow_outcome::completed: return "completed";
    case flow_outcome::failed: return "failed";
    case flow_outcome::cancelled: return "cancelled";
  }
  return "completed";
}

constexpr std::optional<direction> parse_direction(std::string_view s) noexcept {
  if (s == "forward") return direction::forward;
  if (s == "back") return direction::back;
  if (s == "repeat") return direction::repeat;
  return std::nullopt;
}

constexpr std::optional<flow_outcome> parse_flow_outcome(std::string_view s) noexcept {
  if (s == "completed") return flow_outcome::completed;
  if (s == "failed") return flow_outcome::failed;
  if (s == "cancelled") return flow_outcome::cancelled;
  return std::nullopt;
}

/// The direction of a move from `from` to `to`.
constexpr direction direction_between(const step& from, const step& to) noexcept {
  if (to.order > from.order) return direction::forward;
  if (to.order < from.order) return direction::back;
  return direction::repeat;
}

}  // namespace flowtrack::cli
