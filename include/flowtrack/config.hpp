// Client configuration: an aggregate whose every field has a documented default.
//
//   flowtrack::config cfg{.write_key = "KEY", .endpoint = "http://127.0.0.1:8080", .gzip = true};
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <concepts>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

#include "flowtrack/diagnostics.hpp"

namespace flowtrack {

using namespace std::chrono_literals;

/// How failed batch requests are retried. Statuses and errors that can never succeed
/// (400, 401, 403, 413...) are not retried whatever these say.
struct retry_config {
  /// Attempts per batch, the first included. 1 disables retries.
  int max_attempts = 10;
  /// Delay before the first retry; doubles on each retry up to max_delay.
  std::chrono::milliseconds base_delay = 100ms;
  std::chrono::milliseconds max_delay = 10s;
  /// Share of each delay that is random (0: none, 1: "full jitter", delay in [0, d]).
  double jitter = 0.5;
  /// Upper clamp for a server's Retry-After (seconds or HTTP date).
  std::chrono::milliseconds max_retry_after = 300s;
  /// A batch stops being retried once this much time has passed since its first attempt
  /// (0: no budget, only max_attempts).
  std::chrono::milliseconds total_budget = 120s;
};

/// Per-phase timeouts; each phase fails with its own error code (errc::resolve_timeout...).
struct timeout_config {
  std::chrono::milliseconds resolve = 5s;
  std::chrono::milliseconds connect = 5s;
  std::chrono::milliseconds tls_handshake = 5s;
  /// Writing one request and reading its whole response.
  std::chrono::milliseconds request = 15s;
};

/// TLS for https endpoints. Verification (chain and host name) is on by default.
struct tls_config {
  bool verify = true;
  /// PEM CA bundle / hashed CA directory; both empty: the system's default paths.
  std::string ca_file;
  std::string ca_dir;
};

/// What track() does when the queue is at capacity. Either way it never blocks, the
/// dropped message is counted in stats::dropped, and track() returns errc::queue_full.
enum class overflow_policy {
  drop_newest,  ///< refuse the new message
  drop_oldest,  ///< evict the oldest queued message (reported as dropped) and accept the new one
};

enum class log_level { debug, info, warning, error };

/// config::on_delivery: called once per message when its fate is known, with its messageId,
/// the outcome (empty: delivered) and the diagnostics of the batch it was in (the cause behind
/// the outcome: last error, HTTP status, attempts). Holds a callable taking
/// (std::string_view id, std::error_code outcome, const diagnostics&) or, for callers that do
/// not need the cause, (std::string_view id, std::error_code outcome).
class delivery_callback {
 public:
  using function = std::function<void(std::string_view, std::error_code, const diagnostics&)>;

  delivery_callback() = default;
  delivery_callback(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor): as std::function
  template <class F>
    requires std::invocable<F&, std::string_view, std::error_code, const diagnostics&>
  delivery_callback(F f) : fn_(std::move(f)) {}  // NOLINT(google-explicit-constructor): assigned lambdas
  template <class F>
    requires(!std::invocable<F&, std::string_view, std::error_code, const diagnostics&> &&
             std::invocable<F&, std::string_view, std::error_code>)
  delivery_callback(F f)  // NOLINT(google-explicit-constructor): assigned lambdas
      : fn_([g = std::move(f)](std::string_view id, std::error_code ec, const diagnostics&) mutable { g(id, ec); }) {}

  explicit operator bool() const noexcept { return static_cast<bool>(fn_); }
  void operator()(std::string_view id, std::error_code outcome, const diagnostics& why) const { fn_(id, outcome, why); }
  void operator()(std::string_view id, std::error_code outcome) const { fn_(id, outcome, diagnostics{}); }

 private:
  function fn_;
};

struct config {
  /// Segment source write key. Required (empty: errc::invalid_config at construction).
  std::string write_key;
  /// Scheme, host and optional port; `/v1/batch` is appended. http:// and https://.
  std::string endpoint = "https://api.segment.io";

  /// A batch is sent when it holds this many messages (at most 2500, Segment's limit)...
  std::size_t batch_max_messages = 250;
  /// ...or its body would exceed this many bytes (at most 500000, Segment's limit)...
  std::size_t batch_max_bytes = 500000;
  /// ...or this long after its first message was queued.
  std::chrono::milliseconds flush_interval = 5s;

