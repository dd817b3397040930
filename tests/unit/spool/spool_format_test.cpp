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

TEST(SpoolFormat, FlippedByteStopsAtTheCorruptRecord) {
  std::string f = file_with(3);
  const std::size_t second_record = file_with(1).size();
  f[second_record + spool_record_header + 5] ^= 0x20;  // inside the second message's payload
  auto parsed = parse_spool(f);
  ASSERT_EQ(parsed.messages.size(), 1u);
  EXPECT_GT(parsed.corrupt_bytes, 0u);
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
