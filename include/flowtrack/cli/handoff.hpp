// Zero-wait exit: what the CLI facade's close cannot deliver within a short grace is spooled and
// handed to a detached drainer process, so the user never waits for a bad network and nothing
// is lost.
//
//   int main(int argc, char** argv) {
//     if (auto rc = flowtrack::cli::run_drainer_if_requested(argc, argv)) return *rc;  // first
//     ...
//   }
//
// The drainer is a fresh process image (posix_spawn, never a bare fork): by default this very
// program (/proc/self/exe) with drainer_argument as argv[1], which the hook above recognises;
// or the standalone `flowtrack-drain` tool (handoff_options::drainer_program). It runs in its
// own session (a Ctrl-C in the user's terminal does not reach it), with stdin, stdout and
// stderr on /dev/null, no other inherited descriptor but its lock, `/` as its directory and a
// lower priority. It gets its configuration, the write key included, through a pipe on stdin:
// never on a command line, in the environment it did not already have, or in a file.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string_view>

namespace flowtrack::cli {

/// argv[1] of a drainer process.
inline constexpr std::string_view drainer_argument = "--flowtrack-drain";

struct handoff_options {
  /// False, or <APP>_NO_TELEMETRY_HANDOFF=1 (for environments that forbid background
  /// processes): no drainer; async_close() is the client's bounded close, up to its timeout.
  bool enabled = true;
  /// How long async_close() tries to deliver before it hands off (<APP>_TELEMETRY_HANDOFF_GRACE_MS
  /// overrides). A healthy endpoint is done long before (a few ms: the connection opens at the
  /// first event); see docs/PERFORMANCE.md for how the default was chosen. Skipped (zero) while
  /// a drainer runs for the state directory or the last handoff is not yet delivered: the
  /// network is known to be bad, so the close spools at once.
  std::chrono::milliseconds grace{200};
  /// The drainer exits once the spool is empty, and at the latest after this long
  /// (<APP>_TELEMETRY_DRAINER_LIFETIME_MS overrides); what it could not deliver stays spooled
  /// for the next run or drainer.
  std::chrono::milliseconds drainer_lifetime{60000};
  /// The program started as the drainer; empty: this program (/proc/self/exe), once its main()
  /// has called run_drainer_if_requested() (a program that never calls it is never started as
  /// a drainer: without either, there is no handoff and the close waits up to its timeout).
  std::filesystem::path drainer_program;
};

/// What the facade's close did about the handoff (telemetry::handoff()).
enum class handoff_outcome {
  none,              ///< not closed yet, telemetry off, or events go to a custom sink
  disabled,          ///< handoff turned off: the close waited up to its own timeout
  no_drainer,        ///< no drainer program (main() never called run_drainer_if_requested()): as disabled
  no_state_dir,      ///< no spool to hand off through: the close waited up to its own timeout
  delivered,         ///< everything was settled within the grace: no drainer
  drainer_started,   ///< the rest was spooled and a drainer started
  drainer_running,   ///< the rest was spooled for the drainer that already runs
  spawn_failed,      ///< the rest was spooled, but no drainer could start: the next run sends it
  not_spooled,       ///< the rest could not be spooled (disk full...): it is reported pending
};
std::string_view to_string(handoff_outcome o) noexcept;

/// Call first in main(), before anything else runs. When argv[1] is drainer_argument, this
/// process is a drainer: it reads its request from stdin, delivers the state directory's spool
/// with the normal client (retries, Retry-After, backoff, dedup by messageId), and returns the
/// exit code once the spool is empty or its lifetime is over (0: the spool is empty; 3: the
/// lifetime ended with events left, still spooled; 2: the request was unusable). Otherwise
/// returns nullopt at once and touches nothing but a flag: having been called, it lets this
/// program be started as its own drainer. Blocks the calling thread while it drains.
std::optional<int> run_drainer_if_requested(int argc, char** argv);

/// Whether a drainer holds the state directory's `drainer.lock`, and its process id (0 when
/// unknown). Reads only; takes no lock.
struct drainer_probe {
  bool running = false;
  long pid = 0;
};
drainer_probe probe_drainer(const std::filesystem::path& state_dir);

}  // namespace flowtrack::cli
