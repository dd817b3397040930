// A fresh directory under the system's temporary directory, removed with everything in it when
// the object goes away. For tests that need a spool or state directory of their own.
#pragma once

#include <filesystem>
#include <random>
#include <string>
#include <string_view>

namespace flowtrack::test {

class temp_dir {
 public:
  explicit temp_dir(std::string_view prefix)
      : path_(std::filesystem::temp_directory_path() /
              (std::string(prefix) + "-" + std::to_string(std::random_device{}()) + std::to_string(std::random_device{}()))) {}
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace flowtrack::test
