// Counters a client keeps from construction on, and the report its close returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <system_error>

#include "flowtrack/diagnostics.hpp"

namespace flowtrack {

/// A snapshot of a client's counters (messages unless named otherwise).
struct stats {
  std::uint64_t enqueued = 0;    ///< accepted by track()/identify()/...
  std::uint64_t delivered = 0;   ///< acknowledged by the server with a 2xx
  std::uint64_t failed = 0;      ///< refused for good (permanent status, retries exhausted)
  std::uint64_t dropped = 0;     ///< lost to a full queue (never accepted, or evicted)
  std::uint64_t pending = 0;     ///< accepted, fate not yet known (queued or in flight)
  std::uint64_t spooled = 0;     ///< written to the spool for a later run
  std::uint64_t replayed = 0;    ///< read back from the spool of earlier runs, to send again
  std::uint64_t spool_corrupt_bytes = 0;  ///< torn or corrupt spool bytes skipped at replay
  std::uint64_t spool_corrupt_records = 0;  ///< places they were skipped (replay reads on after each)
  std::uint64_t spool_not_regular = 0;   ///< `.spool` entries left alone: FIFOs, directories, symlinks...
  std::uint64_t retries = 0;     ///< batch requests sent again after a failure
  std::uint64_t requests = 0;    ///< batch requests sent, retries included
  std::uint64_t batches = 0;     ///< distinct batches formed
  std::uint64_t bytes_sent = 0;  ///< request bodies written, after compression
  std::uint64_t connections = 0; ///< connections opened (keep-alive reuse keeps this low)
};

/// What async_close() did. delivered + failed + dropped + pending + spooled accounts for
/// every message ever passed to the client plus those replayed from the spool (invalid input
/// excluded: it is refused at once).
struct close_report {
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;
  std::uint64_t dropped = 0;
  /// Accepted but neither delivered nor failed when close completed (the deadline came first
  /// and they could not be spooled).
  std::uint64_t pending = 0;
  /// Written to the spool for the next run to send.
  std::uint64_t spooled = 0;
  /// True when the deadline, not the end of the work, completed the close.
  bool deadline_reached = false;
  /// True when close() was cancelled (its cancellation slot fired): sending stopped at once
  /// and what was left was spooled (with a spool) or is pending.
  bool cancelled = false;
  /// The first spool failure (errc::spool_io...), if any: what could not be spooled is pending.
  std::error_code spool_error;
  /// The system's reason for spool_error, when it came from a system call: ENOSPC (disk full),
  /// EIO, EROFS, EACCES... (std::generic_category; compare with std::errc::no_space_on_device).
  std::error_code spool_system_error;
  std::chrono::milliseconds elapsed{0};
  /// The outcome of the last batch (or part of one) that was not delivered: failed
  /// (errc::http_status, errc::retries_exhausted, errc::tls_handshake_failed...), spooled
  /// because the server refused it (401, 403, TLS), left for the spool because no server was
  /// reachable (errc::connect_failed, resolve_failed), or cut by the close's deadline or
  /// cancellation (errc::deadline_reached). Empty when every batch was delivered.
  std::error_code last_failure;
  /// Why: that batch's last error, HTTP status and attempts.
  diagnostics last_failure_diagnostics;
};

}  // namespace flowtrack
