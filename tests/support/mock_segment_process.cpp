#include "support/mock_segment_process.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "support/http_test_client.hpp"

namespace flowtrack::test {

namespace {
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string resolve_shared_url() {
  if (auto url = env("FLOWTRACK_TEST_ENDPOINT"); !url.empty()) return trim(url);
  if (auto url = env("MOCK_SEGMENT_URL"); !url.empty()) return trim(url);
  if (auto file = env("MOCK_SEGMENT_URL_FILE"); !file.empty()) {
    std::ifstream in(file);
    std::string url;
    if (!in || !std::getline(in, url) || trim(url).empty())
      throw std::runtime_error("MOCK_SEGMENT_URL_FILE=" + file +
                               " holds no URL: did the mock_segment fixture (start_mock.sh) run?");
    return trim(url);
  }
  static std::unique_ptr<mock_process> own;  // outside ctest: one server for the whole program
  own = std::make_unique<mock_process>();
  return own->url();
}
}  // namespace

const std::string& shared_mock_url() {
  static const std::string url = resolve_shared_url();
  return url;
}

std::string reset_mock(const std::string& url) {
  struct step {
    const char* method;
    const char* target;
    const char* body;
  };
  const step steps[] = {{"POST", "/admin/reset", ""},
                        {"DELETE", "/admin/faults", ""},
                        {"POST", "/admin/mode", R"({"mode":"ok"})"},
                        {"POST", "/admin/latest-version", R"({"version":"0.0.0","delay_ms":0})"}};
  for (const auto& s : steps) {
    auto r = http_call(url, s.method, s.target, s.body);
    if (r.error || r.response.status != 200)
      return std::string(s.method) + ' ' + s.target + " on " + url + " failed: " +
             (r.error ? r.error.message() : "status " + std::to_string(r.response.status));
  }
  return {};
}

bool mock_binary_available() {
  std::error_code ec;
  return std::filesystem::is_regular_file(mock_segment_binary(), ec);
}

std::unique_ptr<mock_process> start_mock(std::vector<std::string> args) {
  return std::make_unique<mock_process>(std::move(args));
}

}  // namespace flowtrack::test
