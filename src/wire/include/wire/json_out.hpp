// The encoder's output: appends to a std::string through a raw cursor, so writing a piece is a
// bounds compare and a copy, not an out-of-line std::string::append per piece. The string is
// sized to its capacity while a json_out writes to it and cut back to what was written when the
// json_out goes away (so the caller's string never shows the unwritten tail).
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace flowtrack::detail {

class json_out {
 public:
  /// Appends after `s`'s current content. `s` must not be touched until this json_out is gone.
  explicit json_out(std::string& s) : s_(s), pos_(s.size()) {
    s_.resize(s_.capacity() > pos_ + min_room ? s_.capacity() : pos_ + min_room);
  }
  json_out(const json_out&) = delete;
  json_out& operator=(const json_out&) = delete;
  ~json_out() { s_.resize(pos_); }  // shrinking: no allocation, no throw

  /// At least `n` writable bytes at the cursor; write them, then commit() where writing ended.
  char* room(std::size_t n) {
    if (s_.size() - pos_ < n) grow(n);
    return s_.data() + pos_;
  }
  void commit(const char* end) noexcept { pos_ = static_cast<std::size_t>(end - s_.data()); }

  void put(char c) {
    *room(1) = c;
    ++pos_;
  }
  void put(std::string_view v) {
    std::memcpy(room(v.size()), v.data(), v.size());
    pos_ += v.size();
  }

  /// Bytes in the string so far (what it was given plus what was written).
  std::size_t size() const noexcept { return pos_; }
  /// The bytes written so far, from the string's start (valid until the next write).
  char* data() noexcept { return s_.data(); }

 private:
  static constexpr std::size_t min_room = 64;
  // Rare (a message longer than the string's capacity): kept out of line so room() stays small
  // enough to inline everywhere.
  [[gnu::noinline]] void grow(std::size_t n) { s_.resize(pos_ + n > 2 * s_.size() ? pos_ + n : 2 * s_.size()); }

  std::string& s_;
  std::size_t pos_;
};

}  // namespace flowtrack::detail
