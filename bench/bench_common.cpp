#include "bench_common.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace flowtrack::bench {

track_message command_completed(int i) {
  return {.user_id = "user-" + std::to_string(i % 1000),
          .event = "Command Completed",
          .properties = {{"command", "deploy"},
                         {"succeeded", true},
                         {"exit_code", 0},
                         {"duration_ms", 1234},
                         {"flags", "--verbose"},
                         {"sequence", i},
                         {"ci", false},
                         {"version", "1.2.3"}}};
}

namespace {
double seconds_of(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }
}  // namespace

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return seconds_of(u.ru_utime) + seconds_of(u.ru_stime);
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

resident_now resident_mib() {
  // statm: size, resident, shared (file-backed resident), ... in pages.
  std::ifstream statm("/proc/self/statm");
  double size = 0, resident = 0, shared = 0;
  statm >> size >> resident >> shared;
  const double page_mib = static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
  return {.total_mib = resident * page_mib, .file_mib = shared * page_mib};
}

json percentiles(std::vector<std::int64_t>& ns) {
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    return ns[std::min(ns.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ns.size())))];
  };
  return {{"p50_ns", at(0.50)}, {"p99_ns", at(0.99)}, {"max_ns", ns.back()}};
}

}  // namespace flowtrack::bench
