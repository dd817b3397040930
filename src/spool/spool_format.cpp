#include "spool/spool_format.hpp"

#include <zlib.h>

#include <unordered_set>

namespace flowtrack::detail {
namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint32_t get_u32(std::string_view in) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

std::uint32_t checksum(char kind, std::string_view payload) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(&kind), 1);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size()));
  return static_cast<std::uint32_t>(crc);
}

}  // namespace

void append_spool_record(std::string& out, spool_record_kind kind, std::string_view payload) {
  const char k = static_cast<char>(kind);
  out.push_back(k);
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  put_u32(out, checksum(k, payload));
  out.append(payload);
}

std::string_view spooled_message_id(std::string_view json) {
  constexpr std::string_view prefix = R"({"messageId":")";
  if (!json.starts_with(prefix)) return {};
  json.remove_prefix(prefix.size());
  return json.substr(0, json.find('"'));
}

namespace {

// The record at `pos`, if one is whole and intact there: its total size, else 0.
std::size_t intact_record_at(std::string_view file, std::size_t pos, char& kind, std::string_view& payload) {
  if (file.size() - pos < spool_record_header) return 0;
  kind = file[pos];
  if (kind != static_cast<char>(spool_record_kind::message) && kind != static_cast<char>(spool_record_kind::ack))
    return 0;
  const std::uint32_t length = get_u32(file.substr(pos + 1, 4));
  if (length > spool_max_record || file.size() - pos - spool_record_header < length) return 0;
  payload = file.substr(pos + spool_record_header, length);
  // Cheap tests before the checksum, so scanning garbage for the next record stays fast: an
  // encoded message is a JSON object, an acknowledgement starts with a messageId.
  if (kind == static_cast<char>(spool_record_kind::message) && (payload.empty() || payload.front() != '{')) return 0;
  if (checksum(kind, payload) != get_u32(file.substr(pos + 5, 4))) return 0;
  return spool_record_header + length;
}

}  // namespace

spool_contents parse_spool(std::string_view file) {
  spool_contents out;
  if (!file.starts_with(spool_magic)) {
    out.corrupt_bytes = file.size();
    out.corrupt_records = file.empty() ? 0 : 1;
    return out;
  }
  out.valid_header = true;
  std::size_t pos = spool_magic.size();
  out.good_bytes = pos;
  std::vector<std::string_view> messages;
  std::unordered_set<std::string_view> acked;
  bool in_corrupt_region = false;
  while (pos < file.size()) {
    char kind = 0;
    std::string_view payload;
    const std::size_t size = intact_record_at(file, pos, kind, payload);
    if (size == 0) {
      // Resync: skip one byte and look for the next intact record (a CRC-32 match by chance is
      // one in four billion); a whole region of bad bytes counts as one corrupt record.
      if (!in_corrupt_region) ++out.corrupt_records;
      in_corrupt_region = true;
      ++out.corrupt_bytes;
      ++pos;
      continue;
    }
    in_corrupt_region = false;
    if (kind == static_cast<char>(spool_record_kind::message)) {
      messages.push_back(payload);
    } else {
      std::size_t start = 0;
      while (start < payload.size()) {
        std::size_t end = payload.find('\n', start);
        if (end == std::string_view::npos) end = payload.size();
        if (end > start) acked.insert(payload.substr(start, end - start));
        start = end + 1;
      }
    }
    pos += size;
    out.good_bytes = pos;
  }
  out.acknowledged_ids.assign(acked.begin(), acked.end());
  for (auto m : messages) {
    if (acked.contains(spooled_message_id(m))) {
      ++out.acknowledged;
    } else {
      out.messages.emplace_back(m);
    }
  }
  return out;
}

}  // namespace flowtrack::detail
