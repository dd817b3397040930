// The public facade: forwards to client_impl, hopping onto its strand for async work.
#include "flowtrack/client.hpp"
#include "flowtrack/version.hpp"

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "client/client_impl.hpp"

namespace flowtrack {

const char* library_version() noexcept { return FLOWTRACK_VERSION_STRING; }

namespace detail {

template <class Message>
std::error_code client_impl::enqueue(const Message& m) {
  if (queue_.closed()) return errc::closed;
  if (queue_.full_hint()) {  // refused anyway: spare the encoding
    counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    return errc::queue_full;
  }
  // Encoded into this thread's scratch buffer (no allocation once it has grown), then copied
  // into a string of the exact size: queued messages hold their bytes and nothing more.
  thread_local encoded_message scratch;
  if (auto ec = encode(m, encode_options{.now = std::chrono::system_clock::now()}, scratch)) return ec;
  encoded_message encoded{.json = std::string(scratch.json), .id_offset = scratch.id_offset,
                          .id_length = scratch.id_length};
  // Write-ahead: on disk before it can be sent; a message then refused is acknowledged at
  // once so no later run replays it.
  if (cfg_.write_ahead) write_ahead(encoded);
  const std::string id(cfg_.write_ahead ? encoded.message_id() : std::string_view{});
  bool became_ready = false;
  const push_result pushed = queue_.push(std::move(encoded), became_ready);
  if (cfg_.write_ahead && (pushed == push_result::closed || pushed == push_result::full)) unspool(id);
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

}  // namespace detail

client::client(asio::any_io_executor ex, config cfg)
    : impl_(std::make_shared<detail::client_impl>(std::move(ex), std::move(cfg))) {
  impl_->start();
}

client::client(asio::io_context& io, config cfg) : client(io.get_executor(), std::move(cfg)) {}

client::~client() {
  // What is still queued is kept now, on this thread: the executor may never run again. What is
  // in flight belongs to the strand: shutdown_now() aborts it and spools what it left.
  std::size_t kept = 0;
  try {
    kept = impl_->spool_queue_now();
  } catch (...) {  // out of memory: shutdown_now() tries again
  }
  asio::post(impl_->strand(), [impl = impl_, kept] { impl->shutdown_now(kept); });
}

std::error_code client::track(const track_message& m) { return impl_->enqueue(m); }
std::error_code client::identify(const identify_message& m) { return impl_->enqueue(m); }
std::error_code client::page(const page_message& m) { return impl_->enqueue(m); }
std::error_code client::screen(const screen_message& m) { return impl_->enqueue(m); }
std::error_code client::group(const group_message& m) { return impl_->enqueue(m); }
std::error_code client::alias(const alias_message& m) { return impl_->enqueue(m); }

asio::awaitable<std::error_code> client::async_flush() {
  // The spawned function holds the engine alive (not a raw `this`), whatever happens to the caller.
  auto impl = impl_;
  co_return co_await asio::co_spawn(impl->strand(), [impl] { return impl->flush(); }, asio::use_awaitable);
}

asio::awaitable<std::error_code> client::async_flush(diagnostics& why) {
  auto impl = impl_;
  diagnostics result;
  const auto ec =
      co_await asio::co_spawn(impl->strand(), [impl, &result] { return impl->flush(&result); }, asio::use_awaitable);
  why = result;
  co_return ec;
}

asio::awaitable<close_report> client::async_close(std::chrono::milliseconds timeout) {
  auto impl = impl_;
  // Terminal and partial cancellation of the caller pass on to the close (total is filtered:
  // a close cannot be undone without effect).
  co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation());
  co_await asio::this_coro::throw_if_cancelled(false);
  co_return co_await asio::co_spawn(
      impl->strand(), [impl, timeout] { return impl->close(timeout); }, asio::use_awaitable);
}

bool client::wait_for_capacity(std::chrono::milliseconds timeout) {
  // On a thread that runs the client's executor, waiting would hold up the very work that
  // makes room.
  const auto& inner = impl_->strand().get_inner_executor();
  const auto* io_executor = inner.target<asio::io_context::executor_type>();
  if (impl_->strand().running_in_this_thread() || (io_executor && io_executor->running_in_this_thread())) return false;
  return impl_->wait_for_room(timeout);
}

stats client::statistics() const noexcept { return impl_->snapshot(); }

asio::any_io_executor client::get_executor() const noexcept { return impl_->strand().get_inner_executor(); }

}  // namespace flowtrack
