#include "client/message_queue.hpp"

namespace flowtrack::detail {

message_queue::message_queue(std::size_t capacity, overflow_policy policy, std::size_t ready_count,
                             std::size_t ready_bytes)
    : capacity_(capacity), policy_(policy), ready_count_(ready_count), ready_bytes_(ready_bytes) {}

bool message_queue::ready_locked() const {
  return items_.size() >= ready_count_ || bytes_ >= ready_bytes_;
}

void message_queue::size_changed_locked() {
  size_hint_.store(items_.size(), std::memory_order_relaxed);
}

void message_queue::removed_locked() {
  size_changed_locked();
  if (room_waiters_ > 0 && items_.size() < capacity_) room_.notify_all();
}

push_result message_queue::push(encoded_message&& m, bool& became_ready) {
  became_ready = false;
  std::lock_guard lock(mutex_);
  if (closed_.load(std::memory_order_relaxed)) return push_result::closed;
  push_result result = push_result::accepted;
  if (items_.size() >= capacity_) {
    if (policy_ == overflow_policy::drop_newest || items_.empty()) return push_result::full;
    auto& oldest = items_.front().message;
    evicted_ids_.emplace_back(oldest.message_id());
    bytes_ -= oldest.json.size() + 1;
    items_.pop_front();
    result = push_result::accepted_evicting_oldest;
  }
  const bool was_ready = ready_locked();
  bytes_ += m.json.size() + 1;
  items_.push_back({std::move(m), next_seq_++});
  size_changed_locked();
  became_ready = !was_ready && ready_locked();
  return result;
}

std::uint64_t message_queue::push_replayed(encoded_message&& m) {
  std::lock_guard lock(mutex_);
  bytes_ += m.json.size() + 1;
  items_.push_back({std::move(m), next_seq_});
  size_changed_locked();
  return next_seq_++;
}

std::size_t message_queue::take_batch(batch_limiter& limiter, bool force, std::vector<queued_message>& out) {
  std::lock_guard lock(mutex_);
  if (items_.empty() || (!force && !ready_locked())) return 0;
  std::size_t taken = 0;
  while (!items_.empty() && limiter.try_add(items_.front().message.json.size())) {
    bytes_ -= items_.front().message.json.size() + 1;
    out.push_back(std::move(items_.front()));
    items_.pop_front();
    ++taken;
  }
  removed_locked();
  return taken;
}

std::vector<queued_message> message_queue::take_all() {
  std::lock_guard lock(mutex_);
  std::vector<queued_message> all(std::make_move_iterator(items_.begin()), std::make_move_iterator(items_.end()));
  items_.clear();
  bytes_ = 0;
  removed_locked();
  return all;
}

std::vector<std::string> message_queue::take_evicted_ids() {
  std::lock_guard lock(mutex_);
  return std::exchange(evicted_ids_, {});
}

void message_queue::close() {
  std::lock_guard lock(mutex_);
  closed_.store(true, std::memory_order_release);
  room_.notify_all();
}

bool message_queue::wait_for_room(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ++room_waiters_;
  const bool room = room_.wait_for(lock, timeout, [&] {
    return closed_.load(std::memory_order_relaxed) || items_.size() < capacity_;
  });
  --room_waiters_;
  return room && !closed_.load(std::memory_order_relaxed);
}

std::uint64_t message_queue::lowest_seq() const {
  std::lock_guard lock(mutex_);
  return items_.empty() ? next_seq_ : items_.front().seq;
}

std::uint64_t message_queue::next_seq() const {
  std::lock_guard lock(mutex_);
  return next_seq_;
}

std::size_t message_queue::size() const {
  std::lock_guard lock(mutex_);
  return items_.size();
}

}  // namespace flowtrack::detail
