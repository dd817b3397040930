// The client's engine. Producers (any thread) touch only the queue and the atomic counters;
// everything else lives on the strand: the batcher loop, the interval ticker, the batch
// senders (one coroutine per batch in flight), flush waiters and close.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/strand.hpp>

#include "common/engine_clock.hpp"
#include "client/lifecycle_fsm.hpp"
#include "client/message_queue.hpp"
#include "client/strand_event.hpp"
#include "flowtrack/config.hpp"
#include "flowtrack/diagnostics.hpp"
#include "flowtrack/stats.hpp"
#include "http/http_codec.hpp"
#include "policy/delivery_fsm.hpp"
#include "spool/spool.hpp"
#include "transport/connection.hpp"
#include "transport/endpoint.hpp"
#include "wire/encoder.hpp"

namespace flowtrack::detail {

/// A batch: the body the queue filled in place (batch_buffer.hpp), sent as it is; each
/// message's place in it is kept for callbacks and the spool. Its storage goes back to the
/// queue's pool when the last reference to the batch goes.
struct batch {
  using entry = batch_buffer::entry;
  batch() = default;
  /// Takes over `filled`'s body and entries; they go back to `pool` with the batch.
  batch(std::unique_ptr<batch_buffer> filled, std::shared_ptr<batch_buffer_pool> pool)
      : first_seq(filled->first_seq),
        last_seq(filled->first_seq + filled->entries.size() - 1),
        shell_(std::move(filled)),
        pool_(std::move(pool)) {
    body.swap(shell_->body);
    entries.swap(shell_->entries);
  }
  batch(const batch&) = delete;
  batch& operator=(const batch&) = delete;
  ~batch() {
    if (!pool_) return;
    shell_->body.swap(body);
    shell_->entries.swap(entries);
    pool_->give_back(std::move(shell_));
  }

  std::uint64_t first_seq = 0, last_seq = 0;
  std::string body;
  std::vector<entry> entries;
  std::vector<bool> settled;  ///< per entry: delivered, failed or spooled (a split batch settles in parts)
  std::size_t settled_count = 0;
  bool resolved = false;      ///< every entry settled

  std::string_view message_json(const entry& e) const { return std::string_view(body).substr(e.offset, e.size); }
  std::string_view message_id(const entry& e) const { return std::string_view(body).substr(e.id_offset, e.id_size); }

 private:
  std::unique_ptr<batch_buffer> shell_;
  std::shared_ptr<batch_buffer_pool> pool_;
};

/// What close() may abort in a running sender.
struct sender_slot {
  explicit sender_slot(const asio::any_io_executor& ex) : backoff(ex) {}
  engine_timer backoff;
  connection* conn = nullptr;
  std::error_code last_error;  // of the attempt the backoff follows
};

struct counters {
  std::atomic<std::uint64_t> enqueued{0}, delivered{0}, failed{0}, dropped{0}, evicted{0}, spooled{0},
      retries{0}, requests{0}, batches{0}, bytes_sent{0}, connections{0}, replayed{0}, spool_corrupt_bytes{0},
      spool_corrupt_records{0}, spool_not_regular{0};
};

class client_impl : public std::enable_shared_from_this<client_impl> {
 public:
  using strand_type = asio::strand<asio::any_io_executor>;

  client_impl(asio::any_io_executor ex, config cfg);
  ~client_impl();

  /// Spawns the batcher loop and the ticker. Called once, right after construction.
  void start();

  /// Any thread: validate, encode, queue. The message is encoded into this thread's scratch
  /// buffer (no allocation once it has grown) and copied once, into the batch body it will be
  /// sent in (message_queue.hpp): in steady state nothing is allocated.
  std::error_code enqueue(const track_message& m) { return enqueue_message(m); }
  std::error_code enqueue(const identify_message& m) { return enqueue_message(m); }
  std::error_code enqueue(const page_message& m) { return enqueue_message(m); }
  std::error_code enqueue(const screen_message& m) { return enqueue_message(m); }
  std::error_code enqueue(const group_message& m) { return enqueue_message(m); }
  std::error_code enqueue(const alias_message& m) { return enqueue_message(m); }
  /// The former generic form: the overloads above are what every caller gets (an exact match
  /// beats a template), so a definition of it elsewhere is never used.
  template <class Message>
  std::error_code enqueue(const Message& m);

