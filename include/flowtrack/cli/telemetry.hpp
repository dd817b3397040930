// The CLI telemetry facade. One interface, two implementations: the real one (events go to an
// event_sink, normally the flowtrack client) and a no-op one. make_telemetry() never returns
// null: when telemetry is off or cannot work, it returns the no-op one and says why.
//
//   auto t = flowtrack::cli::make_telemetry(io.get_executor(), {.app = {"my-cli", "1.2.0"},
//                                                               .write_key = "KEY"});
//   t->track("Config Loaded", {{"profiles", 3}});   // + base properties, which win
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "flowtrack/cli/environment.hpp"
#include "flowtrack/cli/event_sink.hpp"
#include "flowtrack/cli/handoff.hpp"
#include "flowtrack/client.hpp"
#include "flowtrack/config.hpp"
#include "flowtrack/stats.hpp"

namespace flowtrack::cli {

struct app_info {
  std::string name;     ///< also the prefix of its variables: "my-cli" -> MY_CLI_*
  std::string version;
};

/// Why telemetry is on or off.
enum class telemetry_state {
  enabled,
  debug_print,          ///< <APP>_TELEMETRY_DEBUG: events printed on stderr, nothing sent
  disabled_by_env,      ///< DO_NOT_TRACK or <APP>_TELEMETRY_DISABLED
  disabled_by_setting,  ///< `<app> telemetry disable` (persisted in the state directory)
  no_write_key,
  unavailable,          ///< the client could not be created (bad endpoint...)
  awaiting_notice,      ///< the first-run notice was not shown yet (or is shown by this run): nothing sent
};
std::string_view to_string(telemetry_state s) noexcept;

/// The first-run notice (see notice.hpp for the rule it follows).
struct first_run_notice {
  /// False: no gate (the app has its own notice, or needs none); telemetry sends from the first run.
  bool enabled = true;
  /// Empty: default_notice_text(app name, prefix, docs).
  std::string text;
  /// Where it is written; null: stderr. Never stdout: a command's output stays its own.
  std::ostream* out = nullptr;
  /// Whether stderr is a terminal; nullopt: isatty(STDERR_FILENO).
  std::optional<bool> stderr_is_terminal;
};

struct telemetry_options {
  app_info app;
  /// Prefix of the app's variables; empty: env_prefix(app.name) ("my-cli" -> "MY_CLI").
  std::string env_prefix;
  /// Defaults; <APP>_WRITE_KEY and <APP>_ENDPOINT override them.
  std::string write_key;
  std::string endpoint = "https://api.segment.io";
  /// Empty: telemetry_state_dir(app.name, env).
  std::filesystem::path state_dir;
  /// The shared deadline of the final post and close; <APP>_CLOSE_TIMEOUT_MS overrides it.
  std::chrono::milliseconds close_timeout = std::chrono::seconds(3);
  /// Client settings (batching, retries...); write_key, endpoint, spool_dir and logger are set
  /// from the fields above.
  config client;
  env_lookup env = process_environment();
  /// Where DEBUG=1 diagnostics and <APP>_TELEMETRY_DEBUG events go (never stdout). Null: stderr.
  std::ostream* diagnostics = nullptr;
  /// Replaces the client as the destination of events (tests); null: the flowtrack client.
  std::shared_ptr<event_sink> sink;
  first_run_notice notice;
  /// Where the user reads about the telemetry (a URL or a path), for the notice and the status.
  std::string docs;
  /// Zero-wait exit (handoff.hpp): what async_close() cannot deliver within the grace goes to a
  /// detached drainer. Only with the flowtrack client as the sink and a state directory.
  handoff_options handoff;
};

/// The telemetry facade. track() and the accessors may be called from any thread; async_close()
/// from the executor's thread, once.
class telemetry {
 public:
  virtual ~telemetry() = default;

  /// Sends `event` with `properties` (a JSON object; anything else is ignored) merged with the
  /// base properties, which are written last so a call site cannot override them. Never blocks,
  /// never throws; completes (returns) once the event is handed to the sink.
  /// `sequence`: taken from an atomic counter at the moment the event is handed to the sink, so
  /// the numbers are unique and gap-free among the events handed over (1, 2, 3...), in hand-off
  /// order. An event refused before hand-off (empty name) takes no number; one the sink refuses
  /// (queue_full, closed) keeps its number, so a gap in what arrives means a lost event.
  /// Errors: errc::invalid_message (empty name), and the sink's (queue_full, closed). The no-op
  /// implementation returns success. Thread-safe: call from any thread.
  virtual std::error_code track(std::string_view event, nlohmann::json properties = nlohmann::json::object()) = 0;

