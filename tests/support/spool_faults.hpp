// Fault injection into the spool's system calls (spool/spool_io.hpp) for one test's scope:
// writes, syncs or unlinks fail with a chosen errno, from the n-th call on, and the count of
// calls made is kept. The real calls are back when the object goes away.
#pragma once

#include <atomic>
#include <cerrno>

#include "spool/spool_io.hpp"

namespace flowtrack::test {

class spool_faults {
 public:
  spool_faults() : saved_(detail::spool_io()) { current() = this; }
  ~spool_faults() {
    detail::spool_io() = saved_;
    current() = nullptr;
  }
  spool_faults(const spool_faults&) = delete;
  spool_faults& operator=(const spool_faults&) = delete;

  /// write(2) fails with `err` from call number `from` (0: the very next one) on.
  void fail_writes(int err, int from = 0) {
    write_errno_ = err;
    write_from_ = from;
    detail::spool_io().write = [](int fd, const void* data, std::size_t size) -> ssize_t {
      auto* self = current();
      if (self->writes_.fetch_add(1) >= self->write_from_) {
        errno = self->write_errno_;
        return -1;
      }
      return self->saved_.write(fd, data, size);
    };
  }
  /// fdatasync(2) fails with `err`.
  void fail_syncs(int err) {
    sync_errno_ = err;
    detail::spool_io().fdatasync = [](int) {
      errno = current()->sync_errno_;
      return -1;
    };
  }
  /// unlink(2) fails with `err`.
  void fail_unlinks(int err) {
    unlink_errno_ = err;
    detail::spool_io().unlink = [](const char*) {
      errno = current()->unlink_errno_;
      return -1;
    };
  }
  /// Back to the real calls (what was injected stops now).
  void heal() { detail::spool_io() = saved_; }
  int writes() const { return writes_.load(); }

 private:
  static spool_faults*& current() {
    static spool_faults* instance = nullptr;
    return instance;
  }
  detail::spool_io_calls saved_;
  std::atomic<int> writes_{0};
  int write_errno_ = 0, write_from_ = 0, sync_errno_ = 0, unlink_errno_ = 0;
};

}  // namespace flowtrack::test
