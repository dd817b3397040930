// The bounded multi-producer queue between track() (any thread) and the client's batcher.
// push() never waits on anything but a short mutex; a full queue drops per overflow_policy.
// Messages are copied once, under that mutex, into the batch body they will be sent in
// (batch_buffer.hpp): a full body is a ready batch, taken as it is; sent bodies come back to
// a pool. In steady state a push allocates nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "client/batch_buffer.hpp"
#include "flowtrack/config.hpp"
#include "wire/batch_body.hpp"
#include "wire/encoder.hpp"

namespace flowtrack::detail {

/// A message taken out of the queue by take_all() (for the spool at close).
struct queued_message {
  encoded_message message;
  std::uint64_t seq = 0;  ///< acceptance order, from 1, gap-free
};

enum class push_result {
  accepted,
  accepted_evicting_oldest,  ///< accepted; the oldest queued message was dropped for it
  full,                      ///< refused: the queue is at capacity (drop_newest)
  closed,                    ///< refused: intake is closed
};

/// How the queue cuts its bodies into batches.
struct batch_shape {
  std::size_t max_messages = 250;   ///< config::batch_max_messages
  std::size_t max_bytes = 500000;   ///< config::batch_max_bytes: a body never grows past it
  std::string context_json;         ///< the envelope's context (make_batch_context)
  std::size_t buffers_kept = 8;     ///< empty bodies kept for reuse at the most
};

class message_queue {
 public:
  /// At most `capacity` messages queued, cut into batches of `shape`.
  message_queue(std::size_t capacity, overflow_policy policy, batch_shape shape);

  /// Thread-safe. Copies `m.json` into the body being filled. `became_ready` is set when this
  /// push made a full batch available.
  push_result push(const encoded_message& m, bool& became_ready);

  /// Queues a message replayed from the spool, ignoring the capacity (it was accepted by an
  /// earlier run). Returns its sequence number. Only before producers start.
  std::uint64_t push_replayed(const encoded_message& m);

  /// The oldest batch: a full one, or with `force` also the one being filled; nullptr when
  /// there is none. Its body is finished (envelope closed, sentAt zeros until stamped) and
  /// holds only queued messages (none dropped by drop_oldest). Give it back to pool() when sent.
  std::unique_ptr<batch_buffer> take_batch(bool force);

  /// Moves everything out (for the spool at close). Thread-safe.
  std::vector<queued_message> take_all();

  /// Message ids evicted by drop_oldest since the last call.
  std::vector<std::string> take_evicted_ids();

  /// Where sent batches' buffers go back (shared: a batch may outlive its sender).
  const std::shared_ptr<batch_buffer_pool>& pool() const noexcept { return pool_; }

  /// Stops intake: later pushes return push_result::closed (and wakes wait_for_room()).
  void close();
  /// Lock-free reads, exact once they return true.
  bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
  /// Whether a push would now be refused as full (a hint: the size may change at once).
  bool full_hint() const noexcept {
    return policy_ == overflow_policy::drop_newest && size_hint_.load(std::memory_order_relaxed) >= capacity_;
  }

  /// Blocks the calling thread until the queue has room for one message, intake is closed, or
  /// `timeout` passes. Returns whether there is room (and intake is open).
  bool wait_for_room(std::chrono::milliseconds timeout);

  /// Sequence number of the oldest queued message, or of the next to be accepted when empty.
  std::uint64_t lowest_seq() const;
  /// Sequence number the next accepted message will get.
  std::uint64_t next_seq() const;
  std::size_t size() const;

 private:
  std::unique_ptr<batch_buffer> take_locked(bool force, std::size_t& spares_wanted);
  void append_locked(const encoded_message& m, bool& sealed_one);
  void evict_oldest_locked();
  batch_buffer& open_buffer_locked();  // the last buffer, unsealed; a new one if needed
  void ring_push_locked(std::unique_ptr<batch_buffer> b);
  std::unique_ptr<batch_buffer> ring_pop_locked();
  batch_buffer& ring_front_locked() { return *ring_[head_]; }
  batch_buffer& ring_back_locked() { return *ring_[(head_ + count_ - 1) % ring_.size()]; }
  void size_changed_locked();  // after size_ changed: update size_hint_
  void removed_locked();       // after messages left the queue: update the hint, wake room waiters

  mutable std::mutex mutex_;
  // The bodies queued, oldest first, as a ring (no allocation per batch once it has grown).
  std::vector<std::unique_ptr<batch_buffer>> ring_;
  std::size_t head_ = 0, count_ = 0;
  std::size_t sealed_ = 0;  // full bodies in the ring (every one but possibly the last)
  std::size_t size_ = 0;    // queued messages
  std::uint64_t next_seq_ = 1;
  std::atomic<bool> closed_{false};
  std::atomic<std::size_t> size_hint_{0};  // size_, readable without the mutex
  std::condition_variable room_;
  std::size_t room_waiters_ = 0;
  std::vector<std::string> evicted_ids_;
  const std::size_t capacity_;
  const overflow_policy policy_;
  const batch_shape shape_;
  const std::size_t envelope_bytes_;
  std::shared_ptr<batch_buffer_pool> pool_;
};

}  // namespace flowtrack::detail
