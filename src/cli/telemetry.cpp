// The two facades and their factory.
#include "flowtrack/cli/telemetry.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <iostream>

#include "cli/state_files.hpp"
#include "flowtrack/error.hpp"
#include "wire/uuid.hpp"

namespace flowtrack::cli {

std::string_view to_string(telemetry_state s) noexcept {
  switch (s) {
    case telemetry_state::enabled: return "enabled";
    case telemetry_state::debug_print: return "debug (printing events, sending nothing)";
    case telemetry_state::disabled_by_env: return "disabled by environment";
    case telemetry_state::disabled_by_setting: return "disabled by setting";
    case telemetry_state::no_write_key: return "disabled: no write key";
    case telemetry_state::unavailable: return "unavailable";
  }
  return "unknown";
}

namespace {

using namespace std::chrono_literals;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

nlohmann::json platform_properties() {
  utsname u{};
  if (::uname(&u) != 0) return {{"os", "unknown"}, {"arch", "unknown"}};
  return {{"os", lower(u.sysname)}, {"arch", std::string(u.machine)}};
}

class noop_telemetry final : public telemetry {
 public:
  noop_telemetry(telemetry_state why, std::chrono::milliseconds close_timeout)
      : state_(why), close_timeout_(close_timeout) {}
  std::error_code track(std::string_view, nlohmann::json) override { return {}; }
  asio::awaitable<close_report> async_close(std::chrono::steady_clock::time_point) override { co_return close_report{}; }
  telemetry_state state() const noexcept override { return state_; }
  const std::string& invocation_id() const noexcept override { return empty_; }
  const std::string& anonymous_id() const noexcept override { return empty_; }
  nlohmann::json base_properties() const override { return nlohmann::json::object(); }
  // The configured deadline even though there is nothing to close: the runner's after-hook
  // (e.g. an update check) gets the same time whether telemetry is on or off.
  std::chrono::milliseconds close_timeout() const noexcept override { return close_timeout_; }

 private:
  telemetry_state state_;
  std::chrono::milliseconds close_timeout_;
  std::string empty_;
};

class sink_telemetry final : public telemetry {
 public:
  sink_telemetry(std::shared_ptr<event_sink> sink, telemetry_state state, nlohmann::json base, std::string anonymous_id,
                 std::chrono::milliseconds close_timeout)
      : sink_(std::move(sink)),
        state_(state),
        invocation_id_(flowtrack::detail::make_uuid_v4()),
        anonymous_id_(std::move(anonymous_id)),
        base_(std::move(base)),
        close_timeout_(close_timeout) {
    base_["invocation_id"] = invocation_id_;
  }

  std::error_code track(std::string_view event, nlohmann::json properties) override try {
    if (event.empty()) return errc::invalid_message;
    track_message m;  // not designated: g++ warns about the fields left out
    m.anonymous_id = anonymous_id_;
    m.event = std::string(event);
    m.properties = properties.is_object() ? std::move(properties) : nlohmann::json::object();
    // Base properties last: a call site cannot override them.
    for (const auto& [key, value] : base_.items()) m.properties[key] = value;
    // Numbered at hand-off, so the numbers are gap-free among the events handed to the client
    // and (invocation_id, sequence) rebuilds their exact order.
    m.properties["sequence"] = sequence_.fetch_add(1, std::memory_order_relaxed) + 1;
    return sink_->send(m);
  } catch (...) {  // never throws (allocation failure, a throwing custom sink)
    return errc::invalid_message;
  }

  asio::awaitable<close_report> async_close(std::chrono::steady_clock::time_point deadline) override {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    co_return co_await sink_->close(std::max(left, 0ms));
  }

  telemetry_state state() const noexcept override { return state_; }
  const std::string& invocation_id() const noexcept override { return invocation_id_; }
  const std::string& anonymous_id() const noexcept override { return anonymous_id_; }
  nlohmann::json base_properties() const override { return base_; }
  std::chrono::milliseconds close_timeout() const noexcept override { return close_timeout_; }

