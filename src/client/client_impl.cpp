// The batcher side of the engine: construction, the loop that forms batches, the ticker,
// flush, close and the bookkeeping that tells when messages are resolved.
#include "client/client_impl.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <random>
#include <sstream>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/use_awaitable.hpp>

#include "client/basic_auth.hpp"
#include "flowtrack/client.hpp"
#include "flowtrack/error.hpp"
#include "wire/batch_body.hpp"

namespace flowtrack::detail {
namespace {

constexpr std::size_t segment_max_batch_messages = 2500;
constexpr std::size_t segment_max_batch_bytes = 500000;
constexpr std::size_t segment_max_message_bytes = std::size_t{32} * 1024;

// Once close() cancelled what was in flight, the longest it waits for the cancelled senders
// to finish: their last resumption is already queued, so this is a bound, never a delay.
constexpr std::chrono::milliseconds abort_grace{20};
// After close() is cancelled, the longest it takes to complete: the spool's sync is cut short.
constexpr std::chrono::milliseconds cancel_budget{40};

}  // namespace
}  // namespace flowtrack::detail

namespace flowtrack {

void validate_config(const config& c) {
  using detail::endpoint_url;
  using detail::segment_max_batch_bytes;
  using detail::segment_max_batch_messages;
  using detail::segment_max_message_bytes;
  auto bad = [](const char* what) { throw std::system_error(errc::invalid_config, what); };
  if (c.write_key.empty()) bad("write_key is empty");
  if (c.batch_max_messages == 0 || c.batch_max_messages > segment_max_batch_messages)
    bad("batch_max_messages must be in [1, 2500]");
  if (c.batch_max_bytes < segment_max_message_bytes + 1024 || c.batch_max_bytes > segment_max_batch_bytes)
    bad("batch_max_bytes must be in [33792, 500000]");
  if (c.flush_interval <= std::chrono::milliseconds::zero()) bad("flush_interval must be positive");
  if (c.queue_capacity == 0) bad("queue_capacity must be positive");
  if (c.max_in_flight == 0 || c.max_in_flight > 64) bad("max_in_flight must be in [1, 64]");
  if (c.retry.max_attempts < 1) bad("retry.max_attempts must be at least 1");
  if (c.retry.jitter < 0.0 || c.retry.jitter > 1.0) bad("retry.jitter must be in [0, 1]");
  if (!c.default_context.is_object()) bad("default_context must be a JSON object");
  if (c.write_ahead && c.spool_dir.empty()) bad("write_ahead needs spool_dir");
  endpoint_url ep;
  if (detail::parse_endpoint(c.endpoint, ep)) bad("bad endpoint URL");
  if (detail::check_proxy_setting(c.proxy)) bad("bad proxy URL (config::proxy)");  // never the URL: credentials
}

}  // namespace flowtrack

