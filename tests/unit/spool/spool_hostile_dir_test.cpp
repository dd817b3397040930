// The spool directory as a hostile machine or an accident leaves it: odd entries where spool
// files are expected, symlinks, a shared directory's mode, failing writes, a backlog of
// thousands of files under a low descriptor limit, a file bigger than the whole spool.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include <gtest/gtest.h>

#include "flowtrack/error.hpp"
#include "spool/spool.hpp"
#include "spool/spool_format.hpp"
#include "support/spool_faults.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::detail {
namespace {

std::string message(int i) { return R"({"messageId":"m)" + std::to_string(i) + R"(","type":"track"})"; }

// A file as an earlier run would have left it, written without a spool object.
void write_spool_file(const std::filesystem::path& path, int first, int count) {
  std::string bytes(spool_magic);
  for (int i = first; i < first + count; ++i) append_spool_record(bytes, spool_record_kind::message, message(i));
  std::ofstream(path, std::ios::binary) << bytes;
}

std::filesystem::perms mode_of(const std::filesystem::path& p) {
  return std::filesystem::status(p).permissions() & std::filesystem::perms::all;
}

class SpoolHostileDir : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_); }
  test::temp_dir tmp_{"flowtrack-spool-hostile"};
  const std::filesystem::path dir_ = tmp_.path() / "spool";
};

TEST_F(SpoolHostileDir, ADirectoryItCreatesIsPrivateOneThatExistsKeepsItsMode) {
  const auto created = tmp_.path() / "new" / "spool";
  spool fresh(created, {});
  ASSERT_FALSE(fresh.open());
  EXPECT_EQ(mode_of(created), std::filesystem::perms::owner_all);

  // A symlink to a shared 1777 directory: used, never chmod-ed.
  const auto shared = tmp_.path() / "shared";
  std::filesystem::create_directories(shared);
  ASSERT_EQ(::chmod(shared.c_str(), 01777), 0);
  std::filesystem::create_directory_symlink(shared, tmp_.path() / "link");
  spool linked(tmp_.path() / "link", {});
  ASSERT_FALSE(linked.open());
  EXPECT_EQ(std::filesystem::status(shared).permissions() & std::filesystem::perms::mask,
            std::filesystem::perms::all | std::filesystem::perms::sticky_bit);
}

TEST_F(SpoolHostileDir, FifoDirectorySymlinkAndDeviceAreLeftAloneAndCounted) {
  write_spool_file(dir_ / "00000000000000000001-1-00000001.spool", 0, 3);
  ASSERT_EQ(::mkfifo((dir_ / "00000000000000000002-1-00000002.spool").c_str(), 0600), 0);
  std::filesystem::create_directory(dir_ / "00000000000000000003-1-00000003.spool");
  write_spool_file(tmp_.path() / "elsewhere", 10, 2);
  std::filesystem::create_symlink(tmp_.path() / "elsewhere", dir_ / "00000000000000000004-1-00000004.spool");
  std::filesystem::create_symlink("/dev/zero", dir_ / "00000000000000000005-1-00000005.spool");

  spool s(dir_, {});
  ASSERT_FALSE(s.open());
  spool_claim claim;
  ASSERT_FALSE(s.claim(claim));  // returns: a FIFO with no writer would block a plain open/read
  EXPECT_EQ(claim.messages.size(), 3u);
  EXPECT_EQ(claim.not_regular, 4u);
  s.delete_claimed();
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::symlink_status(dir_ / "00000000000000000002-1-00000002.spool")));
  EXPECT_TRUE(std::filesystem::exists(tmp_.path() / "elsewhere")) << "a symlink's target is never touched";
  EXPECT_FALSE(std::filesystem::exists(dir_ / "00000000000000000001-1-00000001.spool"));
}

TEST_F(SpoolHostileDir, AFileBiggerThanTheWholeSpoolIsReadOnlyToTheCap) {
  write_spool_file(dir_ / "00000000000000000001-1-00000001.spool", 0, 2000);  // ~80 KB
  spool s(dir_, {.max_bytes = 4096});
  ASSERT_FALSE(s.open());
  spool_claim claim;
  ASSERT_FALSE(s.claim(claim));
  EXPECT_GT(claim.messages.size(), 0u);
  EXPECT_LT(claim.messages.size(), 2000u);
  EXPECT_GT(claim.corrupt_bytes, 70000u) << "what lies past the cap is counted, not read";
}

