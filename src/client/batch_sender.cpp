// The sender side of the engine: one coroutine per batch in flight. It carries out what the
// delivery machine (policy/delivery_fsm.hpp) decides: send over a pooled keep-alive
// connection, wait out a backoff or Retry-After, split a refused batch in halves, settle
// messages or leave them for the spool. close() aborts it through its sender_slot.
#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include "client/client_impl.hpp"
#include "flowtrack/error.hpp"
#include "http/gzip.hpp"
#include "policy/delivery_fsm.hpp"
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

const http::limits response_limits{.header_bytes = std::size_t{16} * 1024, .body_bytes = std::size_t{64} * 1024};

// zlib's fastest level: a batch of events still shrinks about 9x (10x at the default level 6),
// at about twice the speed (docs/PERFORMANCE.md); the client's CPU is its host's.
constexpr int gzip_level = 1;

// A run of a batch's entries [begin, end) on its own delivery machine: the whole batch, or a
// half of a part the server refused as too large or bad.
struct batch_part {
  std::size_t begin = 0, end = 0;
  delivery_state state;
};

}  // namespace

std::unique_ptr<connection> client_impl::acquire_connection() {
  if (!idle_connections_.empty()) {
    auto c = std::move(idle_connections_.back());
    idle_connections_.pop_back();
    return c;
  }
  return std::make_unique<connection>(strand_, tls_ ? &*tls_ : nullptr, endpoint_, route_);
}

void client_impl::release_connection(std::unique_ptr<connection> c) {
  if (c->is_open() && !stopped() && idle_connections_.size() < cfg_.max_in_flight)
    idle_connections_.push_back(std::move(c));
}

void client_impl::end_unreachable_backoffs() {
  if (!spool_ready()) return;
  for (auto* s : senders_)
    if (server_unreachable(s->last_error)) s->backoff.cancel();
}

void client_impl::abort_senders() {
  if (preconnecting_) preconnecting_->abort();
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
  b.reset();  // a settled batch's body goes back to the queue's pool in settle(), before pump() needs one
  settle();
  if (!stopped()) pump();
}

void client_impl::build_part_body(const batch& b, std::size_t begin, std::size_t end, std::string& out) const {
  std::size_t bytes = envelope_bytes_;
  for (std::size_t i = begin; i < end; ++i) bytes += b.entries[i].size + 1;
  begin_batch_body(out, context_json_, bytes);
  for (std::size_t i = begin; i < end; ++i) append_to_batch_body(out, b.message_json(b.entries[i]), i == begin);
  finish_batch_body(out);
}

asio::awaitable<delivery_outcome> client_impl::attempt(std::string& batch_body, sender_slot& slot, int attempt_index) {
  delivery_outcome outcome{.event = delivery_event::attempt_done};
  const io_scope counted;  // for the test driver of virtual time (engine_clock.hpp)
  http::response res;
  auto conn = acquire_connection();
  slot.conn = conn.get();
  const bool was_open = conn->is_open();
  if (!was_open) counters_.connections.fetch_add(1, std::memory_order_relaxed);
  std::error_code ec = co_await conn->open(cfg_.timeouts, addresses_);
  if (!ec) {
    stamp_sent_at(batch_body, engine_clock::wall_now());
    std::string compressed;
    std::string_view body = batch_body;
    if (cfg_.gzip) {
      http::gzip_compress(batch_body, compressed, gzip_level);
      body = compressed;
    }
    http::fields headers = fixed_headers_;
    if (attempt_index > 0) headers.push_back({"X-Retry-Count", std::to_string(attempt_index)});
    const std::string head = http::serialize_request_head("POST", route_.request_target, headers, body.size());
    counters_.requests.fetch_add(1, std::memory_order_relaxed);
    counters_.bytes_sent.fetch_add(body.size(), std::memory_order_relaxed);
    ec = co_await conn->exchange(head, body, res, cfg_.timeouts.request, response_limits);
    // A keep-alive connection the server closed while idle fails before any response: that is
    // not a delivery failure, so send once more on a fresh connection without counting a retry.
    if (ec == errc::connection_closed && was_open && !aborting()) {
      counters_.connections.fetch_add(1, std::memory_order_relaxed);
      ec = co_await conn->open(cfg_.timeouts, addresses_);
      if (!ec) ec = co_await conn->exchange(head, body, res, cfg_.timeouts.request, response_limits);
    }
  }
  slot.conn = nullptr;
  const int proxy_status = conn->proxy_status();
  release_connection(std::move(conn));
  // Cut short by close() (deadline or cancellation): say so, not "operation aborted".
  if (aborting() && ec == asio::error::operation_aborted) ec = errc::deadline_reached;
  outcome.error = ec;
  if (ec) outcome.http_status = proxy_status;  // a proxy's refusal (407, a CONNECT answer) carries its status
  if (!ec) {
    outcome.http_status = res.status;
    if (auto value = res.header("Retry-After"); !value.empty())
      outcome.retry_after = parse_retry_after(value, engine_clock::wall_now(), cfg_.retry.max_retry_after);
  }
  outcome.random_bits = next_random(rng_state_);
  co_return outcome;
}

