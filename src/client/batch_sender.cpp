// The sender side of the engine: one coroutine per batch in flight. It sends the batch over a
// pooled keep-alive connection, classifies the outcome, waits out backoff or Retry-After, and
// retries within the retry budget. close() aborts it through its sender_slot.
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include "client/client_impl.hpp"
#include "flowtrack/error.hpp"
#include "http/gzip.hpp"
#include "policy/retry_policy.hpp"
#include "wire/batch_body.hpp"

namespace flowtrack::detail {
namespace {

// splitmix64: jitter needs speed, not cryptographic quality.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// No server could be reached at all: nothing listens, or the name does not resolve.
bool unreachable(std::error_code ec) { return ec == errc::connect_failed || ec == errc::resolve_failed; }

const http::limits response_limits{.header_bytes = std::size_t{16} * 1024, .body_bytes = std::size_t{64} * 1024};

// zlib's fastest level: a batch of events still shrinks about 9x (10x at the default level 6),
// at about twice the speed (docs/PERFORMANCE.md); the client's CPU is its host's.
constexpr int gzip_level = 1;

}  // namespace

std::unique_ptr<connection> client_impl::acquire_connection() {
  if (!idle_connections_.empty()) {
    auto c = std::move(idle_connections_.back());
    idle_connections_.pop_back();
    return c;
  }
  return std::make_unique<connection>(strand_, tls_ ? &*tls_ : nullptr, endpoint_);
}

void client_impl::release_connection(std::unique_ptr<connection> c) {
  if (c->is_open() && !stopped_ && idle_connections_.size() < cfg_.max_in_flight)
    idle_connections_.push_back(std::move(c));
}

void client_impl::end_unreachable_backoffs() {
  if (!spool_ready()) return;
  for (auto* s : senders_)
    if (unreachable(s->last_error)) s->backoff.cancel();
}

bool client_impl::leave_for_spool(std::error_code ec) {
  return closing_ && unreachable(ec) && spool_ready();
}

void client_impl::abort_senders() {
  for (auto* s : senders_) {
    s->backoff.cancel();
    if (s->conn) s->conn->abort();
  }
}

asio::awaitable<void> client_impl::send_batch(std::shared_ptr<batch> b) {
  sender_slot slot(strand_);
  senders_.push_back(&slot);
  try {
    co_await deliver(*b, slot);
  } catch (const std::exception& e) {
    log(log_level::error, "batch sender failed: ", e.what());
  }
  senders_.remove(&slot);
  --in_flight_;
  settle();
  if (!stopped_) pump();
}

asio::awaitable<std::error_code> client_impl::attempt(batch& b, sender_slot& slot, int attempt_index,
                                                      http::response& res) {
  auto conn = acquire_connection();
  slot.conn = conn.get();
  const bool was_open = conn->is_open();
  if (!was_open) counters_.connections.fetch_add(1, std::memory_order_relaxed);
  std::error_code ec = co_await conn->open(cfg_.timeouts, addresses_);
  if (!ec) {
    stamp_sent_at(b.body, std::chrono::system_clock::now());
    std::string compressed;
    std::string_view body = b.body;
    if (cfg_.gzip) {
      http::gzip_compress(b.body, compressed, gzip_level);
      body = compressed;
    }
    http::fields headers = fixed_headers_;
    if (attempt_index > 0) headers.push_back({"X-Retry-Count", std::to_string(attempt_index)});
    const std::string head = http::serialize_request_head("POST", endpoint_.batch_target, headers, body.size());
    counters_.requests.fetch_add(1, std::memory_order_relaxed);
    counters_.bytes_sent.fetch_add(body.size(), std::memory_order_relaxed);
    ec = co_await conn->exchange(head, body, res, cfg_.timeouts.request, response_limits);
    // A keep-alive connection the server closed while idle fails before any response: that is
    // not a delivery failure, so send once more on a fresh connection without counting a retry.
    if (ec == errc::connection_closed && was_open && !aborting_) {
      counters_.connections.fetch_add(1, std::memory_order_relaxed);
      ec = co_await conn->open(cfg_.timeouts, addresses_);
      if (!ec) ec = co_await conn->exchange(head, body, res, cfg_.timeouts.request, response_limits);
    }
  }
  slot.conn = nullptr;
  release_connection(std::move(conn));
  co_return ec;
}

asio::awaitable<void> client_impl::deliver(batch& b, sender_slot& slot) {
  const auto first_attempt = std::chrono::steady_clock::now();
  const retry_budget budget(cfg_.retry, first_attempt);
  for (int attempt_index = 0;; ++attempt_index) {
    if (aborting_) co_return;  // the batch stays unresolved: pending
    http::response res;
    std::error_code ec = co_await attempt(b, slot, attempt_index, res);
    if (aborting_) co_return;

    std::optional<std::chrono::milliseconds> retry_after;
    if (!ec) {
      switch (classify_status(res.status)) {
        case status_class::success:
          log(log_level::debug, "batch of ", b.entries.size(), " delivered (HTTP ", res.status, ", attempt ",
              attempt_index + 1, ")");
          resolve_batch(b, {});
          co_return;
        case status_class::permanent:
          log(log_level::error, "batch of ", b.entries.size(), " refused with HTTP ", res.status, ", not retried");
          resolve_batch(b, errc::http_status);
          co_return;
        case status_class::retryable:
          ec = errc::http_status;
          if (auto value = res.header("Retry-After"); !value.empty())
            retry_after = parse_retry_after(value, std::chrono::system_clock::now(), cfg_.retry.max_retry_after);
          log(log_level::warning, "batch attempt ", attempt_index + 1, " got HTTP ", res.status);
          break;
      }
    } else if (ec == errc::tls_handshake_failed) {
      log(log_level::error, "TLS handshake refused (untrusted or misnamed certificate), batch not retried");
      resolve_batch(b, ec);
      co_return;
    } else {
      log(log_level::warning, "batch attempt ", attempt_index + 1, " failed: ", ec.message());
    }

    // Closing with a spool and no server reachable: retrying would only spend the caller's
    // close deadline. The batch stays unresolved and close() spools it for the next run.
    if (leave_for_spool(ec)) {
      log(log_level::info, "closing and no server reachable: batch of ", b.entries.size(), " left for the spool");
      co_return;
    }
    slot.last_error = ec;
    const auto delay = retry_after.value_or(backoff_delay(cfg_.retry, attempt_index + 1, next_random(rng_state_)));
    if (!budget.may_retry(attempt_index + 1, std::chrono::steady_clock::now(), delay)) {
      log(log_level::error, "batch of ", b.entries.size(), " failed after ", attempt_index + 1, " attempt(s)");
      resolve_batch(b, errc::retries_exhausted);
      co_return;
    }
    counters_.retries.fetch_add(1, std::memory_order_relaxed);
    slot.backoff.expires_after(delay);
    co_await slot.backoff.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (leave_for_spool(ec)) co_return;  // close() began meanwhile: see above
  }
}

void client_impl::resolve_batch(batch& b, std::error_code outcome) {
  b.resolved = true;
  acknowledge_in_spool(b);
  const auto n = b.entries.size();
  (outcome ? counters_.failed : counters_.delivered).fetch_add(n, std::memory_order_relaxed);
  if (outcome) {
    for (auto* w : flush_waiters_)
      if (w->end_seq > b.first_seq) w->result = outcome;
  }
  if (!cfg_.on_delivery) return;
  for (const auto& e : b.entries) {
    try {
      cfg_.on_delivery(b.message_id(e), outcome);
    } catch (...) {  // a callback must not break delivery
    }
  }
}

}  // namespace flowtrack::detail