namespace flowtrack::detail {
namespace {

asio::ssl::context make_tls_context(const tls_config& t) {
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  if (!t.verify) {
    ctx.set_verify_mode(asio::ssl::verify_none);
    return ctx;
  }
  ctx.set_verify_mode(asio::ssl::verify_peer);
  std::error_code ec;
  if (!t.ca_file.empty()) ctx.load_verify_file(t.ca_file, ec);
  if (!ec && !t.ca_dir.empty()) ctx.add_verify_path(t.ca_dir, ec);
  if (!ec && t.ca_file.empty() && t.ca_dir.empty()) ctx.set_default_verify_paths(ec);
  if (ec) throw std::system_error(errc::invalid_config, "cannot load the TLS CA file/directory");
  return ctx;
}

config validated(config c) {
  validate_config(c);
  return c;
}

endpoint_url parsed_endpoint(std::string_view url) {
  endpoint_url ep;
  if (parse_endpoint(url, ep)) throw std::system_error(errc::invalid_config, "bad endpoint URL");
  return ep;
}

}  // namespace

// NOLINTNEXTLINE(performance-unnecessary-value-param): the public by-value executor ends here
client_impl::client_impl(asio::any_io_executor ex, config cfg)
    : cfg_(validated(std::move(cfg))),
      endpoint_(parsed_endpoint(cfg_.endpoint)),
      route_(choose_proxy_route(cfg_.proxy, read_proxy_environment(), endpoint_)),
      context_json_(make_batch_context(cfg_.default_context, library_version())),
      envelope_bytes_(batch_envelope_bytes(context_json_)),
      strand_(asio::make_strand(ex)),
      // A batch is "ready" once the queued messages would fill a body by count or by bytes.
      queue_(cfg_.queue_capacity, cfg_.overflow,
             {.max_messages = cfg_.batch_max_messages,
              .max_bytes = cfg_.batch_max_bytes,
              .context_json = context_json_,
              // Enough for every body a full queue and the batches in flight hold at once (a
              // few more: bodies cut by bytes hold fewer messages), so a producer in steady
              // state always finds one; never more than were in use at the same time.
              .buffers_kept = std::min<std::size_t>(
                  cfg_.queue_capacity / cfg_.batch_max_messages + cfg_.max_in_flight + 8, 1024)}),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      wake_reader_(strand_),
      wake_(strand_),
      tick_timer_(strand_),
      settled_(strand_),
      rng_state_(std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32)),
      closed_event_(strand_) {
  lifecycle_.settings = {.spool_reserve = cfg_.spool_reserve, .abort_grace = abort_grace, .cancel_budget = cancel_budget};
  if (endpoint_.tls) tls_.emplace(make_tls_context(cfg_.tls));
  fixed_headers_ = {
      {"Host", endpoint_.host_header},
      {"User-Agent", std::string("flowtrack/") + library_version()},
      {"Content-Type", "application/json"},
      {"Accept", "application/json"},
      {"Authorization", basic_auth_value(cfg_.write_key)},
  };
  if (cfg_.gzip) fixed_headers_.push_back({"Content-Encoding", "gzip"});
  if (route_.mode == proxy_mode::forward && !route_.authorization.empty())
    fixed_headers_.push_back({"Proxy-Authorization", route_.authorization});
  if (wake_fd_ >= 0) wake_reader_.assign(wake_fd_);
}

client_impl::~client_impl() = default;

void client_impl::start() {
  open_spool();
  auto self = shared_from_this();
  asio::post(strand_, [self] {  // the logger is called on the strand; never the proxy's credentials
    self->log(self->route_.unusable ? log_level::warning : log_level::debug, "route: ", self->route_.description);
  });
  asio::co_spawn(strand_, [self]() { return self->run(); }, asio::detached);
  asio::co_spawn(strand_, [self]() { return self->tick(); }, asio::detached);
  if (wake_fd_ >= 0) asio::co_spawn(strand_, [self]() { return self->watch_wakes(); }, asio::detached);
  if (cfg_.preconnect) asio::co_spawn(strand_, [self]() { return self->preconnect(); }, asio::detached);
}

asio::awaitable<void> client_impl::preconnect() {
  const io_scope counted;  // for the test driver of virtual time (engine_clock.hpp)
  if (stopped()) co_return;
  auto conn = acquire_connection();
  if (conn->is_open()) {  // a sender was faster: nothing to warm
    release_connection(std::move(conn));
    co_return;
  }
  counters_.connections.fetch_add(1, std::memory_order_relaxed);
  preconnecting_ = conn.get();
  const std::error_code ec = co_await conn->open(cfg_.timeouts, addresses_);
  preconnecting_ = nullptr;
  if (ec) log(log_level::debug, "preconnect failed: ", ec.message());
  else release_connection(std::move(conn));  // the first batch finds it open
}

