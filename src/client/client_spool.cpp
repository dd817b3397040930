// The engine's use of the spool: replay at start, write-ahead, acknowledgements, and what
// close() (or the client's destruction) could not deliver.
#include "client/client_impl.hpp"

#include <algorithm>
#include <chrono>

#include "flowtrack/error.hpp"
#include "spool/spool_format.hpp"

namespace flowtrack::detail {

void client_impl::note_spool_error(std::error_code ec) {
  if (spool_error_) return;
  spool_error_ = ec;
  if (spool_) spool_system_error_ = spool_->first_system_error();
}

bool client_impl::spool_ready() {
  std::lock_guard lock(spool_mutex_);
  return spool_.has_value();
}

void client_impl::open_spool() {
  if (cfg_.spool_dir.empty()) return;
  std::lock_guard lock(spool_mutex_);
  spool_.emplace(cfg_.spool_dir, spool_limits{.max_bytes = cfg_.spool_max_bytes, .max_age = cfg_.spool_max_age});
  if (auto ec = spool_->open()) {
    log(log_level::error, "spool directory unusable, continuing in memory only: ", ec.message());
    note_spool_error(ec);
    spool_.reset();
    return;
  }
  spool_claim claim;
  if (auto ec = spool_->claim(claim)) {
    log(log_level::error, "spool directory unreadable: ", ec.message());
    note_spool_error(ec);
    return;
  }
  if (claim.corrupt_bytes > 0) {
    log(log_level::warning, "spool: skipped ", claim.corrupt_bytes, " corrupt byte(s) in ", claim.corrupt_records,
        " place(s), and read on after each");
    counters_.spool_corrupt_bytes.fetch_add(claim.corrupt_bytes, std::memory_order_relaxed);
    counters_.spool_corrupt_records.fetch_add(claim.corrupt_records, std::memory_order_relaxed);
  }
  if (claim.not_regular > 0) {
    log(log_level::warning, "spool: left alone ", claim.not_regular,
        " entry(ies) that are not regular files (FIFO, directory, symlink, device)");
    counters_.spool_not_regular.fetch_add(claim.not_regular, std::memory_order_relaxed);
  }
  if (claim.replay_in_progress) log(log_level::info, "spool: another process is replaying it; not replaying here");
  if (claim.expired + claim.over_cap > 0) {
    log(log_level::warning, "spool: dropped ", claim.expired, " expired and ", claim.over_cap, " over-cap message(s)");
    counters_.dropped.fetch_add(claim.expired + claim.over_cap, std::memory_order_relaxed);
  }
  replay_files_held_ = claim.files > 0;
  for (auto& json : claim.messages) {
    const auto id = spooled_message_id(json);
    encoded_message m;
    m.id_offset = id.empty() ? 0 : static_cast<std::uint32_t>(id.data() - json.data());
    m.id_length = static_cast<std::uint32_t>(id.size());
    m.json = std::move(json);
    // The string moved, so the id's offset (not its address) is what stays valid.
    replay_end_seq_ = queue_.push_replayed(m) + 1;
  }
  counters_.replayed.fetch_add(claim.messages.size(), std::memory_order_relaxed);
  if (!claim.messages.empty()) {
    log(log_level::info, "spool: replaying ", claim.messages.size(), " message(s) from ", claim.files, " file(s)");
    tick_due_ = true;  // send them without waiting for a full batch
  }
}

void client_impl::write_ahead(const encoded_message& m) {
  std::lock_guard lock(spool_mutex_);
  if (!spool_) return;
  if (auto ec = spool_->append_messages({m.json})) note_spool_error(ec);
}

void client_impl::unspool(std::string_view message_id) {
  std::lock_guard lock(spool_mutex_);
  if (spool_ && spool_->has_own_file()) {
    if (auto ec = spool_->append_ack({message_id})) note_spool_error(ec);
  }
}

void client_impl::acknowledge_in_spool(const batch& b, std::size_t begin, std::size_t end) {
  // Write-ahead: every settled message is marked. Otherwise only replayed ones: the marks are
  // the replay's progress, so a run killed mid-replay leaves them for the next run, which
  // sends only what was not acknowledged (at most the batches that were in flight again).
  const bool holds_replayed = b.first_seq < replay_end_seq_;
  if (!cfg_.write_ahead && !holds_replayed) return;
  std::vector<std::string_view> ids;
  ids.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) ids.push_back(b.message_id(b.entries[i]));
  std::lock_guard lock(spool_mutex_);
  // Replay marks create the own file if needed; write-ahead marks only ever follow messages.
  if (spool_ && (holds_replayed || spool_->has_own_file())) {
    if (auto ec = spool_->append_ack(ids)) note_spool_error(ec);
  }
}

std::optional<std::size_t> client_impl::spool_messages_locked(const std::vector<std::string_view>& messages) {
  if (!spool_) return std::nullopt;
  if (messages.empty()) return 0;
  std::size_t written = 0;
  const auto ec = spool_->append_messages(messages, written);
  counters_.spooled.fetch_add(written, std::memory_order_relaxed);
  if (ec == errc::spool_full) {
    // Reported, not silent: counted as dropped, with the reason in close_report::spool_error.
    counters_.dropped.fetch_add(messages.size() - written, std::memory_order_relaxed);
    counters_.evicted.fetch_add(messages.size() - written, std::memory_order_relaxed);
  }
  if (ec) {
    log(log_level::error, "spool: ", messages.size() - written, " message(s) not written: ", ec.message());
    note_spool_error(ec);
  }
  return written;
}

