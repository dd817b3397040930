// flowtrack-summary-bench: what mock-segment's live page costs with a full store. Fills a store
// with N events (default 100000: mock-segment's --max-events default) shaped like
// flowtrack-demo's (deploy ok / failing / cancelled, wizard with `back`, login; one invocation in
// 50 loses an event; 1% from other clients, without invocation_id), then answers the page's
// request, GET /admin/summary?limit=100&events=200, through handle_admin() (summary, problems,
// JSON serialization: everything but the socket): the first answer (every invocation computed),
// then R answers each with nothing changed, a command filter, a 15-minute window, an unchanged
// revision, and with B new events accepted (and as many evicted) before each; and, for reference,
// summarize() from scratch without the index. Prints one JSON object: wall and thread-CPU ms per
// answer (p50 / p95 / max), the body's size, and the cost the records add to each accepted event.
//   flowtrack-summary-bench [--events 100000] [--rounds 20] [--batch 1000]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "admin_api.hpp"
#include "event_record.hpp"
#include "store.hpp"
#include "wire/iso8601.hpp"

namespace {

using json = nlohmann::json;
using steady = std::chrono::steady_clock;

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// flowtrack-demo's events, one invocation after another, 3 ms apart, ending now.
class session_generator {
 public:
  explicit session_generator(std::size_t events)
      : start_(std::chrono::system_clock::now() - std::chrono::milliseconds(3 * static_cast<std::int64_t>(events))) {}

  std::vector<json> make(std::size_t n) {
    std::vector<json> out;
    out.reserve(n + 16);
    while (out.size() < n) invocation(out);
    out.resize(n);
    return out;
  }

 private:
  json event(const std::string& name, json props) {
    props["invocation_id"] = invocation_id_;
    props["sequence"] = ++sequence_;
    props["app"] = "flowtrack-demo";
    props["app_version"] = "0.1.0";
    props["os"] = "linux";
    props["arch"] = "x86_64";
    props["ci"] = false;
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012llu", static_cast<unsigned long long>(++messages_));
    const std::string t = flowtrack::detail::to_iso8601(start_ + std::chrono::milliseconds(3 * messages_));
    return {{"type", "track"},        {"event", name},        {"anonymousId", "66e53588-c353-4eb2-aa34-05807dee469e"},
            {"messageId", id},        {"timestamp", t},       {"receivedAt", t},
            {"sentAt", t},            {"requestId", messages_ / 20 + 1},
            {"context", {{"library", {{"name", "flowtrack"}, {"version", "0.1.0"}}}}},
            {"properties", std::move(props)}};
  }

  void flow(std::vector<json>& out, const char* name, const std::vector<std::pair<const char*, int>>& moves,
            const char* outcome, const char* error_class) {
    out.push_back(event("Flow Started", {{"flow", name}}));
    const char* previous = nullptr;
    int previous_order = 0;
    for (const auto& [step, order] : moves) {
      json p = {{"flow", name}, {"step", step}, {"step_order", order}, {"elapsed_ms", 40}};
      if (previous != nullptr) {
        p["previous_step"] = previous;
        p["direction"] = order > previous_order ? "forward" : order < previous_order ? "back" : "repeat";
      } else {
        p["direction"] = "forward";
      }
      out.push_back(event("Flow Step", p));
      previous = step;
      previous_order = order;
    }
    json done = {{"flow", name}, {"outcome", outcome}, {"duration_ms", 120}, {"steps_entered", moves.size()}};
    if (*error_class) done["error_class"] = error_class;
    out.push_back(event("Flow Completed", done));
  }

