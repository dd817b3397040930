// A counting allocator for the allocation tests: this executable replaces the global operator
// new and delete (counting_allocator.cpp), and each thread counts the allocations it makes
// while its counting is on. Other threads (the client's I/O thread, the test server) are not
// counted.
#pragma once

#include <cstddef>

namespace flowtrack::test {

/// Counts the calling thread's heap allocations (every operator new and new[]) while alive.
/// Not nestable; one per thread at a time.
class allocation_counter {
 public:
  allocation_counter() noexcept;
  ~allocation_counter();
  allocation_counter(const allocation_counter&) = delete;
  allocation_counter& operator=(const allocation_counter&) = delete;

  /// Allocations so far while counting (resume() to pause() spans only).
  std::size_t count() const noexcept;
  /// Stops counting (the count is kept) / starts again.
  void pause() noexcept;
  void resume() noexcept;
};

}  // namespace flowtrack::test
