#include "admin_api.hpp"

#include <cctype>
#include <charconv>
#include <ctime>

#include "ingest.hpp"
#include "live_page.hpp"
#include "summary.hpp"
#include "validation.hpp"

namespace mock_segment {
namespace http = flowtrack::http;

namespace {

std::string url_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

std::string query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

// CPU seconds (user + system) this process has used: the cost of what it served, on a shared machine.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

admin_reply bad_request(std::string why) { return {plain_response(400, std::move(why) + "\n")}; }

admin_reply faults(const http::request& req, store& s) {
  if (req.method == "GET") return {json_response(200, s.faults())};
  if (req.method == "DELETE") {
    s.clear_faults();
    return {json_response(200, s.faults())};
  }
  if (req.method != "POST") return {plain_response(405, "method not allowed\n")};
  auto body = parse_bounded_json(req.body);
  if (body.is_discarded()) return bad_request("invalid JSON");
  if (!body.is_array()) body = nlohmann::json::array({body});
  std::vector<fault> parsed;
  for (const auto& j : body) {
    std::string error;
    auto f = fault::from_json(j, error);
    if (!f) return bad_request(error);
    parsed.push_back(*f);
  }
  for (auto& f : parsed) s.add_fault(std::move(f));
  return {json_response(200, s.faults())};
}

std::optional<std::uint64_t> unsigned_param(std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

// An instant: ms since the epoch, or ISO-8601.
std::optional<std::int64_t> time_param(std::string_view text) {
  if (auto ms = unsigned_param(text); ms && *ms <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(*ms);
  return parse_time_ms(text);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// GET /admin/summary?command=&since=&until=&window=&limit=&events=&if_revision=
admin_reply summary_reply(std::string_view query, store& s) {
  constexpr std::uint64_t max_rows = 10000;
  summary_query q;
  q.command = query_param(query, "command");
  for (auto [name, field] : {std::pair{"since", &q.since_ms}, std::pair{"until", &q.until_ms}}) {
    const std::string text = query_param(query, name);
    if (text.empty()) continue;
    *field = time_param(text);
    if (!*field) return bad_request(std::string(name) + " must be ms since the epoch or an ISO-8601 time");
  }
  const std::string window = query_param(query, "window");
  if (!window.empty()) {
    auto seconds = unsigned_param(window);
    if (!seconds || *seconds == 0 || *seconds > 100ULL * 365 * 86400)
      return bad_request("window must be a number of seconds (1 or more)");
    q.since_ms = now_ms() - static_cast<std::int64_t>(*seconds) * 1000;
  }
  for (auto [name, field] : {std::pair{"limit", &q.max_invocations}, std::pair{"events", &q.max_events}}) {
    const std::string text = query_param(query, name);
    if (text.empty()) continue;
    auto n = unsigned_param(text);
    if (!n || *n > max_rows) return bad_request(std::string(name) + " must be a number from 0 to 10000");
    *field = static_cast<std::size_t>(*n);
  }
  const std::string if_revision = query_param(query, "if_revision");
  if (window.empty() && !if_revision.empty() && unsigned_param(if_revision) == s.revision())
    return {json_response(200, {{"revision", s.revision()}, {"unchanged", true}})};

  const auto start = std::chrono::steady_clock::now();
  nlohmann::json body = to_json(s.summarize(q));
  body["problems"] = problems(s.request_log(), s.rejected_log(), 50);
  const nlohmann::json stats = s.stats();
  body["faults"] = s.faults();
  body["server"] = {{"events_accepted", stats["events_accepted"]}, {"evicted", stats["evicted"]},
                    {"events_rejected", stats["events_rejected"]}, {"requests", stats["requests"]},
                    {"lean", stats["lean"]}};
  body["query"] = {{"command", q.command}, {"limit", q.max_invocations}, {"events", q.max_events}};
  if (q.since_ms) body["query"]["since_ms"] = *q.since_ms;
  if (q.until_ms) body["query"]["until_ms"] = *q.until_ms;
  body["revision"] = s.revision();
  body["compute_ms"] =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return {json_response(200, body)};
}

}  // namespace

std::optional<http::response> admin_request_refusal(const http::request& req, std::string_view token) {
  const std::string_view target = req.target;
  if (!target.starts_with("/admin/") || req.method == "GET" || req.method == "HEAD") return std::nullopt;
  if (const auto origin = req.header("Origin"); !origin.empty()) {
    const auto host = req.header("Host");
    if (host.empty() || (origin != "http://" + std::string(host) && origin != "https://" + std::string(host)))
      return plain_response(403, "cross-origin admin request refused\n");
  }
  if (req.method == "POST") {
    std::string type(req.header("Content-Type"));
    for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!type.starts_with("application/json"))
      return plain_response(415, "admin POST requires Content-Type: application/json\n");
  }
  if (!token.empty() && req.header("Authorization") != "Bearer " + std::string(token))
    return plain_response(401, "admin token required (Authorization: Bearer TOKEN)\n");
  return std::nullopt;
}

std::optional<admin_reply> handle_admin(const http::request& req, store& s, std::string_view token) {
  const std::string_view target = req.target;
  const auto qpos = target.find('?');
  const std::string_view path = target.substr(0, qpos);
  const std::string_view query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
  const bool get = req.method == "GET";
  if (path.starts_with("/admin/"))
    if (auto refusal = admin_request_refusal(req, token)) return admin_reply{std::move(*refusal)};

  if (path == "/" || path == "/index.html") {
    if (!get) return admin_reply{plain_response(405, "method not allowed\n")};
    return admin_reply{{.status = 200, .reason = {}, .headers = {{"Content-Type", "text/html; charset=utf-8"}},
                        .body = std::string(live_page_html), .keep_alive = true}};
  }
  if (path == "/cli/latest-version") {
    return admin_reply{json_response(200, {{"version", s.latest_version}}),
                       std::chrono::milliseconds(s.latest_version_delay_ms)};
  }
  if (!path.starts_with("/admin/")) return std::nullopt;
  if (path == "/admin/events" && get)
    return admin_reply{json_response(200, s.events(query_param(query, "type"), query_param(query, "event"),
                                                   query_param(query, "userId")))};
  if (path == "/admin/summary" && get) return summary_reply(query, s);
  if (path == "/admin/rejected" && get) return admin_reply{json_response(200, s.rejected())};
  if (path == "/admin/requests" && get) return admin_reply{json_response(200, s.requests())};
  if (path == "/admin/stats" && get) {
    nlohmann::json stats = s.stats();
    stats["cpu_seconds"] = process_cpu_seconds();
    return admin_reply{json_response(200, stats)};
  }
  if (path == "/admin/reset" && req.method == "POST") {
    s.reset();
    return admin_reply{json_response(200, {{"reset", true}})};
  }
  if (path == "/admin/faults") return faults(req, s);
  if (path == "/admin/mode" && req.method == "POST") {
    auto body = parse_bounded_json(req.body);
    auto m = body.is_object() && body.contains("mode") && body["mode"].is_string()
                 ? parse_mode(body["mode"].get<std::string>())
                 : std::nullopt;
    if (!m) return bad_request("mode must be one of ok, blackhole, error500, error429");
    s.current_mode = *m;
    s.changed();
    return admin_reply{json_response(200, {{"mode", to_string(*m)}})};
  }
  if (path == "/admin/latest-version" && req.method == "POST") {
    auto body = parse_bounded_json(req.body);
    if (!body.is_object()) return bad_request(R"(expected {"version": "x.y.z", "delay_ms": N})");
    if (auto v = body.find("version"); v != body.end()) {
      if (!v->is_string()) return bad_request("version must be a string");
      s.latest_version = v->get<std::string>();
    }
    if (auto d = body.find("delay_ms"); d != body.end()) {
      if (!d->is_number_integer() || d->get<long long>() < 0 || d->get<long long>() > 600000)
        return bad_request("delay_ms must be an integer in [0, 600000]");
      s.latest_version_delay_ms = d->get<int>();
    }
    return admin_reply{json_response(200, {{"version", s.latest_version}, {"delay_ms", s.latest_version_delay_ms}})};
  }
  return admin_reply{plain_response(404, "no such admin endpoint\n")};
}

}  // namespace mock_segment