  /// Messages held in memory (queued, not yet in a batch); the memory bound.
  std::size_t queue_capacity = 10000;
  overflow_policy overflow = overflow_policy::drop_newest;
  /// Batches sent at once, each on its own keep-alive connection.
  std::size_t max_in_flight = 2;
  /// Open one connection (DNS, TCP, TLS) as soon as the client starts, so the first batch does
  /// not wait for it: a short-lived process (a CLI command) then has only the request's round
  /// trip left at its close. The CLI layer turns it on; a failure is only logged (the first
  /// batch connects again).
  bool preconnect = false;

  retry_config retry;
  timeout_config timeouts;
  tls_config tls;
  /// The HTTP proxy requests go through (README, "Proxies"):
  /// - "" (the default): from the environment, as curl reads it: `https_proxy`/`HTTPS_PROXY`
  ///   for an https endpoint, `http_proxy`/`HTTP_PROXY` for an http one (the lower-case name
  ///   first; `HTTP_PROXY` is ignored under CGI), none when `no_proxy`/`NO_PROXY` matches the
  ///   endpoint's host;
  /// - "direct": no proxy, whatever the environment says;
  /// - "http://[user:password@]host[:port]" (scheme optional, port 1080 when omitted): this
  ///   proxy for the endpoint; the environment is not read (NO_PROXY included).
  /// https endpoints are reached through a CONNECT tunnel (TLS to the endpoint inside it, its
  /// certificate checked against the endpoint's host), http ones with absolute-form requests;
  /// either way the proxy resolves the endpoint's host. Credentials (percent-decoded) are sent
  /// as Basic Proxy-Authorization and never logged. A value that does not parse:
  /// errc::invalid_config at construction; one from the environment that does not: every
  /// attempt fails with errc::proxy_invalid.
  std::string proxy;
  /// Compress request bodies (Content-Encoding: gzip, zlib's fastest level: about 9x smaller
  /// for typical batches).
  bool gzip = false;

  /// Merged into the batch-level `context` (with `library` = {name: "flowtrack", version}).
  nlohmann::json default_context = nlohmann::json::object();

  /// Directory for the durable spool: what close() could not deliver by its deadline is
  /// written there and sent first by the next client that starts with the same directory.
  /// Empty (the default): no spool, undelivered messages are reported as pending.
  std::filesystem::path spool_dir;
  /// All spool files together; the oldest files' messages are dropped (and counted) past it.
  std::uint64_t spool_max_bytes = 16u << 20;
  /// Spooled messages older than this are dropped (and counted) instead of replayed.
  std::chrono::hours spool_max_age = std::chrono::hours(24 * 7);
  /// Write-ahead: every accepted message is appended to the spool by track() itself (one
  /// write() call, no fsync), so even `kill -9` loses nothing; delivered batches are marked
  /// with acknowledgement records. Needs spool_dir. Cost: see docs/PERFORMANCE.md.
  bool write_ahead = false;
  /// The part of async_close()'s timeout kept for writing the spool: work in flight is
  /// cancelled this long before the deadline when a spool is configured. Also the longest
  /// close() waits for the spool file to reach the disk (fdatasync); on a disk too slow for
  /// that the sync completes in the background, and what was written is safe from anything
  /// but an operating-system crash meanwhile (it survives the process's exit and kill -9).
  std::chrono::milliseconds spool_reserve = 50ms;

  /// Receives the client's diagnostics. Empty (the default): the client writes nothing anywhere.
  /// Called on the client's executor; never receives the write key.
  std::function<void(log_level, std::string_view)> logger;
  /// Called once per message when its fate is known: empty error = delivered, else why it was
  /// not (errc::http_status, errc::retries_exhausted, errc::tls_handshake_failed,
  /// errc::queue_full...), with the diagnostics of its batch (the last attempt's error, the HTTP
  /// status, attempts). Not called for messages spooled for a later run (close_report and
  /// stats::spooled count those). Called on the client's executor.
  delivery_callback on_delivery;
};

/// Checks `c` as the client's constructor does, without creating anything: throws
/// std::system_error(errc::invalid_config) whose what() names the first unusable setting (an
/// empty write key, a bad endpoint URL, a batch limit out of range...). The TLS CA files are
/// only read by the constructor.
void validate_config(const config& c);

}  // namespace flowtrack
