// The six Segment message types, as plain aggregates built with designated initializers:
//
//   client.track({.user_id = "u1", .event = "Command Completed", .properties = {{"ok", true}}});
//
// A message needs user_id or anonymous_id (or both). Empty message_id: a UUIDv4 is generated.
// No timestamp: the time of the call is used. Both then stay the same on every retry.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace flowtrack {

using json = nlohmann::json;
using timestamp = std::chrono::system_clock::time_point;

/// `track`: the user did `event`. Needs a non-empty `event`.
struct track_message {
  std::string user_id;
  std::string anonymous_id;
  std::string event;
  json properties = json::object();
  json context = json::object();
  json integrations = json::object();
  std::optional<timestamp> time;
  std::string message_id;
};

/// `identify`: who the user is.
struct identify_message {
  std::string user_id;
  std::string anonymous_id;
  json traits = json::object();
  json context = json::object();
  json integrations = json::object();
  std::optional<timestamp> time;
  std::string message_id;
};

/// `page`: a web page view. `name` and `category` (Segment's page category, e.g. "Docs") may
/// be empty; an empty one is not sent.
struct page_message {
  std::string user_id;
  std::string anonymous_id;
  std::string name;
  std::string category;
  json properties = json::object();
  json context = json::object();
  json integrations = json::object();
  std::optional<timestamp> time;
  std::string message_id;
};

/// `screen`: a mobile or terminal screen view. `name` and `category` may be empty; an empty
/// one is not sent.
struct screen_message {
  std::string user_id;
  std::string anonymous_id;
  std::string name;
  std::string category;
  json properties = json::object();
  json context = json::object();
  json integrations = json::object();
  std::optional<timestamp> time;
  std::string message_id;
};

/// `group`: the user belongs to `group_id` (non-empty).
struct group_message {
  std::string user_id;
  std::string anonymous_id;
  std::string group_id;
  json traits = json::object();
  json context = json::object();
  json integrations = json::object();
  std::optional<timestamp> time;
  std::string message_id;
};

/// `alias`: `previous_id` (non-empty) and `user_id` (non-empty) are the same person.
struct alias_message {
  std::string user_id;
  std::string anonymous_id;
  std::string previous_id;
  json context = json::object();
  json integrations = json::object();
  std::optional<timestamp> time;
  std::string message_id;
};

}  // namespace flowtrack