void client_impl::wake_from_any_thread() {
  if (wake_posted_.exchange(true, std::memory_order_acq_rel)) return;
  if (wake_fd_ >= 0) {
    const std::uint64_t one = 1;
    // Never blocks (non-blocking, and the counter cannot fill); the reader resets the flag.
    [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
    return;
  }
  asio::post(strand_, [self = shared_from_this()] {
    self->wake_posted_.store(false, std::memory_order_release);
    self->wake_.notify();
  });
}

asio::awaitable<void> client_impl::run() {
  while (!stopped()) {
    co_await wake_.wait();
    wake_.reset();
    if (stopped()) break;
    pump();
  }
}

asio::awaitable<void> client_impl::watch_wakes() {
  std::uint64_t count = 0;
  while (!stopped()) {
    auto [ec, n] = co_await wake_reader_.async_read_some(asio::buffer(&count, sizeof count),
                                                         asio::experimental::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || stopped()) break;  // stop() cancels the read
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) break;
    wake_posted_.store(false, std::memory_order_release);
    wake_.notify();
  }
}

asio::awaitable<void> client_impl::tick() {
  while (!stopped()) {
    tick_timer_.expires_after(cfg_.flush_interval);
    co_await tick_timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (stopped()) break;
    tick_due_ = true;
    wake_.notify();
  }
}

void client_impl::pump() {
  report_evictions();
  while (!stopped() && !aborting() && in_flight_ < cfg_.max_in_flight) {
    const bool force = tick_due_ || closing() || !flush_waiters_.empty();
    auto b = form_batch(force);
    if (!b) break;
    ++in_flight_;
    // The sender holds the engine alive, as run() and tick() do: it never runs on a raw `this`.
    asio::co_spawn(
        strand_, [self = shared_from_this(), b = std::move(b)]() mutable { return self->send_batch(std::move(b)); },
        asio::detached);
  }
  if (queue_.size() == 0) tick_due_ = false;
  settle();
}

std::shared_ptr<batch> client_impl::form_batch(bool force) {
  // The queue filled the body in place: the batch takes it as it is.
  auto filled = queue_.take_batch(force);
  if (!filled) return nullptr;
  auto b = std::make_shared<batch>(std::move(filled), queue_.pool());
  b->settled.assign(b->entries.size(), false);
  outstanding_.push_back(b);
  counters_.batches.fetch_add(1, std::memory_order_relaxed);
  return b;
}

std::error_code client_impl::admission() {
  if (queue_.closed()) return errc::closed;
  if (queue_.full_hint()) {  // refused anyway: spare the encoding
    counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    return errc::queue_full;
  }
  return {};
}

std::error_code client_impl::enqueue_encoded(const encoded_message& encoded) {
  // Write-ahead: on disk before it can be sent; a message then refused is acknowledged at
  // once so no later run replays it.
  if (cfg_.write_ahead) write_ahead(encoded);
  bool became_ready = false;
  const push_result pushed = queue_.push(encoded, became_ready);
  if (cfg_.write_ahead && (pushed == push_result::closed || pushed == push_result::full))
    unspool(encoded.message_id());
  switch (pushed) {
    case push_result::closed:
      return errc::closed;
    case push_result::full:
      counters_.dropped.fetch_add(1, std::memory_order_relaxed);
      return errc::queue_full;
    case push_result::accepted_evicting_oldest:
      counters_.dropped.fetch_add(1, std::memory_order_relaxed);
      counters_.evicted.fetch_add(1, std::memory_order_relaxed);
      counters_.enqueued.fetch_add(1, std::memory_order_relaxed);
      wake_from_any_thread();  // so the eviction is reported
      return {};
    case push_result::accepted:
      counters_.enqueued.fetch_add(1, std::memory_order_relaxed);
      if (became_ready) wake_from_any_thread();
      return {};
  }
  return {};
}

void client_impl::report_evictions() {
  auto ids = queue_.take_evicted_ids();
  if (ids.empty()) return;
  log(log_level::warning, "queue full: dropped ", ids.size(), " oldest message(s)");
  if (cfg_.write_ahead)
    for (const auto& id : ids) unspool(id);  // reported dropped: no later run replays them
  if (!cfg_.on_delivery) return;
  for (const auto& id : ids) {
    try {
      cfg_.on_delivery(id, errc::queue_full);
    } catch (...) {
    }
  }
}

std::uint64_t client_impl::lowest_unresolved_seq() const {
  return outstanding_.empty() ? queue_.lowest_seq() : outstanding_.front()->first_seq;
}

