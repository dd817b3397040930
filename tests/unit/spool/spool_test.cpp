#include "support/temp_dir.hpp"
#include "spool/spool.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <random>
#include <string_view>

#include <gtest/gtest.h>

#include "flowtrack/error.hpp"
#include "spool/spool_format.hpp"

namespace flowtrack::detail {
namespace {

using namespace std::string_view_literals;

class SpoolTest : public ::testing::Test {
 protected:

  std::vector<std::filesystem::path> files() const {
    std::vector<std::filesystem::path> out;
    for (auto& e : std::filesystem::directory_iterator(dir_))
      if (e.path().filename() != "replay.lock") out.push_back(e.path());  // the replayers' lock stays
    return out;
  }

  static std::string message(int i) { return R"({"messageId":"m)" + std::to_string(i) + R"(","type":"track"})"; }

  test::temp_dir tmp_{"flowtrack-spool-test"};
  const std::filesystem::path& dir_ = tmp_.path();
};

TEST_F(SpoolTest, SpooledMessagesAreReplayedByTheNextClientThenDeleted) {
  {
    spool writer(dir_, {});
    ASSERT_FALSE(writer.open());
    std::string a = message(1), b = message(2);
    ASSERT_FALSE(writer.append_messages({a, b}));
  }
  ASSERT_EQ(files().size(), 1u);
  EXPECT_EQ(std::filesystem::status(files()[0]).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  spool reader(dir_, {});
  ASSERT_FALSE(reader.open());
  spool_claim claim;
  ASSERT_FALSE(reader.claim(claim));
  ASSERT_EQ(claim.messages.size(), 2u);
  EXPECT_EQ(claim.messages[0], message(1));
  reader.delete_claimed();
  EXPECT_TRUE(files().empty());
}

TEST_F(SpoolTest, AFileHeldByALiveClientIsNeverClaimed) {
  spool live(dir_, {});
  ASSERT_FALSE(live.open());
  std::string a = message(1);
  ASSERT_FALSE(live.append_messages({a}));  // live keeps its file locked
  spool other(dir_, {});
  ASSERT_FALSE(other.open());
  spool_claim claim;
  ASSERT_FALSE(other.claim(claim));
  EXPECT_TRUE(claim.messages.empty());
  EXPECT_EQ(claim.locked_by_others, 1u);
}

TEST_F(SpoolTest, TwoClaimersSplitTheFilesNeverShareOne) {
  for (int i = 0; i < 3; ++i) {
    spool writer(dir_, {});
    ASSERT_FALSE(writer.open());
    std::string m = message(i);
    ASSERT_FALSE(writer.append_messages({m}));
  }
  spool first(dir_, {}), second(dir_, {});
  ASSERT_FALSE(first.open());
  ASSERT_FALSE(second.open());
  spool_claim a, b;
  ASSERT_FALSE(first.claim(a));
  ASSERT_FALSE(second.claim(b));  // first still holds its claims
  EXPECT_EQ(a.messages.size(), 3u);
  EXPECT_TRUE(b.messages.empty());
  EXPECT_TRUE(b.replay_in_progress) << "one replayer per directory (replay.lock)";
  first.delete_claimed();  // releases the replay lock: the second may claim what is left
  spool_claim c;
  ASSERT_FALSE(second.claim(c));
  EXPECT_FALSE(c.replay_in_progress);
  EXPECT_TRUE(c.messages.empty()) << "the first deleted what it replayed";
}

TEST_F(SpoolTest, AcknowledgedMessagesAreNotReplayed) {
  {
    spool writer(dir_, {});
    ASSERT_FALSE(writer.open());
    std::string a = message(1), b = message(2);
    ASSERT_FALSE(writer.append_messages({a, b}));
    ASSERT_FALSE(writer.append_ack({"m1"}));
  }
  spool reader(dir_, {});
  ASSERT_FALSE(reader.open());
  spool_claim claim;
  ASSERT_FALSE(reader.claim(claim));
  ASSERT_EQ(claim.messages.size(), 1u);
  EXPECT_EQ(claim.messages[0], message(2));
}

TEST_F(SpoolTest, CorruptTailIsSkippedAndCounted) {
  {
    spool writer(dir_, {});
    ASSERT_FALSE(writer.open());
    std::string a = message(1), b = message(2);
    ASSERT_FALSE(writer.append_messages({a, b}));
  }
  {
    std::ofstream f(files()[0], std::ios::app | std::ios::binary);
    f << "M\x10\0\0\0garbage-torn"sv;  // kind, length 16, CRC "garb", 8 of the 16 payload bytes
  }
  spool reader(dir_, {});
  ASSERT_FALSE(reader.open());
  spool_claim claim;
  ASSERT_FALSE(reader.claim(claim));
  EXPECT_EQ(claim.messages.size(), 2u);
  EXPECT_GT(claim.corrupt_bytes, 0u);
}

TEST_F(SpoolTest, ByteCapRefusesWritesAndDropsOldestOnReplay) {
  {
    spool writer(dir_, {.max_bytes = 300});
    ASSERT_FALSE(writer.open());
    std::string big(400, 'x');
    std::size_t written = 99;
    EXPECT_EQ(writer.append_messages({big}, written), errc::spool_full);  // would exceed the cap: nothing written
    EXPECT_EQ(written, 0u);
    std::string a = message(1);
    ASSERT_FALSE(writer.append_messages({a}));
  }
  {
    spool second(dir_, {.max_bytes = 1 << 20});
    ASSERT_FALSE(second.open());
    std::string b = message(2);
    ASSERT_FALSE(second.append_messages({b}));
  }
  spool reader(dir_, {.max_bytes = 100});  // both files together exceed 100 bytes
  ASSERT_FALSE(reader.open());
  spool_claim claim;
  ASSERT_FALSE(reader.claim(claim));
  EXPECT_EQ(claim.over_cap, 1u);  // the older file's message
  ASSERT_EQ(claim.messages.size(), 1u);
  EXPECT_EQ(claim.messages[0], message(2));
}

TEST_F(SpoolTest, WritesWhatFitsUnderTheCapInOrder) {
  spool writer(dir_, {.max_bytes = 200});
  ASSERT_FALSE(writer.open());
  std::string a = message(1), b = message(2), c = message(3), d = message(4), e = message(5);
  std::size_t written = 0;
  EXPECT_EQ(writer.append_messages({a, b, c, d, e}, written), errc::spool_full);
  EXPECT_GT(written, 0u);
  EXPECT_LT(written, 5u);
  EXPECT_LE(std::filesystem::file_size(files()[0]), 200u);
  auto parsed = parse_spool([&] {
    std::ifstream f(files()[0], std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }());
  EXPECT_EQ(parsed.messages.size(), written);
  EXPECT_EQ(parsed.messages[0], a);
}

TEST_F(SpoolTest, MessagesOlderThanTheAgeCapAreDroppedAndCounted) {
  {
    spool writer(dir_, {});
    ASSERT_FALSE(writer.open());
    std::string a = message(1), b = message(2);
    ASSERT_FALSE(writer.append_messages({a, b}));
  }
  std::filesystem::last_write_time(files()[0], std::filesystem::file_time_type::clock::now() - std::chrono::hours(24 * 8));
  spool reader(dir_, {.max_age = std::chrono::hours(24 * 7)});
  ASSERT_FALSE(reader.open());
  spool_claim claim;
  ASSERT_FALSE(reader.claim(claim));
  EXPECT_TRUE(claim.messages.empty());
  EXPECT_EQ(claim.expired, 2u);
  reader.delete_claimed();
  EXPECT_TRUE(files().empty());
}

// A run that replayed a backlog and was killed left its progress marks in its own file: the
// next claim skips the acknowledged messages of the backlog's file.
TEST_F(SpoolTest, AcknowledgementsInOneFileSkipMessagesOfAnother) {
  {
    spool earlier(dir_, {});
    ASSERT_FALSE(earlier.open());
    std::string a = message(1), b = message(2), c = message(3);
    ASSERT_FALSE(earlier.append_messages({a, b, c}));
  }
  {
    spool killed_replayer(dir_, {});
    ASSERT_FALSE(killed_replayer.open());
    ASSERT_FALSE(killed_replayer.append_ack({"m1", "m3"}));
    EXPECT_FALSE(killed_replayer.own_file_holds_messages());
  }
  spool next(dir_, {});
  ASSERT_FALSE(next.open());
  spool_claim claim;
  ASSERT_FALSE(next.claim(claim));
  EXPECT_EQ(claim.messages, std::vector<std::string>{message(2)});
  EXPECT_EQ(claim.acknowledged, 2u);
  EXPECT_EQ(claim.files, 2u);
}

// Re-spooling a claimed backlog near the byte cap at close: the claimed files are about to go,
// so the cap does not count them twice (before, the re-spool did not fit beside its own source).
TEST_F(SpoolTest, AClaimedBacklogNearTheCapFitsWhenReSpooled) {
  std::vector<std::string> backlog(40);
  for (int i = 0; i < 40; ++i) backlog[static_cast<std::size_t>(i)] = message(i);
  const std::vector<std::string_view> views(backlog.begin(), backlog.end());
  {
    spool earlier(dir_, {.max_bytes = 3000});
    ASSERT_FALSE(earlier.open());
    ASSERT_FALSE(earlier.append_messages(views));  // about 1900 bytes: more than half the cap
  }
  spool next(dir_, {.max_bytes = 3000});
  ASSERT_FALSE(next.open());
  spool_claim claim;
  ASSERT_FALSE(next.claim(claim));
  ASSERT_EQ(claim.messages.size(), backlog.size());
  std::size_t written = 0;
  EXPECT_FALSE(next.append_messages(views, written));
  EXPECT_EQ(written, backlog.size());
  next.delete_claimed();
  EXPECT_EQ(files().size(), 1u);
}

TEST_F(SpoolTest, UnwritableDirectoryIsAClearError) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "not-a-directory") << "x";
  spool s(dir_ / "not-a-directory" / "spool", {});
  EXPECT_EQ(s.open(), errc::spool_io);
  std::string a = message(1);
  EXPECT_EQ(s.append_messages({a}), errc::spool_io);
}

// A disk under load can take seconds to sync: sync_until() returns at its deadline and the sync
// completes on its own thread, on a descriptor of its own (the spool may be gone by then).
TEST_F(SpoolTest, SyncSlowerThanTheDeadlineGoesOnInTheBackground) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto synced_fd_was_open = std::make_shared<std::promise<bool>>();
  auto synced = synced_fd_was_open->get_future();
  {
    spool s(dir_, {}, [released, synced_fd_was_open](int fd) {
      released.wait();
      const int result = ::fdatasync(fd);
      synced_fd_was_open->set_value(result == 0);
      return result;
    });
    ASSERT_FALSE(s.open());
    std::string a = message(1);
    ASSERT_FALSE(s.append_messages({a}));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(30);
    EXPECT_EQ(s.sync_until(deadline), sync_outcome::in_background);
    EXPECT_GE(std::chrono::steady_clock::now(), deadline);
  }  // the spool is destroyed (its own descriptor closed) while the sync still waits
  release.set_value();
  EXPECT_TRUE(synced.get());  // the sync thread's descriptor outlived the spool's
}

// The background sync does not hold the file's lock: the next client claims the file at once.
TEST_F(SpoolTest, FileSyncingInTheBackgroundCanBeClaimed) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  {
    spool s(dir_, {}, [released](int fd) {
      released.wait();
      return ::fdatasync(fd);
    });
    ASSERT_FALSE(s.open());
    std::string a = message(1);
    ASSERT_FALSE(s.append_messages({a}));
    EXPECT_EQ(s.sync_until(std::chrono::steady_clock::now()), sync_outcome::in_background);
  }
  spool reader(dir_, {});
  ASSERT_FALSE(reader.open());
  spool_claim claim;
  ASSERT_FALSE(reader.claim(claim));
  EXPECT_EQ(claim.messages, std::vector<std::string>{message(1)});
  release.set_value();
}

