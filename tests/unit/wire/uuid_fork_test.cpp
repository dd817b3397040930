// Message ids stay unique across fork(): the child's generator (a copy of the parent's state)
// is seeded again, so the ids the child draws are not the ones the parent draws next.
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "wire/uuid.hpp"

namespace flowtrack::detail {
namespace {

TEST(UuidFork, ChildAndParentDrawDifferentIdsAfterAFork) {
  constexpr std::size_t n = 64;
  (void)make_uuid_v4();  // the parent's generator exists before the fork: the child inherits it
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    std::string ids;
    for (std::size_t i = 0; i < n; ++i) ids += make_uuid_v4();
    const bool ok = ::write(pipe_fds[1], ids.data(), ids.size()) == static_cast<ssize_t>(ids.size());
    ::_exit(ok ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::set<std::string> parent;
  for (std::size_t i = 0; i < n; ++i) parent.insert(make_uuid_v4());
  std::string from_child;
  char buf[4096];
  for (ssize_t got; (got = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) from_child.append(buf, static_cast<std::size_t>(got));
  ::close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(from_child.size(), 36 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string id = from_child.substr(36 * i, 36);
    EXPECT_FALSE(parent.contains(id)) << "the child repeated the parent's id " << id;
  }
}

}  // namespace
}  // namespace flowtrack::detail
