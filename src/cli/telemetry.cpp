// The two facades and their factory.
#include "flowtrack/cli/telemetry.hpp"

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <iostream>
#include <tuple>
#include <unordered_set>

#include <asio/system_executor.hpp>

#include "cli/drainer_lock.hpp"
#include "cli/handoff_close.hpp"
#include "cli/standard_context.hpp"
#include "cli/state_files.hpp"
#include "common/regular_file.hpp"
#include "flowtrack/cli/notice.hpp"
#include "flowtrack/endpoint.hpp"
#include "flowtrack/error.hpp"
#include "flowtrack/spool_census.hpp"
#include "flowtrack/uuid.hpp"

namespace flowtrack::cli {

std::string_view to_string(telemetry_state s) noexcept {
  switch (s) {
    case telemetry_state::enabled: return "enabled";
    case telemetry_state::debug_print: return "debug (printing events, sending nothing)";
    case telemetry_state::disabled_by_env: return "disabled by environment";
    case telemetry_state::disabled_by_setting: return "disabled by setting";
    case telemetry_state::no_write_key: return "disabled: no write key";
    case telemetry_state::unavailable: return "unavailable";
    case telemetry_state::awaiting_notice: return "waiting for the first-run notice (nothing sent yet)";
  }
  return "unknown";
}

std::string_view state_name(telemetry_state s) noexcept {
  switch (s) {
    case telemetry_state::enabled: return "enabled";
    case telemetry_state::debug_print: return "debug_print";
    case telemetry_state::disabled_by_env: return "disabled_by_env";
    case telemetry_state::disabled_by_setting: return "disabled_by_setting";
    case telemetry_state::no_write_key: return "no_write_key";
    case telemetry_state::unavailable: return "unavailable";
    case telemetry_state::awaiting_notice: return "awaiting_notice";
  }
  return "unknown";
}

const std::vector<std::string_view>& collected_fields() noexcept {
  // Base properties (every event), then the catalog's: keep in step with sink_telemetry, the
  // command runner and flow_tracker (a unit test compares them with what is sent).
  static const std::vector<std::string_view> fields = {
      "app", "app_version", "os", "arch", "ci", "invocation_id", "sequence", "anonymous_id",
      "command", "flags (names only)", "succeeded", "exit_code", "duration_ms", "error_class", "user_cancelled",
      "flow", "step", "step_order", "previous_step", "direction", "elapsed_ms", "outcome", "last_step",
      "steps_entered"};
  return fields;
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
  telemetry_state state() const noexcept override { return state_; }
  const std::string& invocation_id() const noexcept override { return empty_; }
  const std::string& anonymous_id() const noexcept override { return empty_; }
  nlohmann::json base_properties() const override { return nlohmann::json::object(); }
  // The configured deadline even though there is nothing to close: the runner's after-hook
  // (e.g. an update check) gets the same time whether telemetry is on or off.
  std::chrono::milliseconds close_timeout() const noexcept override { return close_timeout_; }

 protected:
  asio::awaitable<std::error_code> flush_awaitable() override { co_return std::error_code{}; }
  asio::awaitable<close_report> close_awaitable(std::chrono::milliseconds) override { co_return close_report{}; }
  // Nothing to run, and no executor given: completions go to the handler's own executor.
  asio::any_io_executor operation_executor() const override { return asio::system_executor(); }

 private:
  telemetry_state state_;
  std::chrono::milliseconds close_timeout_;
  std::string empty_;
};

class sink_telemetry final : public telemetry {
 public:
  sink_telemetry(asio::any_io_executor ex, std::shared_ptr<event_sink> sink, telemetry_state state, nlohmann::json base,
                 std::string anonymous_id, std::chrono::milliseconds close_timeout,
                 std::optional<detail::handoff_context> handoff = std::nullopt)
      : ex_(std::move(ex)),
        sink_(std::move(sink)),
        handoff_context_(std::move(handoff)),
        state_(state),
        invocation_id_(flowtrack::make_uuid_v4()),
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

  handoff_outcome handoff() const noexcept override { return handoff_.load(std::memory_order_relaxed); }

  telemetry_state state() const noexcept override { return state_; }
  const std::string& invocation_id() const noexcept override { return invocation_id_; }
  const std::string& anonymous_id() const noexcept override { return anonymous_id_; }
  nlohmann::json base_properties() const override { return base_; }
  std::chrono::milliseconds close_timeout() const noexcept override { return close_timeout_; }

