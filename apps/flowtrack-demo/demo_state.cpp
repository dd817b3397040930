#include "demo_state.hpp"

#include <chrono>

#include <nlohmann/json.hpp>

#include "flowtrack/cli/state_file.hpp"

namespace demo {
namespace {

bool write_private(const std::filesystem::path& path, const std::string& content) {
  return !flowtrack::cli::write_state_file(path, content);
}

// Empty when missing, odd (a FIFO, a directory, a symlink) or over 64 KiB: never hangs or throws.
std::string read_file(const std::filesystem::path& path) {
  std::string s;
  if (flowtrack::cli::read_state_file(path, 64 << 10, s)) s.clear();
  return s;
}

}  // namespace

demo_state::demo_state(const flowtrack::cli::env_lookup& env) {
  if (auto d = env("FLOWTRACK_STATE_DIR"); d && !d->empty()) dir_ = *d;
  else if (auto x = env("XDG_STATE_HOME"); x && !x->empty()) dir_ = std::filesystem::path(*x) / "flowtrack-demo";
  else if (auto h = env("HOME"); h && !h->empty()) dir_ = std::filesystem::path(*h) / ".local/state/flowtrack-demo";
  else dir_ = std::filesystem::temp_directory_path() / "flowtrack-demo";
}

std::optional<std::string> demo_state::logged_in_user() const {
  auto j = nlohmann::json::parse(read_file(dir_ / "credentials"), nullptr, false);
  if (!j.is_object() || !j.contains("user") || !j["user"].is_string()) return std::nullopt;
  return j["user"].get<std::string>();
}

bool demo_state::login(const std::string& user) const {
  return write_private(dir_ / "credentials", nlohmann::json{{"user", user}, {"token", "demo-token"}}.dump() + "\n");
}

bool demo_state::logout() const {
  std::error_code ec;
  return std::filesystem::remove(dir_ / "credentials", ec);
}

void demo_state::save_last_delivery(const flowtrack::close_report& r) const {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  write_private(telemetry_dir() / "last_delivery.json",
                nlohmann::json{{"at_unix", now.count()}, {"delivered", r.delivered}, {"failed", r.failed},
                               {"spooled", r.spooled}, {"pending", r.pending}, {"dropped", r.dropped},
                               {"deadline_reached", r.deadline_reached},
                               // Why the spool failed, if it did: the errno's text (disk full...).
                               {"spool_problem", r.spool_system_error ? r.spool_system_error.message()
                                                 : r.spool_error      ? r.spool_error.message()
                                                                      : std::string()}}
                        .dump() +
                    "\n");
}

std::string demo_state::last_delivery() const try {
  auto j = nlohmann::json::parse(read_file(telemetry_dir() / "last_delivery.json"), nullptr, false);
  if (!j.is_object()) return "none yet";
  return std::to_string(j.value("delivered", 0)) + " delivered, " + std::to_string(j.value("spooled", 0)) +
         " spooled, " + std::to_string(j.value("failed", 0)) + " failed" +
         (j.value("deadline_reached", false) ? " (deadline reached)" : "") +
         (j.value("spool_problem", std::string()).empty() ? "" : "; spool: " + j.value("spool_problem", std::string()));
} catch (const nlohmann::json::exception&) {  // a field of the wrong type: someone else's file
  return "unreadable";
}

}  // namespace demo