void client_impl::spool_part(batch& b, std::size_t begin, std::size_t end, std::error_code cause,
                             const diagnostics& diag) {
  const bool in_write_ahead_file = cfg_.write_ahead && b.first_seq >= replay_end_seq_;
  std::vector<std::string_view> messages;
  if (!in_write_ahead_file)
    for (std::size_t i = begin; i < end; ++i) messages.push_back(b.message_json(b.entries[i]));
  {
    std::lock_guard lock(spool_mutex_);
    if (in_write_ahead_file) {  // already on disk, and never acknowledged: the next run sends it
      counters_.spooled.fetch_add(end - begin, std::memory_order_relaxed);
    } else if (!spool_messages_locked(messages).has_value()) {
      return;  // the spool went away meanwhile: left unsettled, close() reports it pending
    }
  }
  mark_settled(b, begin, end);
  note_failure(cause, diag);
  for (auto* w : flush_waiters_) {
    if (w->end_seq <= b.first_seq) continue;
    w->result = cause;
    w->why = diag;
  }
}

void client_impl::release_replayed_files() {
  if (!replay_files_held_ || lowest_unresolved_seq() < replay_end_seq_) return;
  std::lock_guard lock(spool_mutex_);
  if (spool_) {
    spool_->delete_claimed();
    // Without write-ahead, an own file of progress marks alone has done its job.
    if (!cfg_.write_ahead && !spool_->own_file_holds_messages()) spool_->remove_own_file();
  }
  replay_files_held_ = false;
}

std::vector<std::string> client_impl::take_queued_for_spool(std::size_t& in_write_ahead_file) {
  std::vector<std::string> queued_json;
  in_write_ahead_file = 0;
  for (auto& q : queue_.take_all()) {
    if (!cfg_.write_ahead || q.seq < replay_end_seq_) queued_json.push_back(std::move(q.message.json));
    else ++in_write_ahead_file;
  }
  counters_.spooled.fetch_add(in_write_ahead_file, std::memory_order_relaxed);
  return queued_json;
}

std::size_t client_impl::spool_queue_now() {
  queue_.close();  // the client object is going: nothing more can be passed to it
  if (!spool_ready()) return 0;
  std::size_t in_write_ahead_file = 0;
  const std::vector<std::string> queued_json = take_queued_for_spool(in_write_ahead_file);
  const std::vector<std::string_view> queued(queued_json.begin(), queued_json.end());
  std::lock_guard lock(spool_mutex_);
  const std::size_t kept = spool_messages_locked(queued).value_or(0) + in_write_ahead_file;
  if (kept > 0 && spool_ && spool_->sync_until(std::chrono::steady_clock::now() + cfg_.spool_reserve) ==
                                sync_outcome::failed)
    note_spool_error(errc::spool_io);
  return kept;
}

void client_impl::spool_pending(std::chrono::steady_clock::time_point deadline) {
  // Everything not settled: still queued, or in a batch that did not complete.
  std::size_t queued_in_write_ahead_file = 0;
  std::vector<std::string> queued_json = take_queued_for_spool(queued_in_write_ahead_file);
  std::vector<std::string_view> pending(queued_json.begin(), queued_json.end());
  std::uint64_t already_spooled = 0;
  for (const auto& b : outstanding_) {
    if (b->resolved) continue;
    const bool in_write_ahead_file = cfg_.write_ahead && b->first_seq >= replay_end_seq_;
    for (std::size_t i = 0; i < b->entries.size(); ++i) {
      if (b->settled[i]) continue;
      if (in_write_ahead_file) {
        ++already_spooled;
      } else {
        pending.push_back(b->message_json(b->entries[i]));
      }
    }
  }
  std::lock_guard lock(spool_mutex_);
  if (!spool_) return;  // no spool, or an unusable one: they stay counted as pending
  counters_.spooled.fetch_add(already_spooled, std::memory_order_relaxed);
  // Whether the claimed files' messages still pending are safely in our own file now: only
  // then may the claimed files go. A full disk (ENOSPC), EIO or EROFS keeps them as they are.
  const bool all_written = spool_messages_locked(pending).value_or(0) == pending.size();
  // With write-ahead and nothing kept, the own file only held settled messages: it is removed,
  // not synced. Otherwise the sync gets the spool reserve, no more: on a slow disk it goes on
  // in the background, and what it syncs is already safe from anything but an OS crash.
  const bool own_file_settled = cfg_.write_ahead && counters_.spooled.load(std::memory_order_relaxed) == 0;
  if (!own_file_settled) {
    // `deadline` is on the engine clock, the sync on real time: pass the time left.
    const auto left = std::clamp<engine_clock::duration>(deadline - engine_clock::now(), engine_clock::duration::zero(),
                                                         cfg_.spool_reserve);
    switch (spool_->sync_until(std::chrono::steady_clock::now() + left)) {
      case sync_outcome::synced:
        break;
      case sync_outcome::failed:
        note_spool_error(errc::spool_io);
        break;
      case sync_outcome::in_background:
        log(log_level::info, "spool: the disk is slow, its sync goes on in the background");
        break;
    }
  }
  // What the claimed files still held is now in our own file (or settled): drop them. If it
  // could not all be written, keep them: the next run replays them again (what this run
  // delivered from them goes again too, and the server drops it by messageId).
  if (all_written) {
    spool_->delete_claimed();
  } else {
    if (replay_files_held_) log(log_level::warning, "spool: re-spooling failed; the earlier runs' files are kept");
    spool_->release_claimed();
  }
  replay_files_held_ = false;
  if (own_file_settled) spool_->remove_own_file();
}

}  // namespace flowtrack::detail
