// Every file the CLI layer reads from its state directory, replaced by what accidents and
// hostile machines leave there: a FIFO (a plain open would wait forever), a directory (a plain
// ifstream read throws), a symlink (must not be followed), a device, a huge file, garbage.
// make_telemetry and read_status are documented "never throws": each case must return, with
// the file ignored and telemetry still usable.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>

#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include "capturing_sink.hpp"
#include "flowtrack/cli/state_file.hpp"
#include "flowtrack/cli/telemetry.hpp"
#include "flowtrack/error.hpp"
#include "support/temp_dir.hpp"
#include "telemetry_test_options.hpp"

namespace flowtrack::test {
namespace {

struct hostile_kind {
  const char* name;
  std::function<void(const std::filesystem::path&, const std::filesystem::path& elsewhere)> make;
};

const hostile_kind kinds[] = {
    {"fifo", [](const auto& p, const auto&) { ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0); }},
    {"directory", [](const auto& p, const auto&) { std::filesystem::create_directories(p / "inside"); }},
    {"symlink", [](const auto& p, const auto& elsewhere) {
       std::ofstream(elsewhere) << R"({"enabled": false})";
       std::filesystem::create_symlink(elsewhere, p);
     }},
    {"device", [](const auto& p, const auto&) { std::filesystem::create_symlink("/dev/zero", p); }},
    {"dangling symlink", [](const auto& p, const auto&) { std::filesystem::create_symlink("/nonexistent/x", p); }},
    {"huge file", [](const auto& p, const auto&) {
       std::ofstream out(p, std::ios::binary);
       const std::string mb(1 << 20, '7');
       for (int i = 0; i < 8; ++i) out << mb;
     }},
    {"sparse file", [](const auto& p, const auto&) {
       std::ofstream(p, std::ios::binary).put('x');
       std::filesystem::resize_file(p, std::uintmax_t{8} << 30);  // 8 GiB of holes: read only to the cap
     }},
    {"garbage", [](const auto& p, const auto&) { std::ofstream(p, std::ios::binary) << std::string("\0\xff{[\"", 5); }},
};

const char* const places[] = {"anonymous_id", "settings.json", "notice_shown", "spool/00000000000000000001-1-1.spool"};

class HostileStateDir : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(tmp_.path()); }
  temp_dir tmp_{"flowtrack-hostile-state"};
  std::ostringstream diag_;
};

TEST_F(HostileStateDir, EveryFileTheCliReadsMayBeAnythingAndNothingHangsOrThrows) {
  for (const auto& kind : kinds) {
    for (const char* place : places) {
      SCOPED_TRACE(std::string(kind.name) + " at " + place);
      const auto dir = tmp_.path() / (std::string(kind.name) + "-" + std::filesystem::path(place).filename().string());
      std::filesystem::create_directories((dir / place).parent_path());
      kind.make(dir / place, tmp_.path() / (std::string(kind.name) + "-elsewhere"));
      auto sink = std::make_shared<capturing_sink>();
      auto o = test_telemetry_options({"demo-cli", "1.0.0"}, dir, {{"CI", "true"}}, diag_, sink);
      o.notice.enabled = false;
      asio::io_context io;
      std::shared_ptr<cli::telemetry> t;
      ASSERT_NO_THROW(t = cli::make_telemetry(io.get_executor(), o));
      ASSERT_TRUE(t);
      EXPECT_EQ(t->state(), cli::telemetry_state::enabled) << "no setting read through a symlink or from junk";
      EXPECT_EQ(t->anonymous_id().size(), 36u);
      EXPECT_FALSE(t->track("Something Happened", {}));
      cli::telemetry_status s;
      ASSERT_NO_THROW(s = cli::read_status(o));
      if (std::string_view(place).starts_with("spool/")) {
        const std::string_view k = kind.name;
        const bool regular = k == "huge file" || k == "garbage" || k == "sparse file";
        EXPECT_EQ(s.spool_unreadable, regular ? 0u : 1u);
        EXPECT_EQ(s.pending_events, 0u);
      }
    }
  }
  // What the symlinks pointed at is untouched.
  std::ifstream in(tmp_.path() / "symlink-elsewhere");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), R"({"enabled": false})");
}

TEST_F(HostileStateDir, ReadStateFileRefusesWhatIsNotASmallRegularFile) {
  const auto& d = tmp_.path();
  std::string out = "left over";
  ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0600), 0);
  EXPECT_EQ(cli::read_state_file(d / "fifo", 4096, out), errc::not_regular_file);
  EXPECT_EQ(cli::read_state_file("/dev/zero", 4096, out), errc::not_regular_file);
  EXPECT_EQ(cli::read_state_file(d, 4096, out), errc::not_regular_file);
  EXPECT_EQ(cli::read_state_file(d / "missing", 4096, out), std::errc::no_such_file_or_directory);
  std::ofstream(d / "five") << "12345";
  std::filesystem::create_symlink(d / "five", d / "link");
  EXPECT_EQ(cli::read_state_file(d / "link", 4096, out), errc::not_regular_file);
  EXPECT_EQ(cli::read_state_file(d / "five", 4, out), errc::file_too_large);
  EXPECT_TRUE(out.empty());
  ASSERT_FALSE(cli::read_state_file(d / "five", 5, out));
  EXPECT_EQ(out, "12345");
}

TEST_F(HostileStateDir, WriteStateFileFixesTheModeAndNeverWritesThroughASymlink) {
  const auto& d = tmp_.path();
  std::ofstream(d / "credentials") << "old";
  ASSERT_EQ(::chmod((d / "credentials").c_str(), 0644), 0);
  ASSERT_FALSE(cli::write_state_file(d / "credentials", "new"));
  EXPECT_EQ(std::filesystem::status(d / "credentials").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  std::ofstream(d / "target") << "precious";
  std::filesystem::create_symlink(d / "target", d / "settings.json");
  ASSERT_FALSE(cli::write_state_file(d / "settings.json", "{}"));
  EXPECT_FALSE(std::filesystem::is_symlink(d / "settings.json")) << "the link itself is replaced";
  std::ifstream in(d / "target");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "precious");
}

}  // namespace
}  // namespace flowtrack::test
