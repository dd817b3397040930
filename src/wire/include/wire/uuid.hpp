// UUIDv4 message ids, generated without locks (a per-thread generator).
#pragma once

#include <string>

#include "flowtrack/uuid.hpp"

namespace flowtrack::detail {

/// Writes a random UUIDv4 as 36 characters (lowercase 8-4-4-4-12, version nibble 4, RFC 4122
/// variant 10xx) to `out36`; no terminator. Thread-safe and lock-free: each thread has its own
/// xoshiro256** generator seeded from std::random_device, the thread id and the clock.
void write_uuid_v4(char* out36);
/// A new random UUIDv4 as a string: the public make_uuid_v4 (flowtrack/uuid.hpp).
using flowtrack::make_uuid_v4;

}  // namespace flowtrack::detail