bool client_impl::all_resolved() const { return outstanding_.empty() && queue_.size() == 0; }

void client_impl::settle() {
  while (!outstanding_.empty() && outstanding_.front()->resolved) outstanding_.pop_front();
  const std::uint64_t lowest = lowest_unresolved_seq();
  for (auto it = flush_waiters_.begin(); it != flush_waiters_.end();) {
    if ((*it)->end_seq <= lowest) {
      (*it)->done.notify();
      it = flush_waiters_.erase(it);
    } else {
      ++it;
    }
  }
  release_replayed_files();
  settled_.notify();
}

asio::awaitable<std::error_code> client_impl::flush(diagnostics* why) {
  if (stopped()) co_return errc::closed;
  flush_waiter waiter(strand_, queue_.next_seq());
  if (lowest_unresolved_seq() >= waiter.end_seq) co_return std::error_code{};
  flush_waiters_.push_back(&waiter);
  wake_.notify();  // partial batches go now
  try {
    co_await waiter.done.wait();
  } catch (...) {  // the caller cancelled its wait: forget the waiter, delivery goes on
    flush_waiters_.remove(&waiter);
    throw;
  }
  if (why) *why = waiter.why;
  co_return waiter.result;
}

void client_impl::stop() {
  if (preconnecting_) preconnecting_->abort();
  tick_timer_.cancel();
  std::error_code ignored;
  wake_reader_.cancel(ignored);
  wake_.notify();
  idle_connections_.clear();
  for (auto* w : flush_waiters_) {
    if (!w->result) w->result = errc::closed;
    w->done.notify();
  }
  flush_waiters_.clear();
}

lifecycle_facts client_impl::lifecycle_now() const {
  return {.all_settled = all_resolved(),
          .sending = in_flight_ > 0 || queue_.size() > 0,
          .senders_running = in_flight_ > 0,
          .spool_available = spool_.has_value()};
}

asio::awaitable<close_report> client_impl::close(std::chrono::milliseconds timeout) {
  co_await asio::this_coro::throw_if_cancelled(false);
  const auto start = engine_clock::now();
  if (lifecycle_.phase != lifecycle_phase::open) {
    // Another close is running or done: wait for it, within this call's own deadline.
    co_await asio::this_coro::reset_cancellation_state(asio::cancellation_filter<asio::cancellation_type::none>());
    const auto deadline = start + timeout;
    while (!stopped()) {
      if (!co_await closed_event_.wait_until(deadline)) break;
    }
    co_return report_;
  }
  // Terminal and partial cancellation end the sending at once (the lifecycle's `cancelled`).
  // The request reaches this strand through a post: the slot may fire on any thread.
  co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation());
  {
    auto state = co_await asio::this_coro::cancellation_state;
    // Unconnected when the caller can never cancel (co_spawn with detached...).
    if (auto slot = state.slot(); slot.is_connected()) slot.assign([self = shared_from_this()](asio::cancellation_type type) {
      asio::post(self->strand_, [self, type] {
        self->close_cancellation_ = type;
        self->settled_.notify();
      });
    });
  }
  bool cancellation_seen = false;
  auto cancellation_arrived = [&] {
    if (cancellation_seen || close_cancellation_ == asio::cancellation_type::none) return false;
    cancellation_seen = true;
    return true;
  };
  auto step = [&](lifecycle_event e) {
    return resume(lifecycle_, e, lifecycle_now(), engine_clock::now());
  };
  lifecycle_action act = resume(lifecycle_, lifecycle_event::close_requested, lifecycle_now(), start, timeout);
  // Every wait below is bound to no cancellation slot (the handler above stays in place).
  for (;;) {
    switch (act.type) {
      case lifecycle_action_type::start_draining:
        queue_.close();
        end_unreachable_backoffs();
        pump();
        act = step(lifecycle_event::progress);
        break;
      case lifecycle_action_type::abort:
        log(log_level::warning, lifecycle_.cancelled ? "close cancelled" : "close deadline reached", ": cancelling ",
            in_flight_, " batch(es) in flight");
        abort_senders();
        [[fallthrough]];
      case lifecycle_action_type::wait_until:
      case lifecycle_action_type::none: {
        if (stopped()) co_return report_;  // the client was destroyed meanwhile: shutdown_now() closed it
        const auto until = act.type == lifecycle_action_type::none ? lifecycle_.wait_ends_at : act.time;
        settled_.reset();
        bool cancelled = cancellation_arrived();
        bool woke = true;
        if (!cancelled) {
          woke = co_await settled_.wait_unbound_until(until);
          if (stopped()) co_return report_;
          cancelled = cancellation_arrived();
        }
        if (cancelled) act = step(lifecycle_event::cancelled);
        else act = step(woke ? lifecycle_event::progress : lifecycle_event::time_reached);
        break;
      }
      case lifecycle_action_type::spool:
        spool_pending(act.time);
        act = step(lifecycle_event::spooled);
        break;
      case lifecycle_action_type::complete:
        finish_close(start);
        co_return report_;
    }
  }
}