  /// Any thread but the strand's: blocks until the queue has room (see client::wait_for_capacity).
  bool wait_for_room(std::chrono::milliseconds timeout) { return queue_.wait_for_room(timeout); }

  // The following run on the strand.
  asio::awaitable<std::error_code> flush(diagnostics* why = nullptr);
  asio::awaitable<close_report> close(std::chrono::milliseconds timeout);
  /// Any thread, when the client object goes: stops intake and writes what is still queued
  /// (not yet in a batch) to the spool at once, waiting for its sync for config::spool_reserve
  /// at the most. Counted in stats::spooled. Returns how many messages were kept (0 without
  /// a usable spool: they are then left for shutdown_now()).
  std::size_t spool_queue_now();
  /// The client object is gone: cancel everything now, without waiting. `kept_at_destruction`:
  /// what spool_queue_now() kept, for the log.
  void shutdown_now(std::size_t kept_at_destruction = 0);

  stats snapshot() const noexcept;
  const strand_type& strand() const noexcept { return strand_; }

 private:
  struct flush_waiter {
    explicit flush_waiter(const asio::any_io_executor& ex, std::uint64_t end) : done(ex), end_seq(end) {}
    strand_event done;
    std::uint64_t end_seq;  // resolved when every seq < end_seq is resolved
    std::error_code result;
    diagnostics why;  // of the failure in `result`
  };

  // Intake (client_impl.cpp)
  template <class Message>
  std::error_code enqueue_message(const Message& m) {
    if (auto ec = admission()) return ec;
    thread_local encoded_message scratch;
    if (auto ec = encode(m, encode_options{.now = std::chrono::system_clock::now()}, scratch)) return ec;
    return enqueue_encoded(scratch);
  }
  /// errc::closed, or errc::queue_full (counted as dropped) when a push would be refused
  /// anyway: the encoding is spared.
  std::error_code admission();
  /// Write-ahead, then the push; counts the outcome.
  std::error_code enqueue_encoded(const encoded_message& encoded);

  // Batcher (client_impl.cpp)
  asio::awaitable<void> run();
  asio::awaitable<void> tick();
  /// Any thread: wakes the batcher (at most one wake-up in flight). A producer writes to an
  /// eventfd rather than posting: a post allocates its handler on the calling thread.
  void wake_from_any_thread();
  /// Turns the eventfd's wake-ups into wake_ notifications on the strand, until stop().
  asio::awaitable<void> watch_wakes();
  void pump();
  std::shared_ptr<batch> form_batch(bool force);
  void settle();
  bool all_resolved() const;
  std::uint64_t lowest_unresolved_seq() const;
  void report_evictions();
  void stop();
  lifecycle_facts lifecycle_now() const;
  /// Stops the engine and completes the report (the lifecycle reached `complete`).
  void finish_close(std::chrono::steady_clock::time_point started);

  // Spool (client_spool.cpp)
  void open_spool();
  void write_ahead(const encoded_message& m);
  void unspool(std::string_view message_id);
  void acknowledge_in_spool(const batch& b, std::size_t begin, std::size_t end);
  /// Spools entries [begin, end) of `b` now and settles them (a refusal a later run may not meet).
  void spool_part(batch& b, std::size_t begin, std::size_t end, std::error_code cause, const diagnostics& diag);
  /// Appends `messages` to the spool (under spool_mutex_), counting what was written as spooled
  /// and what did not fit as dropped. Returns how many were written; nothing when no spool is open.
  std::optional<std::size_t> spool_messages_locked(const std::vector<std::string_view>& messages);
  /// Takes everything still queued: the JSON of what must be written to the spool, and how
  /// many are already in the write-ahead file (counted as spooled here).
  std::vector<std::string> take_queued_for_spool(std::size_t& in_write_ahead_file);
  void release_replayed_files();
  /// Writes what is not settled to the spool and syncs it, waiting for the sync for
  /// config::spool_reserve at the most and never past `deadline`.
  void spool_pending(std::chrono::steady_clock::time_point deadline);
  void note_spool_error(std::error_code ec);
  /// Whether a usable spool is open (close() can keep what is not delivered).
  bool spool_ready();

