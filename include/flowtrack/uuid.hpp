// Random UUIDv4 strings, as the client generates for messageId: for a program's own ids (an
// anonymous id, an invocation id) in the same form.
#pragma once

#include <string>

namespace flowtrack {

/// A new random UUIDv4 as 36 lowercase characters (8-4-4-4-12, version nibble 4, RFC 4122
/// variant 10xx). Thread-safe and lock-free: each thread has its own generator, seeded from
/// std::random_device, the thread id and the clock. Not for secrets.
std::string make_uuid_v4();

}  // namespace flowtrack