TEST_F(SpoolTest, SyncOutcomesAreReported) {
  spool ok(dir_, {});
  ASSERT_FALSE(ok.open());
  const auto later = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  EXPECT_EQ(ok.sync_until(later), sync_outcome::synced);  // no own file yet: nothing to sync
  std::string a = message(1);
  ASSERT_FALSE(ok.append_messages({a}));
  EXPECT_EQ(ok.sync_until(later), sync_outcome::synced);

  spool failing(dir_, {}, [](int) { return -1; });
  ASSERT_FALSE(failing.open());
  ASSERT_FALSE(failing.append_messages({a}));
  EXPECT_EQ(failing.sync_until(later), sync_outcome::failed);
}

// A closed client hands its file over while its process lives on (a CLI starting a drainer).
TEST_F(SpoolTest, AClosedSpoolsFileIsClaimableAtOnceAndTakesNoMoreWrites) {
  spool writer(dir_, {});
  ASSERT_FALSE(writer.open());
  ASSERT_FALSE(writer.append_messages({message(1), message(2)}));
  spool_claim before;
  {
    spool other(dir_, {});
    ASSERT_FALSE(other.open());
    ASSERT_FALSE(other.claim(before));
  }
  EXPECT_EQ(before.locked_by_others, 1u);  // held while open
  EXPECT_EQ(take_spool_census(dir_, /*skip_locked=*/true).pending_events, 0u);
  EXPECT_EQ(take_spool_census(dir_, /*skip_locked=*/true).locked_by_others, 1u);
  EXPECT_EQ(take_spool_census(dir_, /*skip_locked=*/false).pending_events, 2u);

  writer.close_files();
  EXPECT_FALSE(writer.has_own_file());
  EXPECT_EQ(writer.append_messages({message(3)}), errc::spool_io) << "nothing is written after close_files";
  EXPECT_EQ(take_spool_census(dir_, /*skip_locked=*/true).pending_events, 2u);
  spool next(dir_, {});
  ASSERT_FALSE(next.open());
  spool_claim claim;
  ASSERT_FALSE(next.claim(claim));
  EXPECT_EQ(claim.messages, (std::vector<std::string>{message(1), message(2)}));
  EXPECT_EQ(claim.locked_by_others, 0u);
}

TEST_F(SpoolTest, TheCensusCountsAcknowledgementsAcrossFiles) {
  {
    spool a(dir_, {});
    ASSERT_FALSE(a.open());
    ASSERT_FALSE(a.append_messages({message(1), message(2), message(3)}));
  }
  {
    spool b(dir_, {});
    ASSERT_FALSE(b.open());
    ASSERT_FALSE(b.append_ack({"m2"}));
  }
  const auto c = take_spool_census(dir_, true);
  EXPECT_EQ(c.files, 2u);
  EXPECT_EQ(c.pending_events, 2u);
  EXPECT_EQ(c.unreadable, 0u);
}

}  // namespace
}  // namespace flowtrack::detail
