#include "cli/state_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>

#include <nlohmann/json.hpp>

#include "common/regular_file.hpp"
#include "flowtrack/cli/state_file.hpp"
#include "flowtrack/error.hpp"
#include "flowtrack/uuid.hpp"

namespace flowtrack::cli::detail {
namespace {

bool looks_like_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// A missing, oversized or odd file (FIFO, directory, symlink, device) reads as empty: nothing
// blocks, nothing is followed, nothing throws.
std::string read_small_file(const std::filesystem::path& path) {
  std::string s;
  if (flowtrack::detail::read_regular_file(path, 4096, s)) s.clear();
  return s;
}

}  // namespace

std::error_code write_private_file(const std::filesystem::path& path, const std::string& content) {
  std::error_code ec;
  // Only a directory created here is made 0700: an existing one (a symlink to a shared folder,
  // a 1777 directory) keeps the mode its owner chose.
  if (std::filesystem::create_directories(path.parent_path(), ec)) ::chmod(path.parent_path().c_str(), 0700);
  if (ec) return errc::spool_io;
  const auto tmp = path.string() + ".tmp" + std::to_string(::getpid());
  ::unlink(tmp.c_str());  // a stale one from a killed run (never followed: unlink removes a link itself)
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return errc::spool_io;
  // 0600 whatever the umask; the rename then replaces the old file (and its mode, if it was
  // 0644) or a symlink at `path` itself, never what the symlink points to.
  bool ok = ::fchmod(fd, 0600) == 0;
  ok = ok && ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return errc::spool_io;
  }
  return {};
}

std::string read_anonymous_id(const std::filesystem::path& dir) {
  if (dir.empty()) return {};
  std::string id = read_small_file(dir / "anonymous_id");
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  return looks_like_uuid(id) ? id : std::string();
}

std::string load_or_create_anonymous_id(const std::filesystem::path& dir, bool& persisted) {
  persisted = false;
  if (auto existing = read_anonymous_id(dir); !existing.empty()) {
    persisted = true;
    return existing;
  }
  std::string id = flowtrack::make_uuid_v4();
  if (!dir.empty() && !write_private_file(dir / "anonymous_id", id + "\n")) persisted = true;
  return id;
}

std::optional<bool> read_enabled_setting(const std::filesystem::path& dir) {
  if (dir.empty()) return std::nullopt;
  auto j = nlohmann::json::parse(read_small_file(dir / "settings.json"), nullptr, false);
  if (!j.is_object()) return std::nullopt;
  auto it = j.find("enabled");
  if (it == j.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

std::error_code write_enabled_setting(const std::filesystem::path& dir, bool enabled) {
  if (dir.empty()) return errc::spool_io;
  return write_private_file(dir / "settings.json", nlohmann::json{{"enabled", enabled}}.dump() + "\n");
}

bool notice_shown(const std::filesystem::path& dir) {
  if (dir.empty()) return false;
  std::error_code ec;
  return std::filesystem::is_regular_file(std::filesystem::symlink_status(dir / "notice_shown", ec));
}

std::error_code write_notice_mark(const std::filesystem::path& dir) {
  if (dir.empty()) return errc::spool_io;
  return write_private_file(dir / "notice_shown", "1\n");
}

}  // namespace flowtrack::cli::detail

namespace flowtrack::cli {

std::error_code read_state_file(const std::filesystem::path& path, std::size_t max_bytes, std::string& out) noexcept {
  return flowtrack::detail::read_regular_file(path, max_bytes, out);
}

std::error_code write_state_file(const std::filesystem::path& path, std::string_view content) noexcept try {
  return detail::write_private_file(path, std::string(content));
} catch (...) {  // std::bad_alloc
  return errc::spool_io;
}

}  // namespace flowtrack::cli