  void invocation(std::vector<json>& out) {
    const std::size_t n = ++invocations_;
    char id[40];
    std::snprintf(id, sizeof id, "%08zx-0837-4749-834c-2fcca78b530b", n);
    invocation_id_ = id;
    sequence_ = 0;
    const std::size_t first = out.size();
    const std::int64_t duration = 40 + static_cast<std::int64_t>((n * 7919) % 900);
    auto completed = [&](const char* command, bool ok, int exit_code, const char* error_class) {
      json p = {{"command", command}, {"succeeded", ok}, {"exit_code", exit_code}, {"duration_ms", duration}};
      if (!ok) p["error_class"] = error_class;
      if (!ok) p["user_cancelled"] = exit_code == 130;
      out.push_back(event("Command Completed", p));
    };
    static const std::vector<std::pair<const char*, int>> deploy = {{"validate", 1}, {"build", 2}, {"upload", 3}, {"release", 4}};
    switch (n % 6) {
      case 0:
        out.push_back(event("Command Invoked", {{"command", "login"}, {"flags", {"--user"}}}));
        completed("login", true, 0, "");
        break;
      case 1:
      case 2:
        out.push_back(event("Command Invoked", {{"command", "deploy"}, {"flags", {"--step-ms"}}}));
        flow(out, "deploy", deploy, "completed", "");
        completed("deploy", true, 0, "");
        break;
      case 3: {
        out.push_back(event("Command Invoked", {{"command", "deploy"}, {"flags", {"--fail-at"}}}));
        const std::size_t at = 1 + n % 4;
        flow(out, "deploy", {deploy.begin(), deploy.begin() + static_cast<std::ptrdiff_t>(at)}, "failed",
             "demo::deploy_error");
        completed("deploy", false, 1, "demo::deploy_error");
        break;
      }
      case 4:
        out.push_back(event("Command Invoked", {{"command", "deploy"}, {"flags", json::array()}}));
        flow(out, "deploy", {deploy.begin(), deploy.begin() + 1}, "cancelled", "");
        completed("deploy", false, 130, "cancelled");
        break;
      default:
        out.push_back(event("Command Invoked", {{"command", "wizard"}, {"flags", json::array()}}));
        flow(out, "wizard", {{"name", 1}, {"region", 2}, {"name", 1}, {"region", 2}, {"confirm", 3}}, "completed", "");
        completed("wizard", true, 0, "");
        break;
    }
    if (n % 50 == 0) out.erase(out.begin() + static_cast<std::ptrdiff_t>(first + 1));  // a lost event
    if (n % 20 == 0) {  // another client: no invocation_id, no sequence
      out.push_back({{"type", "track"}, {"userId", "node-user"}, {"event", "Signed Up"},
                     {"messageId", "other-" + std::to_string(n)}, {"receivedAt", out.back()["receivedAt"]},
                     {"properties", {{"plan", "pro"}}}});
    }
  }

  std::chrono::system_clock::time_point start_;
  std::string invocation_id_;
  std::int64_t sequence_ = 0;
  std::uint64_t messages_ = 0;
  std::size_t invocations_ = 0;
};

struct timing {
  std::vector<double> wall_ms, cpu_ms;
  std::size_t body_bytes = 0;
  json to_json() {
    auto pct = [](std::vector<double> v, double q) {
      std::sort(v.begin(), v.end());
      return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
    };
    auto round2 = [](double x) { return std::round(x * 100) / 100; };
    return {{"wall_ms_p50", round2(pct(wall_ms, 0.5))}, {"wall_ms_p95", round2(pct(wall_ms, 0.95))},
            {"wall_ms_max", round2(*std::max_element(wall_ms.begin(), wall_ms.end()))},
            {"cpu_ms_p50", round2(pct(cpu_ms, 0.5))},   {"cpu_ms_p95", round2(pct(cpu_ms, 0.95))},
            {"body_bytes", body_bytes}};
  }
};

timing answer(mock_segment::store& s, const std::string& target, int rounds) {
  timing t;
  flowtrack::http::request req;
  req.method = "GET";
  req.target = target;
  for (int i = 0; i < rounds; ++i) {
    const double cpu = thread_cpu_ms();
    const auto wall = steady::now();
    auto reply = mock_segment::handle_admin(req, s);
    t.wall_ms.push_back(std::chrono::duration<double, std::milli>(steady::now() - wall).count());
    t.cpu_ms.push_back(thread_cpu_ms() - cpu);
    if (!reply || reply->response.status != 200) throw std::runtime_error("GET " + target + " failed");
    t.body_bytes = reply->response.body.size();
  }
  return t;
}

}  // namespace

