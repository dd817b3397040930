// The /v1/batch body. Its layout is fixed so sentAt can be restamped in place on each retry:
//   {"sentAt":"<24 chars>","context":<context>,"batch":[m1,m2,...]}
// and batch_limiter counts its exact size as messages are added.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace flowtrack::detail {

/// The batch-level context: `default_context` with library = {name: "flowtrack", version}
/// (the library's entry wins), as compact JSON.
std::string make_batch_context(const nlohmann::json& default_context, std::string_view library_version);

/// Size in bytes of a body with zero messages and this context (the sentAt included).
std::size_t batch_envelope_bytes(std::string_view context_json);

/// Index of the sentAt timestamp's first character in every body.
inline constexpr std::size_t sent_at_offset = 11;

/// Clears `body`, reserves `reserve` bytes and writes the envelope's head: sentAt (24 zeros
/// until stamp_sent_at), the context and the opening of the batch array.
void begin_batch_body(std::string& body, std::string_view context_json, std::size_t reserve);
/// Appends one encoded message, preceded by a comma unless it is the `first`.
void append_to_batch_body(std::string& body, std::string_view message_json, bool first);
/// Closes the batch array and the body. Its size is then batch_limiter::bytes().
void finish_batch_body(std::string& body);
/// Overwrites the body's 24-character sentAt in place with `now` (call before each attempt).
void stamp_sent_at(std::string& body, std::chrono::system_clock::time_point now);

/// Counts a batch's exact body size as messages are added, refusing one that would pass a limit.
/// Not thread-safe (one per batch being built).
class batch_limiter {
 public:
  /// `envelope_bytes`: batch_envelope_bytes(context) for the context the body will carry.
  batch_limiter(std::size_t max_messages, std::size_t max_bytes, std::size_t envelope_bytes) noexcept
      : max_messages_(max_messages), max_bytes_(max_bytes), envelope_(envelope_bytes), bytes_(envelope_bytes) {}

  /// Adds a message of `message_bytes` unless the count would pass max_messages or the body
  /// (its separating comma included) would pass max_bytes; false (nothing added) then.
  bool try_add(std::size_t message_bytes) noexcept {
    const std::size_t added = message_bytes + (count_ > 0 ? 1 : 0);  // the comma
    if (count_ >= max_messages_ || bytes_ + added > max_bytes_) return false;
    bytes_ += added;
    ++count_;
    return true;
  }
  /// Messages added so far.
  std::size_t count() const noexcept { return count_; }
  /// The body's exact size with the messages added so far (envelope included).
  std::size_t bytes() const noexcept { return bytes_; }
  /// Back to zero messages, same limits and envelope.
  void reset() noexcept {
    bytes_ = envelope_;
    count_ = 0;
  }

 private:
  std::size_t max_messages_, max_bytes_, envelope_;
  std::size_t bytes_;
  std::size_t count_ = 0;
};

}  // namespace flowtrack::detail