 protected:
  asio::awaitable<std::error_code> flush_awaitable() override { co_return co_await sink_->flush(); }

  asio::awaitable<close_report> close_awaitable(std::chrono::milliseconds timeout) override {
    if (!handoff_context_) co_return co_await sink_->close(std::max(timeout, 0ms));
    handoff_outcome outcome = handoff_outcome::none;
    auto report = co_await detail::close_with_handoff(*sink_, *handoff_context_, std::max(timeout, 0ms), outcome);
    handoff_.store(outcome, std::memory_order_relaxed);
    co_return report;
  }
  asio::any_io_executor operation_executor() const override { return ex_; }

 private:
  asio::any_io_executor ex_;
  std::shared_ptr<event_sink> sink_;
  std::optional<detail::handoff_context> handoff_context_;
  std::atomic<handoff_outcome> handoff_{handoff_outcome::none};
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
  if (telemetry_opted_out_by_env(env_of(o), prefix_of(o))) return telemetry_state::disabled_by_env;
  if (detail::read_enabled_setting(dir) == false) return telemetry_state::disabled_by_setting;
  return std::nullopt;
}

bool debug_printing(const telemetry_options& o) { return env_flag(env_of(o), prefix_of(o) + "_TELEMETRY_DEBUG"); }

std::string write_key_of(const telemetry_options& o) { return env_of(o)(prefix_of(o) + "_WRITE_KEY").value_or(o.write_key); }
std::string endpoint_of(const telemetry_options& o) { return env_of(o)(prefix_of(o) + "_ENDPOINT").value_or(o.endpoint); }

// The facts of the first-run notice rule (opt-outs are checked before: not opted out here).
notice_action notice_gate(const telemetry_options& o, const std::filesystem::path& dir) {
  if (!o.notice.enabled) return notice_action::send;
  notice_facts f;
  f.notice_shown = detail::notice_shown(dir);
  f.hidden = env_flag(env_of(o), notice_hide_variable(prefix_of(o)));
  f.in_ci = running_in_ci(env_of(o));
  f.stderr_is_terminal = o.notice.stderr_is_terminal.value_or(::isatty(STDERR_FILENO) == 1);
  return decide_notice(f);
}

// Where events go, as the client's own URL parser reads the endpoint: "host[:port]" (the port
// when not the scheme's default), never a path or a key. Empty for an endpoint the client
// cannot use (config_problems says so).
std::string host_of(const std::string& url) {
  flowtrack::endpoint_url ep;
  return flowtrack::parse_endpoint(url, ep) ? std::string() : ep.host_header;
}

std::string reason_for(const telemetry_options& o, telemetry_state s, bool in_ci) {
  const std::string prefix = prefix_of(o);
  switch (s) {
    case telemetry_state::enabled:
      if (!o.notice.enabled) return "on";
      return "on: the first-run notice was shown (or " + notice_hide_variable(prefix) + " is set)";
    case telemetry_state::debug_print: return prefix + "_TELEMETRY_DEBUG is set: events are printed on stderr, none sent";
    case telemetry_state::disabled_by_env:
      return env_flag(env_of(o), "DO_NOT_TRACK") ? "DO_NOT_TRACK is set" : prefix + "_TELEMETRY_DISABLED is set";
    case telemetry_state::disabled_by_setting: return "`" + o.app.name + " telemetry disable` was run";
    case telemetry_state::no_write_key: return "no write key (" + prefix + "_WRITE_KEY)";
    case telemetry_state::unavailable: return "the client could not be created";
    case telemetry_state::awaiting_notice:
      return in_ci ? "CI without a terminal: the notice cannot be read there; set " + notice_hide_variable(prefix) +
                         "=1 to acknowledge it"
                   : "the next command shows the first-run notice and sends nothing; the ones after it send";
  }
  return {};
}

// A whole number of milliseconds in [lo, hi] from `name`, else nullopt (unset or unusable).
std::optional<std::chrono::milliseconds> env_milliseconds(const telemetry_options& o, const std::string& name, long long lo,
                                                          long long hi) {
  auto v = env_of(o)(name);
  if (!v) return std::nullopt;
  long long ms = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), ms);
  if (ec != std::errc{} || end != v->data() + v->size() || ms < lo || ms > hi) return std::nullopt;
  return std::chrono::milliseconds(ms);
}

