#include "bench_common.hpp"

#include <sys/resource.h>

#include <algorithm>
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

json percentiles(std::vector<std::int64_t>& ns) {
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    return ns[std::min(ns.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ns.size())))];
  };
  return {{"p50_ns", at(0.50)}, {"p99_ns", at(0.99)}, {"max_ns", ns.back()}};
}

}  // namespace flowtrack::bench