// NOLINTNEXTLINE(bugprone-exception-escape): only bad_alloc or a bad option table escape the try
int main(int argc, char** argv) {
  std::size_t events = 100000;
  std::size_t batch = 1000;
  int rounds = 20;
  CLI::App app{"flowtrack-summary-bench: GET /admin/summary over a full mock-segment store"};
  app.add_option("--events", events, "events in the store")->check(CLI::Range(1, 10000000))->capture_default_str();
  app.add_option("--rounds", rounds, "answers timed per query")->check(CLI::Range(1, 10000))->capture_default_str();
  app.add_option("--batch", batch, "events accepted (and as many evicted) before each streaming answer")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    const std::size_t streamed = batch * static_cast<std::size_t>(rounds);
    const std::vector<json> generated = session_generator(events + streamed).make(events + streamed);

    // What the records add to each accepted event: make_record alone, over the same events.
    double cpu = thread_cpu_ms();
    volatile std::int64_t sink = 0;  // keeps the records from being optimized away
    for (std::size_t i = 0; i < events; ++i) sink = sink + mock_segment::make_record(generated[i], i).sequence;
    const double record_ns = (thread_cpu_ms() - cpu) * 1e6 / static_cast<double>(events);

    mock_segment::store s({.max_events = events, .max_requests = 10000, .max_rejected = 10000});
    cpu = thread_cpu_ms();
    for (std::size_t i = 0; i < events; ++i) s.accept(generated[i]);
    const double accept_ns = (thread_cpu_ms() - cpu) * 1e6 / static_cast<double>(events);

    const std::string page = "/admin/summary?limit=100&events=200";
    timing first = answer(s, page, 1);  // every invocation computed: the first poll after a bulk load
    timing steady_page = answer(s, page, rounds);
    const json body =
        json::parse(mock_segment::handle_admin({.method = "GET", .target = page, .headers = {}, .body = {}}, s)->response.body);
    timing deploy = answer(s, page + "&command=deploy", rounds);
    timing window = answer(s, page + "&window=900", rounds);
    timing unchanged = answer(s, page + "&if_revision=" + std::to_string(s.revision()), rounds);

    // Without the index: summarize() over all the records from scratch (no JSON), as a reference.
    timing scratch;
    for (int i = 0; i < rounds; ++i) {
      cpu = thread_cpu_ms();
      const auto wall = steady::now();
      const auto sum = mock_segment::summarize(s.records(), {});
      scratch.wall_ms.push_back(std::chrono::duration<double, std::milli>(steady::now() - wall).count());
      scratch.cpu_ms.push_back(thread_cpu_ms() - cpu);
      sink = sink + static_cast<std::int64_t>(sum.invocations_matched);
    }

    // A live stream into the full store: `batch` events accepted (as many evicted), then a poll.
    timing streaming;
    std::size_t next = events;
    for (int i = 0; i < rounds; ++i) {
      for (std::size_t k = 0; k < batch; ++k) s.accept(generated[next++]);
      timing one = answer(s, page, 1);
      streaming.wall_ms.push_back(one.wall_ms[0]);
      streaming.cpu_ms.push_back(one.cpu_ms[0]);
      streaming.body_bytes = one.body_bytes;
    }

    std::cout << json{{"workload", "summary"},
                      {"events", events},
                      {"invocations", body["totals"]["invocations_matched"]},
                      {"rounds", rounds},
                      {"record_ns_per_event", std::round(record_ns)},
                      {"accept_ns_per_event", std::round(accept_ns)},
                      {"first_answer", first.to_json()},
                      {"page", steady_page.to_json()},
                      {"command_deploy", deploy.to_json()},
                      {"window_15min", window.to_json()},
                      {"unchanged", unchanged.to_json()},
                      {"streaming_" + std::to_string(batch) + "_per_poll", streaming.to_json()},
                      {"from_scratch_no_json", scratch.to_json()}}
                     .dump()
              << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "flowtrack-summary-bench: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
