#include "cli/state_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "flowtrack/error.hpp"
#include "wire/uuid.hpp"

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

std::string read_small_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string s;
  if (in) s.assign(std::istreambuf_iterator<char>(in), {});
  return s.size() > 4096 ? std::string() : s;
}

}  // namespace

std::error_code write_private_file(const std::filesystem::path& path, const std::string& content) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return errc::spool_io;
  ::chmod(path.parent_path().c_str(), 0700);
  const auto tmp = path.string() + ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return errc::spool_io;
  const bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
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
  std::string id = flowtrack::detail::make_uuid_v4();
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
  return std::filesystem::is_regular_file(dir / "notice_shown", ec);
}

std::error_code write_notice_mark(const std::filesystem::path& dir) {
  if (dir.empty()) return errc::spool_io;
  return write_private_file(dir / "notice_shown", "1\n");
}

}  // namespace flowtrack::cli::detail
