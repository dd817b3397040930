// SemVer 2.0.0 precedence, by table: the update notifier's "is it newer?".
#include <gtest/gtest.h>

#include "flowtrack/cli/semver.hpp"

namespace flowtrack::cli {
namespace {

TEST(SemVer, PrecedenceFollowsTheSpecification) {
  using o = std::strong_ordering;
  struct row {
    const char* a;
    const char* b;
    std::optional<std::strong_ordering> expected;
  };
  const row rows[] = {
      {"1.10.0", "1.9.3", o::greater},   // numbers, not text
      {"2.0.0", "1.99.99", o::greater},
      {"1.2.3", "1.2.3", o::equal},
      {"v1.2.3", "1.2.3", o::equal},
      {"1.2.3-rc.1", "1.2.3", o::less},  // a pre-release is older than its release
      {"1.2.3", "1.2.3-rc.1", o::greater},
      // The specification's own chain (section 11.4).
      {"1.0.0-alpha", "1.0.0-alpha.1", o::less},
      {"1.0.0-alpha.1", "1.0.0-alpha.beta", o::less},
      {"1.0.0-alpha.beta", "1.0.0-beta", o::less},
      {"1.0.0-beta", "1.0.0-beta.2", o::less},
      {"1.0.0-beta.2", "1.0.0-beta.11", o::less},  // numeric identifiers numerically
      {"1.0.0-beta.11", "1.0.0-rc.1", o::less},
      {"1.0.0-rc.1", "1.0.0", o::less},
      {"1.0.0+build.5", "1.0.0+build.9", o::equal},  // build metadata ignored
      {"1.0.0-rc.1+x", "1.0.0-rc.1", o::equal},
      // Not versions: no answer, so never "newer".
      {"1.2", "1.2.0", std::nullopt},
      {"1.2.x", "1.2.0", std::nullopt},
      {"01.2.3", "1.2.3", std::nullopt},
      {"1.2.3-", "1.2.3", std::nullopt},
      {"1.2.3-rc..1", "1.2.3", std::nullopt},
      {"1.2.3-01", "1.2.3", std::nullopt},
      {"1.2.3+", "1.2.3", std::nullopt},
      {"", "1.2.3", std::nullopt},
      {"1.2.3.4", "1.2.3", std::nullopt},
      {"99999999999999999999.0.0", "1.0.0", std::nullopt},
  };
  for (const auto& r : rows) EXPECT_EQ(compare_versions(r.a, r.b), r.expected) << r.a << " vs " << r.b;
}

TEST(SemVer, NewerOnlyWhenBothAreVersionsAndTheCandidateIsAhead) {
  EXPECT_TRUE(is_newer_version("1.2.3", "1.2.3-rc.1"));
  EXPECT_FALSE(is_newer_version("1.2.3-rc.1", "1.2.3"));
  EXPECT_FALSE(is_newer_version("1.2.3", "1.2.3"));
  EXPECT_FALSE(is_newer_version("garbage", "1.2.3"));
  EXPECT_FALSE(is_newer_version("9.9.9", "not-a-version"));
}

}  // namespace
}  // namespace flowtrack::cli