 private:
  std::shared_ptr<event_sink> sink_;
  telemetry_state state_;
  std::string invocation_id_;
  std::string anonymous_id_;
  nlohmann::json base_;
  std::chrono::milliseconds close_timeout_;
  std::atomic<std::uint64_t> sequence_{0};
};

// The options' environment; an empty env_lookup reads as "no variables set".
const env_lookup& env_of(const telemetry_options& o) {
  static const env_lookup none = fixed_environment({});
  return o.env ? o.env : none;
}

std::string prefix_of(const telemetry_options& o) { return o.env_prefix.empty() ? cli::env_prefix(o.app.name) : o.env_prefix; }

std::filesystem::path state_dir_of(const telemetry_options& o) {
  if (!o.state_dir.empty()) return o.state_dir;
  if (auto dir = env_of(o)(prefix_of(o) + "_STATE_DIR"); dir && !dir->empty()) return *dir;
  return telemetry_state_dir(o.app.name, env_of(o));
}

// Opt-out by environment or setting, checked before anything is created.
std::optional<telemetry_state> opted_out(const telemetry_options& o, const std::filesystem::path& dir) {
  const std::string prefix = prefix_of(o);
  if (env_flag(env_of(o), "DO_NOT_TRACK") || env_flag(env_of(o), prefix + "_TELEMETRY_DISABLED"))
    return telemetry_state::disabled_by_env;
  if (detail::read_enabled_setting(dir) == false) return telemetry_state::disabled_by_setting;
  return std::nullopt;
}

std::chrono::milliseconds close_timeout_of(const telemetry_options& o) {
  if (auto v = env_of(o)(prefix_of(o) + "_CLOSE_TIMEOUT_MS")) {
    long long ms = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), ms);
    if (ec == std::errc{} && end == v->data() + v->size() && ms >= 0 && ms <= 600000) return std::chrono::milliseconds(ms);
  }
  return o.close_timeout;
}

}  // namespace

std::unique_ptr<telemetry> make_noop_telemetry(telemetry_state why, std::chrono::milliseconds close_timeout) {
  return std::make_unique<noop_telemetry>(why, close_timeout);
}

std::unique_ptr<telemetry> make_telemetry(asio::any_io_executor ex, telemetry_options o) {
  std::ostream& diag = o.diagnostics ? *o.diagnostics : std::cerr;
  const bool debug = env_flag(env_of(o), "DEBUG");
  auto fallback = [&](telemetry_state why) {
    if (debug) diag << o.app.name << ": telemetry " << to_string(why) << '\n';
    return make_noop_telemetry(why, close_timeout_of(o));
  };
  try {
    const std::string prefix = prefix_of(o);
    const auto dir = state_dir_of(o);
    if (auto why = opted_out(o, dir)) return fallback(*why);

    nlohmann::json base = {{"app", o.app.name}, {"app_version", o.app.version}, {"ci", running_in_ci(env_of(o))}};
    base.update(platform_properties());
    bool persisted = false;
    std::string anonymous_id = detail::load_or_create_anonymous_id(dir, persisted);
    const auto timeout = close_timeout_of(o);

    if (env_flag(env_of(o), prefix + "_TELEMETRY_DEBUG")) {
      std::shared_ptr<event_sink> printer = make_print_sink(diag);
      return std::make_unique<sink_telemetry>(printer, telemetry_state::debug_print, std::move(base), anonymous_id,
                                              timeout);
    }
    std::shared_ptr<event_sink> sink = o.sink;
    if (!sink) {
      config cfg = o.client;
      cfg.write_key = env_of(o)(prefix + "_WRITE_KEY").value_or(o.write_key);
      cfg.endpoint = env_of(o)(prefix + "_ENDPOINT").value_or(o.endpoint);
      if (cfg.write_key.empty()) return fallback(telemetry_state::no_write_key);
      if (!dir.empty()) cfg.spool_dir = dir / "spool";
      if (debug) {
        cfg.logger = [&diag, name = o.app.name](log_level, std::string_view line) {
          diag << name << ": telemetry: " << line << '\n';
        };
      }
      sink = make_client_sink(std::move(ex), std::move(cfg));
    }
    return std::make_unique<sink_telemetry>(std::move(sink), telemetry_state::enabled, std::move(base), anonymous_id,
                                            timeout);
  } catch (const std::exception&) {
    return fallback(telemetry_state::unavailable);
  }
}

telemetry_status read_status(const telemetry_options& o) {
  telemetry_status s;
  s.state_dir = state_dir_of(o);
  if (auto why = opted_out(o, s.state_dir)) {
    s.state = *why;
  } else if (env_flag(env_of(o), prefix_of(o) + "_TELEMETRY_DEBUG")) {
    s.state = telemetry_state::debug_print;
  } else if (env_of(o)(prefix_of(o) + "_WRITE_KEY").value_or(o.write_key).empty() && !o.sink) {
    s.state = telemetry_state::no_write_key;
  }
  s.anonymous_id = detail::read_anonymous_id(s.state_dir);
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(s.state_dir / "spool", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (it->path().extension() != ".spool") continue;
    ++s.spool_files;
    std::error_code size_ec;
    s.spool_bytes += it->file_size(size_ec);
  }
  return s;
}

std::error_code set_telemetry_enabled(const telemetry_options& o, bool enabled) {
  return detail::write_enabled_setting(state_dir_of(o), enabled);
}

}  // namespace flowtrack::cli