void client_impl::finish_close(std::chrono::steady_clock::time_point started) {
  stop();
  report_.deadline_reached = lifecycle_.deadline_reached;
  report_.cancelled = lifecycle_.cancelled;
  report_.last_failure = last_failure_outcome_;
  report_.last_failure_diagnostics = last_failure_;
  {
    std::lock_guard lock(spool_mutex_);
    report_.spool_error = spool_error_;
    report_.spool_system_error = spool_system_error_;
    // A closed client holds no spool descriptor or lock: a drainer or the next run can claim
    // its file while this process lives on.
    if (spool_) spool_->close_files();
  }
  const stats s = snapshot();
  report_.delivered = s.delivered;
  report_.failed = s.failed;
  report_.dropped = s.dropped;
  report_.spooled = s.spooled;
  report_.pending = s.pending;
  report_.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(engine_clock::now() - started);
  closed_event_.notify();
  settled_.notify();
}

void client_impl::shutdown_now(std::size_t kept_at_destruction) {
  const auto now = engine_clock::now();
  const auto act = resume(lifecycle_, lifecycle_event::destroyed, lifecycle_now(), now);
  if (act.type != lifecycle_action_type::spool) return;  // already spooling or closed
  queue_.close();
  abort_senders();
  const auto spooled_before = counters_.spooled.load(std::memory_order_relaxed);
  spool_pending(act.time);
  const auto spooled_in_flight = counters_.spooled.load(std::memory_order_relaxed) - spooled_before;
  if (kept_at_destruction + spooled_in_flight > 0)
    log(log_level::warning, "client destroyed while open: ", kept_at_destruction, " queued and ", spooled_in_flight,
        " unsettled message(s) spooled for a later run");
  if (resume(lifecycle_, lifecycle_event::spooled, lifecycle_now(), now).type == lifecycle_action_type::complete)
    finish_close(now);
  if (report_.pending > 0)
    log(log_level::error, "client destroyed while open: ", report_.pending,
        " message(s) neither delivered nor spooled (no spool directory, or it failed)");
}

stats client_impl::snapshot() const noexcept {
  stats s;
  auto get = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  s.enqueued = get(counters_.enqueued);
  s.delivered = get(counters_.delivered);
  s.failed = get(counters_.failed);
  s.dropped = get(counters_.dropped);
  s.spooled = get(counters_.spooled);
  s.retries = get(counters_.retries);
  s.requests = get(counters_.requests);
  s.batches = get(counters_.batches);
  s.bytes_sent = get(counters_.bytes_sent);
  s.connections = get(counters_.connections);
  s.replayed = get(counters_.replayed);
  s.spool_corrupt_bytes = get(counters_.spool_corrupt_bytes);
  s.spool_corrupt_records = get(counters_.spool_corrupt_records);
  s.spool_not_regular = get(counters_.spool_not_regular);
  const std::uint64_t settled = s.delivered + s.failed + get(counters_.evicted) + s.spooled;
  const std::uint64_t accepted = s.enqueued + s.replayed;
  s.pending = accepted > settled ? accepted - settled : 0;
  return s;
}

}  // namespace flowtrack::detail
