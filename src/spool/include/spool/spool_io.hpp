#pragma once
// The system calls through which the spool changes the disk, as a seam: fault-injection tests
// replace an entry to make the n-th write, sync, rename or unlink fail with ENOSPC, EIO or
// EROFS (as SQLite's tests do through their VFS), and check that nothing is lost or deleted
// that should have been kept. Process-wide; replace entries only while no client runs.

#include <sys/types.h>

#include <cstddef>

namespace flowtrack::detail {

struct spool_io_calls {
  ssize_t (*write)(int fd, const void* data, std::size_t size);
  int (*fdatasync)(int fd);
  int (*unlink)(const char* path);
};

/// The calls in use (by default the system's own).
spool_io_calls& spool_io() noexcept;

}  // namespace flowtrack::detail