TEST_F(SpoolHostileDir, ABacklogOfThousandsOfFilesDrainsUnderALowDescriptorLimit) {
  constexpr int files = 2000;
  for (int i = 0; i < files; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "%020d-1-%08x.spool", i + 1, i);
    write_spool_file(dir_ / name, i, 1);
  }
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = 64;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  spool_claim claim;
  std::error_code claimed;
  {
    spool s(dir_, {});
    claimed = s.open();
    if (!claimed) claimed = s.claim(claim);
    if (!claimed) s.delete_claimed();
  }
  ::setrlimit(RLIMIT_NOFILE, &saved);
  ASSERT_FALSE(claimed);
  EXPECT_EQ(claim.messages.size(), static_cast<std::size_t>(files));
  EXPECT_EQ(claim.files, static_cast<std::size_t>(files));
  std::size_t left = 0;
  for (auto& e : std::filesystem::directory_iterator(dir_)) left += e.path().extension() == ".spool";
  EXPECT_EQ(left, 0u);
}

TEST_F(SpoolHostileDir, AFailedWriteSaysWhyAndLeavesNoTornRecord) {
  for (int err : {ENOSPC, EIO, EROFS}) {
    test::temp_dir d{"flowtrack-spool-write-fault"};
    spool s(d.path(), {});
    ASSERT_FALSE(s.open());
    std::string a = message(1), b = message(2);
    ASSERT_FALSE(s.append_messages({a}));
    {
      test::spool_faults faults;
      faults.fail_writes(err);
      EXPECT_EQ(s.append_messages({b}), errc::spool_io);
    }
    EXPECT_EQ(s.first_system_error(), std::error_code(err, std::generic_category()));
    // The next append after the fault works, and the file reads back whole.
    ASSERT_FALSE(s.append_messages({b}));
    std::vector<std::filesystem::path> own;
    for (auto& e : std::filesystem::directory_iterator(d.path()))
      if (e.path().extension() == ".spool") own.push_back(e.path());
    ASSERT_EQ(own.size(), 1u);
    std::ifstream in(own[0], std::ios::binary);
    const auto parsed = parse_spool(std::string(std::istreambuf_iterator<char>(in), {}));
    EXPECT_EQ(parsed.messages, (std::vector<std::string>{a, b})) << err;
    EXPECT_EQ(parsed.corrupt_bytes, 0u) << err;
  }
}

TEST_F(SpoolHostileDir, AFailedUnlinkKeepsTheFileForTheNextClaimNothingIsLost) {
  write_spool_file(dir_ / "00000000000000000001-1-00000001.spool", 0, 3);
  {
    spool first(dir_, {});
    ASSERT_FALSE(first.open());
    spool_claim claim;
    ASSERT_FALSE(first.claim(claim));
    ASSERT_EQ(claim.messages.size(), 3u);
    test::spool_faults faults;
    faults.fail_unlinks(EROFS);
    first.delete_claimed();  // cannot delete: the file stays, the replay lock is released
  }
  spool second(dir_, {});
  ASSERT_FALSE(second.open());
  spool_claim again;
  ASSERT_FALSE(second.claim(again));
  EXPECT_EQ(again.messages.size(), 3u) << "sent again (messageIds dedupe), never lost";
}

TEST_F(SpoolHostileDir, AFailedSyncSaysWhy) {
  spool s(dir_, {});
  ASSERT_FALSE(s.open());
  std::string a = message(1);
  ASSERT_FALSE(s.append_messages({a}));
  test::spool_faults faults;
  faults.fail_syncs(EIO);
  EXPECT_EQ(s.sync_until(std::chrono::steady_clock::now() + std::chrono::seconds(30)), sync_outcome::failed);
  EXPECT_EQ(s.first_system_error(), std::errc::io_error);
}

}  // namespace
}  // namespace flowtrack::detail
