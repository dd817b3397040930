// Shared pieces of the flowtrack-bench workloads: the benchmark event, process CPU and RSS
// readings, percentiles. Each workload registers a CLI11 subcommand and prints one JSON object.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include <CLI/CLI.hpp>
#include <flowtrack/message.hpp>
#include <nlohmann/json.hpp>

namespace flowtrack::bench {

using json = nlohmann::json;
using steady = std::chrono::steady_clock;

/// A subcommand and what runs it once parsed.
struct workload {
  CLI::App* command = nullptr;
  std::function<json()> run;
};

workload add_micro(CLI::App& app);
workload add_w1(CLI::App& app);
workload add_w2(CLI::App& app);
workload add_ceiling(CLI::App& app);

/// The ceiling: `n` W1 events written by plain code into 500 KB bodies (bench/ceiling.cpp):
/// {workload, events, ns_per_event (CPU of the calling thread), body_bytes_per_event, ...}.
json ceiling(int n);

/// The benchmark event: a `Command Completed` track with a user id and 8 properties
/// (strings, numbers, booleans), about 300 bytes on the wire.
track_message command_completed(int i);

/// CPU seconds (user + system) of this process so far.
double cpu_seconds();
/// Peak resident set size of this process, MiB.
double peak_rss_mib();
/// This process's resident memory now, MiB: all of it, and the part mapped from files (the
/// binary and the shared libraries, pages other processes share); the rest is anonymous.
struct resident_now {
  double total_mib = 0, file_mib = 0;
  json to_json() const { return {{"total_mib", total_mib}, {"file_mib", file_mib}, {"anonymous_mib", total_mib - file_mib}}; }
};
resident_now resident_mib();
/// {p50_ns, p99_ns, max_ns} of the samples (sorts them).
json percentiles(std::vector<std::int64_t>& ns);

}  // namespace flowtrack::bench
