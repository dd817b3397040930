#include "admin_api.hpp"

#include <ctime>

#include "ingest.hpp"
#include "live_page.hpp"

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
  auto body = nlohmann::json::parse(req.body, nullptr, false);
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

}  // namespace

std::optional<admin_reply> handle_admin(const http::request& req, store& s) {
  const std::string_view target = req.target;
  const auto qpos = target.find('?');
  const std::string_view path = target.substr(0, qpos);
  const std::string_view query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
  const bool get = req.method == "GET";

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
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    auto m = body.is_object() && body.contains("mode") && body["mode"].is_string()
                 ? parse_mode(body["mode"].get<std::string>())
                 : std::nullopt;
    if (!m) return bad_request("mode must be one of ok, blackhole, error500, error429");
    s.current_mode = *m;
    return admin_reply{json_response(200, {{"mode", to_string(*m)}})};
  }
  if (path == "/admin/latest-version" && req.method == "POST") {
    auto body = nlohmann::json::parse(req.body, nullptr, false);
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
