#include "cli/drainer_request.hpp"

#include <nlohmann/json.hpp>

#include "flowtrack/error.hpp"

namespace flowtrack::cli::detail {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

long long ms(milliseconds d) { return d.count(); }

}  // namespace

std::string serialize(const drainer_request& r) {
  const config& c = r.client;
  json j = {
      {"write_key", c.write_key},
      {"endpoint", c.endpoint},
      {"spool_dir", c.spool_dir.string()},
      {"state_dir", r.state_dir.string()},
      {"lifetime_ms", ms(r.lifetime)},
      {"batch_max_messages", c.batch_max_messages},
      {"batch_max_bytes", c.batch_max_bytes},
      {"max_in_flight", c.max_in_flight},
      {"gzip", c.gzip},
      {"default_context", c.default_context},
      {"spool_max_bytes", c.spool_max_bytes},
      {"spool_max_age_hours", c.spool_max_age.count()},
      {"timeouts", {{"resolve_ms", ms(c.timeouts.resolve)}, {"connect_ms", ms(c.timeouts.connect)},
                    {"tls_handshake_ms", ms(c.timeouts.tls_handshake)}, {"request_ms", ms(c.timeouts.request)}}},
      {"tls", {{"verify", c.tls.verify}, {"ca_file", c.tls.ca_file}, {"ca_dir", c.tls.ca_dir}}},
  };
  return j.dump();
}

std::error_code parse_drainer_request(std::string_view text, drainer_request& out) try {
  const json j = json::parse(text);
  drainer_request r;
  config& c = r.client;
  c.write_key = j.at("write_key").get<std::string>();
  c.endpoint = j.at("endpoint").get<std::string>();
  c.spool_dir = j.at("spool_dir").get<std::string>();
  r.state_dir = j.at("state_dir").get<std::string>();
  r.lifetime = milliseconds(j.at("lifetime_ms").get<long long>());
  c.batch_max_messages = j.at("batch_max_messages").get<std::size_t>();
  c.batch_max_bytes = j.at("batch_max_bytes").get<std::size_t>();
  c.max_in_flight = j.at("max_in_flight").get<std::size_t>();
  c.gzip = j.at("gzip").get<bool>();
  c.default_context = j.at("default_context");
  c.spool_max_bytes = j.at("spool_max_bytes").get<std::uint64_t>();
  c.spool_max_age = std::chrono::hours(j.at("spool_max_age_hours").get<long long>());
  const json& t = j.at("timeouts");
  c.timeouts.resolve = milliseconds(t.at("resolve_ms").get<long long>());
  c.timeouts.connect = milliseconds(t.at("connect_ms").get<long long>());
  c.timeouts.tls_handshake = milliseconds(t.at("tls_handshake_ms").get<long long>());
  c.timeouts.request = milliseconds(t.at("request_ms").get<long long>());
  const json& tls = j.at("tls");
  c.tls.verify = tls.at("verify").get<bool>();
  c.tls.ca_file = tls.at("ca_file").get<std::string>();
  c.tls.ca_dir = tls.at("ca_dir").get<std::string>();
  if (c.write_key.empty() || c.spool_dir.empty() || r.state_dir.empty() || !c.default_context.is_object() ||
      r.lifetime <= milliseconds(0) || r.lifetime > std::chrono::hours(24))
    return errc::invalid_config;
  out = std::move(r);
  return {};
} catch (const json::exception&) {
  return errc::invalid_config;
}

config drainer_client_config(const config& parent) {
  config c = parent;
  c.write_ahead = false;
  c.logger = nullptr;
  c.on_delivery = nullptr;
  // The drainer's close bounds every attempt: never fail a batch for want of attempts (a 500
  // storm would otherwise lose it); a permanent refusal (400, 413...) still fails at once.
  c.retry.max_attempts = 1 << 20;
  c.retry.total_budget = milliseconds(0);
  c.retry.base_delay = milliseconds(100);
  c.retry.max_delay = milliseconds(1000);
  // A black-holed request is abandoned and retried soon, so a recovered endpoint is noticed
  // within a few seconds (request + backoff).
  c.timeouts.request = std::min(c.timeouts.request, milliseconds(2500));
  c.timeouts.connect = std::min(c.timeouts.connect, milliseconds(2500));
  c.timeouts.tls_handshake = std::min(c.timeouts.tls_handshake, milliseconds(2500));
  return c;
}

}  // namespace flowtrack::cli::detail