  // Sender (batch_sender.cpp)
  asio::awaitable<void> send_batch(std::shared_ptr<batch> b);
  asio::awaitable<void> deliver(batch& b, sender_slot& slot);
  /// One request with `batch_body` (its sentAt restamped); the outcome for the delivery machine.
  asio::awaitable<delivery_outcome> attempt(std::string& batch_body, sender_slot& slot, int attempt_index);
  void build_part_body(const batch& b, std::size_t begin, std::size_t end, std::string& out) const;
  std::unique_ptr<connection> acquire_connection();
  /// config::preconnect: opens one connection at start, kept for the first batch.
  asio::awaitable<void> preconnect();
  void release_connection(std::unique_ptr<connection> c);
  static void mark_settled(batch& b, std::size_t begin, std::size_t end);
  /// Entries [begin, end) are delivered (`outcome` empty) or failed with `outcome`.
  void settle_part(batch& b, std::size_t begin, std::size_t end, std::error_code outcome, const diagnostics& diag);
  void note_failure(std::error_code outcome, const diagnostics& diag);
  void abort_senders();
  /// close() began: batches waiting to retry an unreachable server stop waiting (with a spool).
  void end_unreachable_backoffs();

  template <class... Parts>
  void log(log_level level, const Parts&... parts) const;

  config cfg_;
  endpoint_url endpoint_;
  proxy_route route_;  // how connections reach endpoint_ (transport/proxy_route.hpp)
  std::optional<asio::ssl::context> tls_;
  std::string context_json_;
  std::size_t envelope_bytes_ = 0;
  http::fields fixed_headers_;
  strand_type strand_;

  // Shared with producers.
  message_queue queue_;
  std::atomic<bool> wake_posted_{false};
  int wake_fd_ = -1;  // an eventfd producers write to (owned by wake_reader_); -1: post instead
  asio::posix::stream_descriptor wake_reader_;
  counters counters_;

  // Strand-only state.
  strand_event wake_;
  engine_timer tick_timer_;
  bool tick_due_ = false;
  // The lifecycle (lifecycle_fsm.hpp): every "closing?" question is a question about its phase.
  lifecycle_state lifecycle_;
  /// close() began: send everything, partial batches too.
  bool closing() const noexcept { return lifecycle_.phase != lifecycle_phase::open; }
  /// Sending time is over (deadline, cancellation, destruction): cancel everything.
  bool aborting() const noexcept { return lifecycle_.phase >= lifecycle_phase::aborting; }
  /// The loop and the ticker exit.
  bool stopped() const noexcept { return lifecycle_.phase == lifecycle_phase::closed; }
  /// close()'s cancellation, posted here from its slot's handler (any thread).
  asio::cancellation_type close_cancellation_ = asio::cancellation_type::none;
  std::size_t in_flight_ = 0;
  std::deque<std::shared_ptr<batch>> outstanding_;  // formed, unresolved first; in seq order
  std::list<sender_slot*> senders_;
  connection* preconnecting_ = nullptr;  // the preconnect's connection while it opens
  std::vector<std::unique_ptr<connection>> idle_connections_;
  std::vector<asio::ip::tcp::endpoint> addresses_;  // resolved once, reused by every connection
  std::list<flush_waiter*> flush_waiters_;
  strand_event settled_;       // notified whenever batches resolve or senders finish
  std::uint64_t rng_state_;
  diagnostics last_failure_;            // of the last batch part that failed or was spooled
  std::error_code last_failure_outcome_;

  // Spool. The mutex guards spool_ (write-ahead appends come from producer threads).
  std::mutex spool_mutex_;
  std::optional<spool> spool_;
  std::uint64_t replay_end_seq_ = 1;    // messages with seq < this came from the spool
  bool replay_files_held_ = false;      // claimed files not yet deleted
  std::error_code spool_error_;         // first failure, under spool_mutex_
  std::error_code spool_system_error_;  // its errno (ENOSPC, EIO, EROFS...), under spool_mutex_

  strand_event closed_event_;
  close_report report_;
};

template <class... Parts>
void client_impl::log(log_level level, const Parts&... parts) const {
  if (!cfg_.logger) return;
  std::ostringstream line;
  (line << ... << parts);
  try {
    cfg_.logger(level, line.str());
  } catch (...) {  // a logger must not break delivery
  }
}

}  // namespace flowtrack::detail