  /// Delivers everything tracked before the call.
  /// Completion: when those events are delivered or failed (the client's retry budget bounds it).
  /// Any completion token; signature flowtrack::flush_signature,
  /// `void(std::exception_ptr, std::error_code)`, as flowtrack::client::async_flush: with the
  /// default, asio::use_awaitable, `co_await t.async_flush()` returns the error_code.
  /// Errors: none when all were delivered, else the sink's (e.g. errc::retries_exhausted,
  /// errc::closed after async_close). The no-op implementation completes at once with success.
  /// Cancellation: terminal (the awaiting coroutine cancelled, or a slot bound to the token);
  /// the wait ends with operation_aborted in the exception_ptr, the events stay queued (a later
  /// close delivers or spools them).
  /// Executor: run it on the executor the facade was made with; completes on the token's
  /// associated executor, else on that executor (the no-op facade, which has none:
  /// asio::system_executor). Thread-safety: track() may run concurrently; not concurrently
  /// with async_close().
  template <asio::completion_token_for<flush_signature> CompletionToken = asio::use_awaitable_t<>>
  auto async_flush(CompletionToken&& token = {}) {
    if constexpr (detail::is_default_awaitable_v<CompletionToken>) {
      return flush_awaitable();
    } else {
      return asio::async_initiate<CompletionToken, flush_signature>(
          [](auto handler, telemetry* self) {
            asio::co_spawn(self->operation_executor(), self->flush_awaitable(), std::move(handler));
          },
          token, this);
    }
  }

  /// Delivers what was tracked, completing within `timeout` (+ a few ms); what is left is
  /// spooled for the next run. The same duration convention as flowtrack::client::async_close.
  /// With the handoff (telemetry_options::handoff, on by default) it tries for the grace only
  /// (none while a drainer runs), then spools what is left and starts a detached drainer
  /// (handoff.hpp) that delivers it after this process has exited; handoff() says what it did.
  /// Completion: with the report {delivered, spooled, dropped, failed, pending}. Any completion
  /// token; signature flowtrack::close_signature, `void(std::exception_ptr, close_report)`.
  /// Errors: in the report, never thrown. The no-op implementation completes at once with an
  /// empty report.
  /// Cancellation: terminal and partial, as flowtrack::client::async_close (a slot bound to the
  /// token, or the awaiting coroutine; total is ignored); the client then spools what is left.
  /// Executor: the facade's, as async_flush. Thread-safety: call once, after the last track().
  template <asio::completion_token_for<close_signature> CompletionToken = asio::use_awaitable_t<>>
  auto async_close(std::chrono::milliseconds timeout, CompletionToken&& token = {}) {
    if constexpr (detail::is_default_awaitable_v<CompletionToken>) {
      return close_awaitable(timeout);
    } else {
      return asio::async_initiate<CompletionToken, close_signature>(
          [](auto handler, telemetry* self, std::chrono::milliseconds timeout) {
            asio::co_spawn(self->operation_executor(), self->close_awaitable(timeout), std::move(handler));
          },
          token, this, timeout);
    }
  }

  /// What the last async_close() did about the handoff; none before it and for the no-op facade.
  virtual handoff_outcome handoff() const noexcept { return handoff_outcome::none; }

  virtual telemetry_state state() const noexcept = 0;
  bool enabled() const noexcept {
    return state() == telemetry_state::enabled || state() == telemetry_state::debug_print;
  }
  /// Random per process (per telemetry object).
  virtual const std::string& invocation_id() const noexcept = 0;
  /// Stable across runs: kept in the state directory.
  virtual const std::string& anonymous_id() const noexcept = 0;
  /// The base properties every event carries (without `sequence`).
  virtual nlohmann::json base_properties() const = 0;
  /// The close deadline's length (options.close_timeout or <APP>_CLOSE_TIMEOUT_MS); the no-op
  /// implementation reports it too (the runner bounds its after-hook with it).
  virtual std::chrono::milliseconds close_timeout() const noexcept = 0;

