// The bounded multi-producer queue between track() (any thread) and the client's batcher.
// push() never waits on anything but a short mutex; a full queue drops per overflow_policy.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "flowtrack/config.hpp"
#include "wire/batch_body.hpp"
#include "wire/encoder.hpp"

namespace flowtrack::detail {

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

class message_queue {
 public:
  /// `ready_bytes`: queued bytes at which a batch is worth sending without waiting.
  message_queue(std::size_t capacity, overflow_policy policy, std::size_t ready_count, std::size_t ready_bytes);

  /// Thread-safe. `became_ready` is set when this push made a full batch available.
  push_result push(encoded_message&& m, bool& became_ready);

  /// Queues a message replayed from the spool, ignoring the capacity (it was accepted by an
  /// earlier run). Returns its sequence number. Only before producers start.
  std::uint64_t push_replayed(encoded_message&& m);

  /// Moves the oldest messages that fit `limiter` into `out` (appending). Takes nothing unless
  /// `force` or a full batch is queued. Returns the number taken.
  std::size_t take_batch(batch_limiter& limiter, bool force, std::vector<queued_message>& out);

  /// Moves everything out (for the spool at close). Thread-safe.
  std::vector<queued_message> take_all();

  /// Message ids evicted by drop_oldest since the last call.
  std::vector<std::string> take_evicted_ids();

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
  bool ready_locked() const;
  void size_changed_locked();  // after items_ changed: update size_hint_
  void removed_locked();       // after items left the queue: update the hint, wake room waiters

  mutable std::mutex mutex_;
  std::deque<queued_message> items_;
  std::size_t bytes_ = 0;  // sum of message sizes + 1 comma each
  std::uint64_t next_seq_ = 1;
  std::atomic<bool> closed_{false};
  std::atomic<std::size_t> size_hint_{0};  // items_.size(), readable without the mutex
  std::condition_variable room_;
  std::size_t room_waiters_ = 0;
  std::vector<std::string> evicted_ids_;
  const std::size_t capacity_;
  const overflow_policy policy_;
  const std::size_t ready_count_;
  const std::size_t ready_bytes_;
};

}  // namespace flowtrack::detail
