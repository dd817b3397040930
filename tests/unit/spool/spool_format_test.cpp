#include "spool/spool_format.hpp"

#include <string_view>

#include <gtest/gtest.h>

namespace flowtrack::detail {
namespace {

using namespace std::string_view_literals;

std::string message(int i) {
  return R"({"messageId":"id-)" + std::to_string(i) + R"(","type":"track","event":"E"})";
}

std::string file_with(int n) {
  std::string f(spool_magic);
  for (int i = 0; i < n; ++i) append_spool_record(f, spool_record_kind::message, message(i));
  return f;
}

TEST(SpoolFormat, RoundTripsMessagesInOrder) {
  auto parsed = parse_spool(file_with(3));
  ASSERT_TRUE(parsed.valid_header);
  ASSERT_EQ(parsed.messages.size(), 3u);
  EXPECT_EQ(parsed.messages[2], message(2));
  EXPECT_EQ(parsed.corrupt_bytes, 0u);
}

TEST(SpoolFormat, AckRecordsRemoveSettledMessages) {
  std::string f = file_with(4);
  append_spool_record(f, spool_record_kind::ack, "id-1\nid-3\n");
  auto parsed = parse_spool(f);
  ASSERT_EQ(parsed.messages.size(), 2u);
  EXPECT_EQ(parsed.messages[0], message(0));
  EXPECT_EQ(parsed.messages[1], message(2));
  EXPECT_EQ(parsed.acknowledged, 2u);
}

TEST(SpoolFormat, TornTailAtEveryCutKeepsTheWholeRecordsBeforeIt) {
  const std::string full = file_with(3);
  const std::string two = file_with(2);
  for (std::size_t cut = two.size(); cut < full.size(); ++cut) {
    auto parsed = parse_spool(std::string_view(full).substr(0, cut));
    EXPECT_EQ(parsed.messages.size(), 2u) << cut;
    EXPECT_EQ(parsed.good_bytes, two.size()) << cut;
    EXPECT_EQ(parsed.corrupt_bytes, cut - two.size()) << cut;
  }
}

TEST(SpoolFormat, FlippedByteLosesOnlyItsRecordAndTheReaderResyncs) {
  const std::size_t record = file_with(1).size() - spool_magic.size();
  // Each of the three records' fields in turn: kind, length, checksum, payload.
  for (std::size_t offset : {std::size_t{0}, std::size_t{2}, std::size_t{6}, spool_record_header + 5}) {
    std::string f = file_with(3);
    f[spool_magic.size() + record + offset] ^= 0x20;  // inside the second record
    auto parsed = parse_spool(f);
    ASSERT_EQ(parsed.messages.size(), 2u) << offset;
    EXPECT_EQ(parsed.messages[0], message(0));
    EXPECT_EQ(parsed.messages[1], message(2)) << "the record after the corrupt one is read";
    EXPECT_EQ(parsed.corrupt_records, 1u) << offset;
    EXPECT_EQ(parsed.corrupt_bytes, record) << offset;
    EXPECT_EQ(parsed.good_bytes, f.size());
  }
}

TEST(SpoolFormat, GarbageBetweenRecordsIsSkippedAndCountedOncePerRegion) {
  std::string f = file_with(1);
  f += "\x01garbage M{ not a record";
  append_spool_record(f, spool_record_kind::message, message(1));
  f += "more garbage";
  append_spool_record(f, spool_record_kind::message, message(2));
  append_spool_record(f, spool_record_kind::ack, "id-2\n");
  auto parsed = parse_spool(f);
  ASSERT_EQ(parsed.messages.size(), 2u);
  EXPECT_EQ(parsed.messages[1], message(1));
  EXPECT_EQ(parsed.acknowledged, 1u) << "an ack after a corrupt region still applies";
  EXPECT_EQ(parsed.corrupt_records, 2u);
  EXPECT_EQ(parsed.corrupt_bytes, std::string_view("\x01garbage M{ not a record").size() + 12);
}

TEST(SpoolFormat, BadHeaderOrGarbageIsCorruptNotACrash) {
  auto parsed = parse_spool("not a spool file at all");
  EXPECT_FALSE(parsed.valid_header);
  EXPECT_TRUE(parsed.messages.empty());
  std::string huge_length(spool_magic);
  huge_length += "M\xff\xff\xff\x7f\0\0\0\0"sv;  // kind, length 0x7fffffff, CRC
  EXPECT_TRUE(parse_spool(huge_length).messages.empty());
}

TEST(SpoolFormat, MessageIdIsReadFromTheEncodedPrefix) {
  EXPECT_EQ(spooled_message_id(message(7)), "id-7");
  EXPECT_EQ(spooled_message_id(R"({"type":"track"})"), "");
}

}  // namespace
}  // namespace flowtrack::detail
