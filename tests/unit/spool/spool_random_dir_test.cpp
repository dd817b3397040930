// Property test: random spool directories (random entry kinds, sizes, modes, corrupt records
// anywhere) are claimed without a crash or a hang, and every intact message record of every
// readable regular spool file is replayed, exactly once. The seed is printed on failure.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "spool/spool.hpp"
#include "spool/spool_format.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::detail {
namespace {

struct random_dir {
  std::set<std::string> expected;  // message JSON that must be replayed
};

random_dir make_random_dir(const std::filesystem::path& dir, std::mt19937_64& rng) {
  random_dir out;
  std::filesystem::create_directories(dir);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  const int entries = 1 + pick(12);
  int next_id = 0;
  for (int e = 0; e < entries; ++e) {
    char name[64];
    std::snprintf(name, sizeof name, "%020d-7-%08x.spool", e + 1, static_cast<unsigned>(rng()));
    const auto path = dir / name;
    switch (pick(8)) {
      case 0: EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0); break;
      case 1: std::filesystem::create_directory(path); break;
      case 2: std::filesystem::create_symlink("/dev/zero", path); break;
      case 3: std::ofstream(path, std::ios::binary); break;  // empty
      case 4: {  // garbage, no header
        std::string junk(static_cast<std::size_t>(pick(5000)), '\0');
        for (auto& c : junk) c = static_cast<char>(rng());
        std::ofstream(path, std::ios::binary) << junk;
        break;
      }
      default: {  // a spool file: records, some corrupted, garbage between, maybe a torn tail
        std::string bytes(spool_magic);
        const int records = pick(40);
        for (int r = 0; r < records; ++r) {
          const std::string json = R"({"messageId":"r)" + std::to_string(next_id++) + R"(","type":"track","pad":")" +
                                   std::string(static_cast<std::size_t>(pick(300)), 'x') + "\"}";
          std::string record;
          append_spool_record(record, spool_record_kind::message, json);
          if (pick(6) == 0) {
            record[static_cast<std::size_t>(pick(static_cast<int>(record.size())))] ^= 0x40;  // corrupt: lost
          } else {
            out.expected.insert(json);
          }
          bytes += record;
          if (pick(8) == 0) bytes += std::string(static_cast<std::size_t>(pick(50)), static_cast<char>(rng()));
        }
        if (pick(4) == 0) {  // a torn last record
          std::string torn;
          append_spool_record(torn, spool_record_kind::message, R"({"messageId":"torn","type":"track"})");
          bytes += torn.substr(0, torn.size() / 2);
        }
        std::ofstream(path, std::ios::binary) << bytes;
        break;
      }
    }
  }
  return out;
}

TEST(SpoolRandomDir, EveryIntactRecordIsReplayedOnceWhateverElseIsThere) {
  const std::uint64_t base_seed = std::random_device{}();
  for (int round = 0; round < 150; ++round) {
    const std::uint64_t seed = base_seed + static_cast<std::uint64_t>(round);
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    test::temp_dir tmp{"flowtrack-spool-random"};
    random_dir d;
    d = make_random_dir(tmp.path(), rng);
    spool s(tmp.path(), {});
    ASSERT_FALSE(s.open());
    spool_claim claim;
    ASSERT_FALSE(s.claim(claim));  // returns: a FIFO or a device never blocks it
    std::map<std::string, int> got;
    for (const auto& m : claim.messages) ++got[m];
    for (const auto& m : d.expected) EXPECT_EQ(got[m], 1) << m.substr(0, 30);
    for (const auto& [m, n] : got) EXPECT_TRUE(d.expected.contains(m)) << "replayed something never written intact";
    s.delete_claimed();
  }
}

}  // namespace
}  // namespace flowtrack::detail
