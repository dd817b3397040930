// The batcher side of the engine: construction, the loop that forms batches, the ticker,
// flush, close and the bookkeeping that tells when messages are resolved.
#include "client/client_impl.hpp"

#include <random>
#include <sstream>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/cancellation_type.hpp>
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

void validate(const config& c) {
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
}

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
  validate(c);
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
      context_json_(make_batch_context(cfg_.default_context, library_version())),
      envelope_bytes_(batch_envelope_bytes(context_json_)),
      strand_(asio::make_strand(ex)),
      // A batch is "ready" once the queued messages would fill a body by count or by bytes.
      queue_(cfg_.queue_capacity, cfg_.overflow, cfg_.batch_max_messages, cfg_.batch_max_bytes - envelope_bytes_),
      wake_(strand_),
      tick_timer_(strand_),
      settled_(strand_),
      rng_state_(std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32)),
      closed_event_(strand_) {
  if (endpoint_.tls) tls_.emplace(make_tls_context(cfg_.tls));
  fixed_headers_ = {
      {"Host", endpoint_.host_header},
      {"User-Agent", std::string("flowtrack/") + library_version()},
      {"Content-Type", "application/json"},
      {"Accept", "application/json"},
      {"Authorization", basic_auth_value(cfg_.write_key)},
  };
  if (cfg_.gzip) fixed_headers_.push_back({"Content-Encoding", "gzip"});
}

client_impl::~client_impl() = default;

void client_impl::start() {
  open_spool();
  auto self = shared_from_this();
  asio::co_spawn(strand_, [self]() { return self->run(); }, asio::detached);
  asio::co_spawn(strand_, [self]() { return self->tick(); }, asio::detached);
}

void client_impl::wake_from_any_thread() {
  if (wake_posted_.exchange(true, std::memory_order_acq_rel)) return;
  asio::post(strand_, [self = shared_from_this()] {
    self->wake_posted_.store(false, std::memory_order_release);
    self->wake_.notify();
  });
}

asio::awaitable<void> client_impl::run() {
  while (!stopped_) {
    co_await wake_.wait();
    wake_.reset();
    if (stopped_) break;
    pump();
  }
}

asio::awaitable<void> client_impl::tick() {
  while (!stopped_) {
    tick_timer_.expires_after(cfg_.flush_interval);
    co_await tick_timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (stopped_) break;
    tick_due_ = true;
    wake_.notify();
  }
}

void client_impl::pump() {
  report_evictions();
  while (!stopped_ && !aborting_ && in_flight_ < cfg_.max_in_flight) {
    const bool force = tick_due_ || closing_ || !flush_waiters_.empty();
    auto b = form_batch(force);
    if (!b) break;
    ++in_flight_;
    asio::co_spawn(strand_, send_batch(std::move(b)), asio::detached);
  }
  if (queue_.size() == 0) tick_due_ = false;
  settle();
}

std::shared_ptr<batch> client_impl::form_batch(bool force) {
  batch_limiter limiter(cfg_.batch_max_messages, cfg_.batch_max_bytes, envelope_bytes_);
  std::vector<queued_message> taken;
  taken.reserve(cfg_.batch_max_messages);
  if (queue_.take_batch(limiter, force, taken) == 0) return nullptr;
  auto b = std::make_shared<batch>();
  b->first_seq = taken.front().seq;
  b->last_seq = taken.back().seq;
  b->entries.reserve(taken.size());
  begin_batch_body(b->body, context_json_, limiter.bytes());
  bool first = true;
  for (auto& q : taken) {
    append_to_batch_body(b->body, q.message.json, first);
    const auto offset = static_cast<std::uint32_t>(b->body.size() - q.message.json.size());
    b->entries.push_back({offset, static_cast<std::uint32_t>(q.message.json.size()), offset + q.message.id_offset,
                          q.message.id_length});
    first = false;
  }
  finish_batch_body(b->body);
  outstanding_.push_back(b);
  counters_.batches.fetch_add(1, std::memory_order_relaxed);
  return b;
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

asio::awaitable<std::error_code> client_impl::flush() {
  if (close_state_ == close_state::closed) co_return errc::closed;
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
  co_return waiter.result;
}

void client_impl::stop() {
  stopped_ = true;
  tick_timer_.cancel();
  wake_.notify();
  idle_connections_.clear();
  for (auto* w : flush_waiters_) {
    if (!w->result) w->result = errc::closed;
    w->done.notify();
  }
  flush_waiters_.clear();
}

asio::awaitable<close_report> client_impl::close(std::chrono::milliseconds timeout) {
  // Once begun, a close runs to its end (bounded by its own deadline): abandoning it half way
  // would leave messages neither sent nor spooled. Cancelling the caller's wait does not stop it.
  co_await asio::this_coro::reset_cancellation_state(asio::cancellation_filter<asio::cancellation_type::none>());
  co_await asio::this_coro::throw_if_cancelled(false);
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + timeout;
  if (close_state_ != close_state::open) {
    // Another close is running or done: wait for it, within this call's own deadline.
    while (close_state_ == close_state::closing) {
      if (!co_await closed_event_.wait_until(deadline)) break;
    }
    co_return report_;
  }
  close_state_ = close_state::closing;
  queue_.close();
  closing_ = true;
  end_unreachable_backoffs();
  pump();
  // With a spool, stop sending early enough to write it before the deadline.
  const auto stop_sending_at = spool_ ? deadline - std::min(cfg_.spool_reserve, timeout / 2) : deadline;
  // Done when all is resolved, or when nothing is queued or in flight any more: what is left
  // then are batches the senders gave up on for the spool (no server reachable).
  bool timed_out = false;
  while (!all_resolved() && (in_flight_ > 0 || queue_.size() > 0)) {
    settled_.reset();
    if (!co_await settled_.wait_until(stop_sending_at)) {
      timed_out = true;
      break;
    }
  }
  report_.deadline_reached = timed_out;
  if (report_.deadline_reached) {
    log(log_level::warning, "close deadline reached: cancelling ", in_flight_, " batch(es) in flight");
    aborting_ = true;
    abort_senders();
    // Aborted senders finish on their next resumption, which is already queued.
    const auto grace = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
    while (in_flight_ > 0) {
      settled_.reset();
      if (!co_await settled_.wait_until(grace)) break;
    }
  }
  spool_pending(deadline);
  stop();
  {
    std::lock_guard lock(spool_mutex_);
    report_.spool_error = spool_error_;
  }
  const stats s = snapshot();
  report_.delivered = s.delivered;
  report_.failed = s.failed;
  report_.dropped = s.dropped;
  report_.spooled = s.spooled;
  report_.pending = s.pending;
  report_.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  close_state_ = close_state::closed;
  closed_event_.notify();
  co_return report_;
}

void client_impl::shutdown_now() {
  queue_.close();
  closing_ = true;
  aborting_ = true;
  abort_senders();
  spool_pending(std::chrono::steady_clock::time_point::max());
  stop();
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
  const std::uint64_t settled = s.delivered + s.failed + get(counters_.evicted) + s.spooled;
  const std::uint64_t accepted = s.enqueued + s.replayed;
  s.pending = accepted > settled ? accepted - settled : 0;
  return s;
}

}  // namespace flowtrack::detail