 protected:
  /// What async_flush() and async_close() run (on operation_executor() for a token other than
  /// the default).
  virtual asio::awaitable<std::error_code> flush_awaitable() = 0;
  virtual asio::awaitable<close_report> close_awaitable(std::chrono::milliseconds timeout) = 0;
  virtual asio::any_io_executor operation_executor() const = 0;
};

/// The real facade when telemetry is on and works, else the no-op one (with one line on the
/// diagnostics stream under DEBUG=1 saying why). Never null, never throws for configuration.
/// Order of checks: DO_NOT_TRACK / <APP>_TELEMETRY_DISABLED, the persisted setting (nothing is
/// written to disk when either opts out), <APP>_TELEMETRY_DEBUG (print sink: it sends nothing,
/// so no notice is needed), the write key unless options.sink is set (none: no_write_key),
/// the first-run notice (notice.hpp: shown now or not yet possible: awaiting_notice, and the
/// no-op facade, so this run sends nothing and opens no spool), the client (cannot be created:
/// unavailable).
/// Synchronous; the returned facade must be closed (async_close) on `ex` before it is destroyed.
std::unique_ptr<telemetry> make_telemetry(const asio::any_io_executor& ex, telemetry_options options);

/// The no-op facade, in state `why`, reporting `close_timeout` (see telemetry::close_timeout).
std::unique_ptr<telemetry> make_noop_telemetry(telemetry_state why,
                                               std::chrono::milliseconds close_timeout = std::chrono::seconds(3));

/// The properties CLI telemetry sends: every event's base properties, then those of the
/// catalog's events (events.hpp). Names only; `telemetry status` lists them.
const std::vector<std::string_view>& collected_fields() noexcept;

/// What `<app> telemetry status` shows: the state make_telemetry would choose (without creating
/// the client, so never `unavailable`), why, what is collected, where it goes, what waits in
/// the spool, and where to read more. Reads files only; creates and prints nothing (it never
/// shows the notice). Never throws.
struct telemetry_status {
  telemetry_state state = telemetry_state::enabled;
  std::string reason;                  ///< one sentence: the variable, setting or mark behind `state`
  std::filesystem::path state_dir;
  std::string anonymous_id;            ///< empty when none was created yet
  bool notice_shown = false;           ///< the first-run notice mark exists
  std::string endpoint_host;           ///< where events go (host[:port], no path, no key)
  std::vector<std::string> collected;  ///< collected_fields()
  std::size_t spool_files = 0;         ///< runs whose undelivered events wait in the spool
  std::uintmax_t spool_bytes = 0;
  std::size_t pending_events = 0;      ///< events in those spool files (intact records)
  std::size_t spool_unreadable = 0;    ///< `.spool` entries not read: not regular files, or unreadable
  bool handoff_enabled = true;         ///< handoff_options::enabled after <APP>_NO_TELEMETRY_HANDOFF
  bool handoff_pending = false;        ///< a handoff's events are not yet delivered (its mark is there)
  bool drainer_running = false;        ///< a drainer delivers this directory's spool now
  long drainer_pid = 0;
  /// Settings that cannot be used, one sentence each, never a secret: a close deadline that is
  /// not a number (the default applies), an endpoint that is not http(s)://host[:port] or a
  /// write key with control characters (nothing can be sent). Empty when all is well.
  std::vector<std::string> config_problems;
  std::string docs;                    ///< options.docs
};
telemetry_status read_status(const telemetry_options& options);

/// The status as JSON for scripts (`<app> telemetry status --json`): state (to_string of the
/// enum's name, e.g. "awaiting_notice"), state_text, reason, state_dir, anonymous_id,
/// notice_shown, endpoint_host, collected, config_problems, spool {files, bytes, pending_events,
/// unreadable}, handoff {enabled, pending, drainer_running, drainer_pid}, docs.
nlohmann::json to_json(const telemetry_status& s);

/// The enum's identifier ("awaiting_notice"), stable for scripts; to_string gives the sentence.
std::string_view state_name(telemetry_state s) noexcept;

/// Persists `<app> telemetry enable|disable` in `<state dir>/settings.json` (0600, written
/// atomically). Errors: errc::spool_io when the directory cannot be written or is unknown.
std::error_code set_telemetry_enabled(const telemetry_options& options, bool enabled);

}  // namespace flowtrack::cli