constexpr long long max_close_timeout_ms = 600000;

std::chrono::milliseconds close_timeout_of(const telemetry_options& o) {
  return env_milliseconds(o, prefix_of(o) + "_CLOSE_TIMEOUT_MS", 0, max_close_timeout_ms).value_or(o.close_timeout);
}

constexpr long long max_grace_ms = 600000;
constexpr long long max_lifetime_ms = 24LL * 3600 * 1000;

// The handoff settings with the environment's overrides.
handoff_options handoff_of(const telemetry_options& o) {
  handoff_options h = o.handoff;
  const std::string prefix = prefix_of(o);
  if (env_flag(env_of(o), prefix + "_NO_TELEMETRY_HANDOFF")) h.enabled = false;
  if (auto g = env_milliseconds(o, prefix + "_TELEMETRY_HANDOFF_GRACE_MS", 0, max_grace_ms)) h.grace = *g;
  if (auto l = env_milliseconds(o, prefix + "_TELEMETRY_DRAINER_LIFETIME_MS", 1, max_lifetime_ms)) h.drainer_lifetime = *l;
  return h;
}

// What is wrong with the settings, one sentence each, never a secret: a bad value that falls
// back (the close deadline) or keeps telemetry from starting (the endpoint, the write key).
std::vector<std::string> config_problems(const telemetry_options& o) {
  std::vector<std::string> out;
  const std::string prefix = prefix_of(o);
  for (const auto& [name, lo, hi, fallback] :
       {std::tuple{prefix + "_CLOSE_TIMEOUT_MS", 0LL, max_close_timeout_ms, o.close_timeout},
        std::tuple{prefix + "_TELEMETRY_HANDOFF_GRACE_MS", 0LL, max_grace_ms, o.handoff.grace},
        std::tuple{prefix + "_TELEMETRY_DRAINER_LIFETIME_MS", 1LL, max_lifetime_ms, o.handoff.drainer_lifetime}}) {
    if (env_of(o)(name) && !env_milliseconds(o, name, lo, hi))
      out.push_back(name + " is not a whole number of milliseconds in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                    "]: the default " + std::to_string(std::chrono::milliseconds(fallback).count()) + " ms applies");
  }
  flowtrack::endpoint_url ep;
  if (flowtrack::parse_endpoint(endpoint_of(o), ep))
    out.push_back("the endpoint (" + prefix + "_ENDPOINT or the app's default) is not http(s)://host[:port]: nothing can be sent");
  const std::string key = write_key_of(o);
  if (std::any_of(key.begin(), key.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    out.push_back("the write key (" + prefix + "_WRITE_KEY) holds control characters: the client cannot use it");
  return out;
}

}  // namespace

std::unique_ptr<telemetry> make_noop_telemetry(telemetry_state why, std::chrono::milliseconds close_timeout) {
  return std::make_unique<noop_telemetry>(why, close_timeout);
}

std::unique_ptr<telemetry> make_telemetry(const asio::any_io_executor& ex, telemetry_options o) {
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
    if (debug)
      for (const auto& problem : config_problems(o)) diag << o.app.name << ": telemetry: " << problem << '\n';
    const bool debug_print = debug_printing(o);
    std::string write_key = write_key_of(o);
    if (!debug_print && !o.sink && write_key.empty()) return fallback(telemetry_state::no_write_key);
    if (!debug_print) {
      // Consent before sending: the run that shows the notice sends nothing and opens no client
      // (so no spool is replayed or created); nothing but the mark is written.
      const notice_action gate = notice_gate(o, dir);
      if (gate == notice_action::show_and_hold) {
        std::ostream& out = o.notice.out ? *o.notice.out : std::cerr;
        out << (o.notice.text.empty() ? default_notice_text(o.app.name, prefix, o.docs) : o.notice.text);
        out.flush();
        (void)detail::write_notice_mark(dir);  // unwritable: the notice shows again next time
      }
      if (!sends(gate)) return fallback(telemetry_state::awaiting_notice);
    }

    nlohmann::json base = {{"app", o.app.name}, {"app_version", o.app.version}, {"ci", running_in_ci(env_of(o))}};
    base.update(platform_properties());
    bool persisted = false;
    std::string anonymous_id = detail::load_or_create_anonymous_id(dir, persisted);
    const auto timeout = close_timeout_of(o);

    if (debug_print) {
      std::shared_ptr<event_sink> printer = make_print_sink(diag);
      return std::make_unique<sink_telemetry>(ex, printer, telemetry_state::debug_print, std::move(base), anonymous_id,
                                              timeout);
    }
    std::shared_ptr<event_sink> sink = o.sink;
    if (!sink) {
      config cfg = o.client;
      // The connection opens while the command works (the client starts at its first event),
      // so the close's grace is left for the request alone.
      cfg.preconnect = true;
      cfg.write_key = std::move(write_key);
      cfg.endpoint = endpoint_of(o);
      // Segment's standard context.app and context.os, for every message of every batch (the
      // base properties app, app_version, os and arch stay: pipelines read them today).
      cfg.default_context = detail::standard_context(std::move(cfg.default_context), o.app.name, o.app.version);
      if (!dir.empty()) cfg.spool_dir = dir / "spool";
      if (debug) {
        cfg.logger = [&diag, name = o.app.name](log_level, std::string_view line) {
          diag << name << ": telemetry: " << line << '\n';
        };
      }
      detail::handoff_context handoff{.options = handoff_of(o), .state_dir = dir, .client = cfg,
                                      .debug = debug ? &diag : nullptr, .app_name = o.app.name};
      handoff.client.logger = nullptr;
      sink = make_client_sink(ex, std::move(cfg));
      return std::make_unique<sink_telemetry>(ex, std::move(sink), telemetry_state::enabled, std::move(base), anonymous_id,
                                              timeout, std::move(handoff));
    }
    return std::make_unique<sink_telemetry>(ex, std::move(sink), telemetry_state::enabled, std::move(base),
                                            anonymous_id, timeout);
  } catch (const std::exception&) {
    return fallback(telemetry_state::unavailable);
  }
}