asio::awaitable<void> client_impl::deliver(batch& b, sender_slot& slot) {
  std::vector<batch_part> todo;  // a stack: the part at the back goes next
  {
    batch_part whole{.begin = 0, .end = b.entries.size()};
    whole.state.retry = cfg_.retry;
    whole.state.messages = b.entries.size();
    todo.push_back(whole);
  }
  std::string half_body;
  while (!todo.empty()) {
    batch_part part = todo.back();
    todo.pop_back();
    const bool whole = part.begin == 0 && part.end == b.entries.size();
    if (!whole) build_part_body(b, part.begin, part.end, half_body);
    std::string& body = whole ? b.body : half_body;
    auto& st = part.state;
    delivery_outcome outcome;  // start
    bool part_done = false;
    while (!part_done) {
      st.closing = closing();
      st.aborting = aborting();
      st.spool_available = spool_ready();
      const delivery_action action = resume(st, outcome, engine_clock::now());
      switch (action.type) {
        case delivery_action_type::send:
          outcome = co_await attempt(body, slot, st.attempts);
          if (outcome.error)
            log(log_level::warning, "batch attempt ", st.attempts + 1, " failed: ", outcome.error.message());
          else if (outcome.http_status < 200 || outcome.http_status >= 300)
            log(log_level::warning, "batch attempt ", st.attempts + 1, " got HTTP ", outcome.http_status);
          break;
        case delivery_action_type::wait:
          counters_.retries.fetch_add(1, std::memory_order_relaxed);
          slot.last_error = st.diag.last_error;
          slot.backoff.expires_after(action.delay);
          co_await slot.backoff.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
          outcome = delivery_outcome{.event = delivery_event::wait_over};
          break;
        case delivery_action_type::split: {
          const std::size_t mid = part.begin + (part.end - part.begin) / 2;
          log(log_level::warning, "HTTP ", st.diag.http_status, " for ", part.end - part.begin,
              " message(s): sending them as two halves");
          todo.push_back({.begin = mid, .end = part.end, .state = half_of(st, part.end - mid)});
          todo.push_back({.begin = part.begin, .end = mid, .state = half_of(st, mid - part.begin)});
          part_done = true;
          break;
        }
        case delivery_action_type::delivered:
          log(log_level::debug, "batch of ", part.end - part.begin, " delivered (HTTP ", st.diag.http_status,
              ", attempt ", st.diag.attempts, ")");
          settle_part(b, part.begin, part.end, {}, st.diag);
          part_done = true;
          break;
        case delivery_action_type::failed:
          log(log_level::error, "batch of ", part.end - part.begin, " failed after ", st.diag.attempts,
              " attempt(s): ", action.cause.message(), " (last: ", st.diag.last_error.message(), ")");
          settle_part(b, part.begin, part.end, action.cause, st.diag);
          part_done = true;
          break;
        case delivery_action_type::spool_now:
          log(log_level::error, "batch of ", part.end - part.begin, " refused (", st.diag.last_error.message(),
              "): kept in the spool for a later run");
          spool_part(b, part.begin, part.end, action.cause, st.diag);
          part_done = true;
          break;
        case delivery_action_type::leave_for_spool:
          log(log_level::info, "batch of ", part.end - part.begin, " left unsent for close() to spool");
          if (st.diag.attempts > 0) note_failure(aborting() ? errc::deadline_reached : st.diag.last_error, st.diag);
          co_return;  // this part and every other left stay unsettled
      }
    }
  }
}

void client_impl::mark_settled(batch& b, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i) {
    if (b.settled[i]) continue;
    b.settled[i] = true;
    ++b.settled_count;
  }
  b.resolved = b.settled_count == b.entries.size();
}

void client_impl::settle_part(batch& b, std::size_t begin, std::size_t end, std::error_code outcome,
                              const diagnostics& diag) {
  mark_settled(b, begin, end);
  acknowledge_in_spool(b, begin, end);
  const auto n = end - begin;
  (outcome ? counters_.failed : counters_.delivered).fetch_add(n, std::memory_order_relaxed);
  if (outcome) {
    note_failure(outcome, diag);
    for (auto* w : flush_waiters_) {
      if (w->end_seq <= b.first_seq) continue;
      w->result = outcome;
      w->why = diag;
    }
  }
  if (!cfg_.on_delivery) return;
  for (std::size_t i = begin; i < end; ++i) {
    try {
      cfg_.on_delivery(b.message_id(b.entries[i]), outcome, diag);
    } catch (...) {  // a callback must not break delivery
    }
  }
}

void client_impl::note_failure(std::error_code outcome, const diagnostics& diag) {
  last_failure_ = diag;
  last_failure_outcome_ = outcome;
}

}  // namespace flowtrack::detail
