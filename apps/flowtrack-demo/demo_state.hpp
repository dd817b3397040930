// flowtrack-demo's own files in its state directory: credentials (login) and the last delivery
// result shown by `telemetry status`. (The first-run notice mark is the library's, in
// telemetry_dir().)
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <flowtrack/cli/environment.hpp>
#include <flowtrack/stats.hpp>

namespace demo {

class demo_state {
 public:
  /// FLOWTRACK_STATE_DIR, else $XDG_STATE_HOME/flowtrack-demo, else ~/.local/state/flowtrack-demo.
  explicit demo_state(const flowtrack::cli::env_lookup& env);

  const std::filesystem::path& dir() const noexcept { return dir_; }
  std::filesystem::path telemetry_dir() const { return dir_ / "telemetry"; }

  std::optional<std::string> logged_in_user() const;
  bool login(const std::string& user) const;
  bool logout() const;

  void save_last_delivery(const flowtrack::close_report& r) const;
  std::string last_delivery() const;  ///< one line for `telemetry status`

 private:
  std::filesystem::path dir_;
};

}  // namespace demo