telemetry_status read_status(const telemetry_options& o) try {
  telemetry_status s;
  s.state_dir = state_dir_of(o);
  if (auto why = opted_out(o, s.state_dir)) {
    s.state = *why;
  } else if (debug_printing(o)) {
    s.state = telemetry_state::debug_print;
  } else if (write_key_of(o).empty() && !o.sink) {
    s.state = telemetry_state::no_write_key;
  } else if (!sends(notice_gate(o, s.state_dir))) {
    s.state = telemetry_state::awaiting_notice;
  }
  s.reason = reason_for(o, s.state, running_in_ci(env_of(o)));
  s.config_problems = config_problems(o);
  s.anonymous_id = detail::read_anonymous_id(s.state_dir);
  s.notice_shown = detail::notice_shown(s.state_dir);
  s.endpoint_host = host_of(endpoint_of(o));
  for (auto f : collected_fields()) s.collected.emplace_back(f);
  s.docs = o.docs;
  const auto census = flowtrack::take_spool_census(s.state_dir / "spool", /*skip_locked=*/false);
  s.spool_files = census.files;
  s.spool_bytes = census.bytes;
  s.pending_events = census.pending_events;
  s.spool_unreadable = census.unreadable;
  const auto drainer = probe_drainer(s.state_dir);
  s.drainer_running = drainer.running;
  s.drainer_pid = drainer.pid;
  s.handoff_enabled = handoff_of(o).enabled;
  s.handoff_pending = detail::handoff_mark_present(s.state_dir);
  return s;
} catch (...) {  // allocation failure: an empty status rather than an exception
  return {};
}

nlohmann::json to_json(const telemetry_status& s) {
  return {{"state", std::string(state_name(s.state))},
          {"state_text", std::string(to_string(s.state))},
          {"reason", s.reason},
          {"state_dir", s.state_dir.string()},
          {"anonymous_id", s.anonymous_id},
          {"notice_shown", s.notice_shown},
          {"endpoint_host", s.endpoint_host},
          {"collected", s.collected},
          {"config_problems", s.config_problems},
          {"spool", {{"files", s.spool_files}, {"bytes", s.spool_bytes}, {"pending_events", s.pending_events}, {"unreadable", s.spool_unreadable}}},
          {"handoff", {{"enabled", s.handoff_enabled}, {"pending", s.handoff_pending}, {"drainer_running", s.drainer_running}, {"drainer_pid", s.drainer_pid}}},
          {"docs", s.docs}};
}

std::error_code set_telemetry_enabled(const telemetry_options& o, bool enabled) {
  return detail::write_enabled_setting(state_dir_of(o), enabled);
}

}  // namespace flowtrack::cli
