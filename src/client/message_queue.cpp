#include "client/message_queue.hpp"

#include <algorithm>

namespace flowtrack::detail {
namespace {

// A new body starts with room for this much (less when a batch is smaller) and doubles up to
// the batch limit: a body never holds more than about twice its content, nor more than the limit.
constexpr std::size_t initial_body_bytes = std::size_t{16} * 1024;

std::size_t initial_room(const batch_shape& shape, std::size_t envelope_bytes) {
  return std::min({initial_body_bytes, shape.max_bytes, envelope_bytes + 512 * shape.max_messages});
}

void make_room(std::string& body, std::size_t more, std::size_t max_bytes) {
  const std::size_t need = body.size() + more;
  if (need <= body.capacity()) return;
  body.reserve(std::max(need, std::min(body.capacity() * 2, max_bytes)));
}

}  // namespace

message_queue::message_queue(std::size_t capacity, overflow_policy policy, batch_shape shape)
    : capacity_(capacity),
      policy_(policy),
      shape_(std::move(shape)),
      envelope_bytes_(batch_envelope_bytes(shape_.context_json)),
      pool_(std::make_shared<batch_buffer_pool>(shape_.buffers_kept)) {
  // Room for the bodies a full queue of small messages needs, so the ring does not regrow.
  ring_.resize(std::min<std::size_t>(capacity / std::max<std::size_t>(shape_.max_messages, 1) + 4, 1024));
}

void message_queue::size_changed_locked() { size_hint_.store(size_, std::memory_order_relaxed); }

void message_queue::removed_locked() {
  size_changed_locked();
  if (room_waiters_ > 0 && size_ < capacity_) room_.notify_all();
}

void message_queue::ring_push_locked(std::unique_ptr<batch_buffer> b) {
  if (count_ == ring_.size()) {
    std::vector<std::unique_ptr<batch_buffer>> grown(std::max<std::size_t>(4, ring_.size() * 2));
    for (std::size_t i = 0; i < count_; ++i) grown[i] = std::move(ring_[(head_ + i) % ring_.size()]);
    ring_ = std::move(grown);
    head_ = 0;
  }
  ring_[(head_ + count_) % ring_.size()] = std::move(b);
  ++count_;
}

std::unique_ptr<batch_buffer> message_queue::ring_pop_locked() {
  auto b = std::move(ring_[head_]);
  head_ = (head_ + 1) % ring_.size();
  --count_;
  if (b->sealed) --sealed_;
  return b;
}

batch_buffer& message_queue::open_buffer_locked() {
  if (count_ > 0 && !ring_back_locked().sealed) return ring_back_locked();
  auto b = pool_->take(std::min<std::size_t>(shape_.max_messages, 4096));
  begin_batch_body(b->body, shape_.context_json, std::max(b->body.capacity(), initial_room(shape_, envelope_bytes_)));
  b->first_seq = next_seq_;
  b->bytes = envelope_bytes_;
  ring_push_locked(std::move(b));
  return ring_back_locked();
}

void message_queue::append_locked(const encoded_message& m, bool& sealed_one) {
  const std::size_t size = m.json.size();
  if (count_ > 0 && !ring_back_locked().sealed) {
    batch_buffer& open = ring_back_locked();
    // A message that would pass a limit goes in the next body; this one is full.
    if (open.entries.size() >= shape_.max_messages || open.bytes + size + 1 > shape_.max_bytes) {
      open.sealed = open.full = true;
      ++sealed_;
      sealed_one = true;
    }
  }
  batch_buffer& b = open_buffer_locked();
  const bool first = b.entries.empty();
  make_room(b.body, size + 1, shape_.max_bytes);
  append_to_batch_body(b.body, m.json, first);
  const auto offset = static_cast<std::uint32_t>(b.body.size() - size);
  b.entries.push_back({offset, static_cast<std::uint32_t>(size), offset + m.id_offset, m.id_length});
  b.bytes += size + (first ? 0 : 1);
  if (b.entries.size() >= shape_.max_messages) {
    b.sealed = b.full = true;
    ++sealed_;
    sealed_one = true;
  }
  ++size_;
}

void message_queue::evict_oldest_locked() {
  batch_buffer& front = ring_front_locked();
  const auto& e = front.entries[front.skipped];
  evicted_ids_.emplace_back(front.body, e.id_offset, e.id_size);
  ++front.skipped;
  --size_;
  if (front.skipped < front.entries.size()) return;
  if (front.sealed || count_ > 1) {
    pool_->give_back(ring_pop_locked());
    return;
  }
  // The only body, and nothing left in it: start it again.
  begin_batch_body(front.body, shape_.context_json, front.body.capacity());
  front.entries.clear();
  front.skipped = 0;
  front.first_seq = next_seq_;
  front.bytes = envelope_bytes_;
}

push_result message_queue::push(const encoded_message& m, bool& became_ready) {
  became_ready = false;
  std::lock_guard lock(mutex_);
  if (closed_.load(std::memory_order_relaxed)) return push_result::closed;
  push_result result = push_result::accepted;
  if (size_ >= capacity_) {
    if (policy_ == overflow_policy::drop_newest || size_ == 0) return push_result::full;
    evict_oldest_locked();
    result = push_result::accepted_evicting_oldest;
  }
  const bool was_ready = sealed_ > 0;
  bool sealed_one = false;
  append_locked(m, sealed_one);
  ++next_seq_;
  size_changed_locked();
  became_ready = !was_ready && sealed_ > 0;
  return result;
}

std::uint64_t message_queue::push_replayed(const encoded_message& m) {
  std::lock_guard lock(mutex_);
  bool sealed_one = false;
  append_locked(m, sealed_one);
  size_changed_locked();
  return next_seq_++;
}

std::unique_ptr<batch_buffer> message_queue::take_batch(bool force) {
  std::size_t spares_wanted = 0;
  auto b = take_locked(force, spares_wanted);
  // A full batch shows how many messages a body holds: from now on the pool keeps enough
  // full-sized bodies for a full queue, allocated here on the consumer's thread, so a producer
  // never has to allocate one (nor grow one).
  if (b && b->full)
    pool_->top_up(spares_wanted, std::min(std::max(b->body.capacity(), b->bytes), shape_.max_bytes),
                  b->entries.capacity());
  return b;
}

std::unique_ptr<batch_buffer> message_queue::take_locked(bool force, std::size_t& spares_wanted) {
  std::lock_guard lock(mutex_);
  if (count_ == 0) return nullptr;
  batch_buffer& front = ring_front_locked();
  if (!front.sealed) {
    if (!force || front.skipped == front.entries.size()) return nullptr;
    front.sealed = true;
    ++sealed_;
  }
  auto b = ring_pop_locked();
  size_ -= b->entries.size() - b->skipped;
  if (b->skipped > 0) {  // drop_oldest removed some: close the gap (its messages' ids were reported)
    const std::size_t head = b->entries.front().offset;
    const std::size_t cut = b->entries[b->skipped].offset - head;
    b->body.erase(head, cut);
    b->entries.erase(b->entries.begin(), b->entries.begin() + static_cast<std::ptrdiff_t>(b->skipped));
    for (auto& e : b->entries) {
      e.offset -= static_cast<std::uint32_t>(cut);
      e.id_offset -= static_cast<std::uint32_t>(cut);
    }
    b->first_seq += b->skipped;
    b->bytes -= cut;
    b->skipped = 0;
  }
  make_room(b->body, 2, shape_.max_bytes);
  finish_batch_body(b->body);
  removed_locked();
  if (b->full) {  // bodies a full queue needs (and the one being filled), less those queued
    const std::size_t per_body = std::max<std::size_t>(b->entries.size(), 1);
    const std::size_t needed = (capacity_ + per_body - 1) / per_body + 1;
    spares_wanted = needed > count_ ? needed - count_ : 0;
  }
  return b;
}

std::vector<queued_message> message_queue::take_all() {
  std::lock_guard lock(mutex_);
  std::vector<queued_message> all;
  all.reserve(size_);
  while (count_ > 0) {
    auto b = ring_pop_locked();
    for (std::size_t i = b->skipped; i < b->entries.size(); ++i) {
      const auto& e = b->entries[i];
      all.push_back({.message = {.json = b->body.substr(e.offset, e.size), .id_offset = e.id_offset - e.offset,
                                 .id_length = e.id_size},
                     .seq = b->first_seq + i});
    }
    pool_->give_back(std::move(b));
  }
  size_ = 0;
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
    return closed_.load(std::memory_order_relaxed) || size_ < capacity_;
  });
  --room_waiters_;
  return room && !closed_.load(std::memory_order_relaxed);
}

std::uint64_t message_queue::lowest_seq() const {
  std::lock_guard lock(mutex_);
  if (count_ == 0) return next_seq_;
  const batch_buffer& front = *ring_[head_];
  return front.first_seq + front.skipped;
}

std::uint64_t message_queue::next_seq() const {
  std::lock_guard lock(mutex_);
  return next_seq_;
}

std::size_t message_queue::size() const {
  std::lock_guard lock(mutex_);
  return size_;
}

}  // namespace flowtrack::detail
