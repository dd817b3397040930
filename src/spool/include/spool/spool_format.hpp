// The spool's on-disk format, as pure functions over bytes (no I/O).
//
// A spool file is a magic line, then records. Each record: a 1-byte kind, a 4-byte little-
// endian payload length, a 4-byte little-endian CRC-32 of kind+payload, then the payload.
//   kind 'M': one encoded message (its JSON, exactly as it would be sent)
//   kind 'A': an acknowledgement: the messageIds (newline-separated) delivered or settled
// A reader that meets a record cut short or failing its checksum (a torn tail from a crash
// mid-write, a corrupt byte) skips it and resyncs: it goes on byte by byte to the next intact
// record, so one bad byte loses one record, not the rest of the file. The loss is counted in
// bytes and in corrupt regions (each a record or more).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flowtrack::detail {

inline constexpr std::string_view spool_magic = "FLOWTRACK-SPOOL 1\n";
inline constexpr std::size_t spool_record_header = 9;
inline constexpr std::size_t spool_max_record = 1 << 20;

enum class spool_record_kind : char { message = 'M', ack = 'A' };

/// Appends one record to `out`.
void append_spool_record(std::string& out, spool_record_kind kind, std::string_view payload);

struct spool_contents {
  bool valid_header = false;
  std::vector<std::string> messages;     ///< message JSON, in file order, acknowledged ones removed
  std::size_t acknowledged = 0;          ///< messages removed because an ack record named them
  std::vector<std::string> acknowledged_ids;  ///< every messageId this file's ack records name
  std::size_t corrupt_bytes = 0;         ///< bytes skipped: torn tail, corrupt records, bad header
  std::size_t corrupt_records = 0;       ///< corrupt regions skipped (one per run of bad bytes)
  std::size_t good_bytes = 0;            ///< bytes up to the end of the last good record
};

/// Parses a whole spool file. Never throws on bad input; a bad header makes everything corrupt.
spool_contents parse_spool(std::string_view file);

/// The messageId of an encoded message: encoded JSON always starts with {"messageId":"...".
std::string_view spooled_message_id(std::string_view message_json);

}  // namespace flowtrack::detail
