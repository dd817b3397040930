// The storage queued messages live in: batch bodies filled in place by track() and sent as they
// are, then given back to a pool and filled again. After warm-up no message costs an allocation.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace flowtrack::detail {

/// One /v1/batch body (wire/batch_body.hpp's layout) and where each message is in it.
struct batch_buffer {
  struct entry {
    std::uint32_t offset, size;        ///< the message's JSON within body
    std::uint32_t id_offset, id_size;  ///< its messageId within body
  };
  std::string body;              ///< the envelope's head, then the messages; "]}" once taken
  std::vector<entry> entries;    ///< one per message, in order
  std::uint64_t first_seq = 0;   ///< sequence number of entries[0]
  std::size_t skipped = 0;       ///< leading entries dropped by drop_oldest (removed when taken)
  std::size_t bytes = 0;         ///< exact size of the finished body with these entries
  bool sealed = false;           ///< no message is added any more
  bool full = false;             ///< sealed because the next message would pass a limit
};

/// Empty batch buffers kept for reuse, their capacity intact. Thread-safe: producers take
/// (under the queue's lock), whoever drops the last reference to a sent batch gives back.
class batch_buffer_pool {
 public:
  /// Keeps at most `max_kept` buffers; more given back are freed.
  explicit batch_buffer_pool(std::size_t max_kept) : max_kept_(max_kept) { kept_.reserve(max_kept); }

  /// A kept buffer, or a new one (empty, with room for `entries` entries).
  std::unique_ptr<batch_buffer> take(std::size_t entries) {
    {
      std::lock_guard lock(mutex_);
      if (!kept_.empty()) {
        auto b = std::move(kept_.back());
        kept_.pop_back();
        return b;
      }
    }
    auto b = std::make_unique<batch_buffer>();
    b->entries.reserve(entries);
    return b;
  }

  /// Empties `b` (its storage kept) and keeps it, unless max_kept are kept already.
  void give_back(std::unique_ptr<batch_buffer> b) noexcept {
    if (!b) return;
    b->body.clear();
    b->entries.clear();
    b->first_seq = 0;
    b->skipped = 0;
    b->bytes = 0;
    b->sealed = false;
    b->full = false;
    std::lock_guard lock(mutex_);
    if (kept_.size() < max_kept_) kept_.push_back(std::move(b));
  }

  /// Called by the consumer (never a producer): keeps at least `wanted` (at most max_kept)
  /// buffers with room for `body_bytes` and `entries` entries each, allocating here what is
  /// missing, so that producers find full-sized buffers and never allocate one themselves.
  void top_up(std::size_t wanted, std::size_t body_bytes, std::size_t entries) {
    wanted = std::min(wanted, max_kept_);
    std::vector<std::unique_ptr<batch_buffer>> grow;  // taken out, grown without the lock, put back
    {
      std::lock_guard lock(mutex_);
      for (auto& b : kept_)
        if (b->body.capacity() < body_bytes || b->entries.capacity() < entries) grow.push_back(std::move(b));
      std::erase(kept_, nullptr);
      const std::size_t have = kept_.size() + grow.size();
      if (grow.empty() && have >= wanted) return;
      grow.resize(std::max(grow.size(), grow.size() + wanted - std::min(wanted, have)));
    }
    for (auto& b : grow) {
      if (!b) b = std::make_unique<batch_buffer>();
      b->body.reserve(body_bytes);
      b->entries.reserve(entries);
    }
    std::lock_guard lock(mutex_);
    for (auto& b : grow)
      if (kept_.size() < max_kept_) kept_.push_back(std::move(b));
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<batch_buffer>> kept_;
  const std::size_t max_kept_;
};

}  // namespace flowtrack::detail
