// The write key never leaks. Failing scenarios run with a distinctive key: a 401 from
// mock-segment, 500s until the retries are exhausted, nothing listening, an untrusted TLS
// certificate, a close deadline that forces a spool write, an unusable spool directory and a bad
// configuration. Everything produced about them is captured and searched for the key and its
// Basic-auth (base64) form: every log line of the client (all levels), every error code's
// message and name, the close report and counters, the error_class strings of flowtrack::cli,
// the CLI layer's DEBUG diagnostics and debug-printed events, the stdout and stderr of
// flowtrack-demo run with DEBUG=1 (and FLOWTRACK_TELEMETRY_DEBUG=1), and the name and content
// of every file left in the spool and state directories.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "flowtrack/cli/error_class.hpp"
#include "flowtrack/cli/telemetry.hpp"
#include "flowtrack/client.hpp"
#include "support/child_process.hpp"
#include "support/hostile_server.hpp"
#include "support/http_test_client.hpp"
#include "support/mock_process.hpp"
#include "support/temp_dir.hpp"
#include "unit/client/test_certificates.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

const std::string write_key = "wk_SECRET_7f3a9c";

// The key, its Basic-auth credentials ("key:" in base64) and the base64 of the key alone
// (the same first 20 characters).
std::vector<std::string> needles() {
  const std::string credentials = basic_auth(write_key).substr(std::string("Basic ").size());
  return {write_key, credentials, credentials.substr(0, 20)};
}

std::string describe(std::error_code ec) {
  std::ostringstream s;
  s << ec.category().name() << ':' << ec.value() << ' ' << ec.message() << " [" << cli::error_class(ec) << "] ["
    << cli::error_class(std::make_exception_ptr(std::system_error(ec, "during delivery"))) << "] "
    << std::system_error(ec).what();
  return s.str();
}

std::string describe(const close_report& r) {
  std::ostringstream s;
  s << "delivered=" << r.delivered << " failed=" << r.failed << " dropped=" << r.dropped << " pending=" << r.pending
    << " spooled=" << r.spooled << " deadline_reached=" << r.deadline_reached << " elapsed=" << r.elapsed.count()
    << " spool_error=" << describe(r.spool_error);
  return s.str();
}

std::string describe(const stats& st) {
  std::ostringstream s;
  s << "enqueued=" << st.enqueued << " delivered=" << st.delivered << " failed=" << st.failed
    << " dropped=" << st.dropped << " pending=" << st.pending << " spooled=" << st.spooled
    << " retries=" << st.retries << " requests=" << st.requests << " connections=" << st.connections;
  return s.str();
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint16_t closed_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();  // closed when `a` goes away: nothing listens there
}

class Secrets : public ::testing::Test {
 protected:
  // Everything captured, by source ("client/401 log"...), searched at the end of each test.
  void capture(const std::string& source, const std::string& text) { captured_.emplace_back(source, text); }

  // What was captured from `source` (ends the test when nothing was).
  std::string text_of(const std::string& source) const {
    for (const auto& [name, text] : captured_)
      if (name == source) return text;
    ADD_FAILURE() << "nothing captured from " << source;
    return {};
  }

  // True when what `source` captured contains `expected` (else says what it holds).
  testing::AssertionResult shows(const std::string& source, const std::string& expected) const {
    const std::string text = text_of(source);
    if (text.find(expected) != std::string::npos) return testing::AssertionSuccess();
    return testing::AssertionFailure() << source << " lacks \"" << expected << "\":\n" << text;
  }

  std::size_t captured_bytes(const std::string& source_prefix) const {
    std::size_t n = 0;
    for (const auto& [source, text] : captured_)
      if (source.starts_with(source_prefix)) n += text.size();
    return n;
  }

  // Every file below `dir`: its path (relative) and its bytes.
  void capture_tree(const std::string& source, const std::filesystem::path& dir) {
    std::error_code ec;
    std::string names;
    const std::string file_source = source + " file ";
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const auto relative = std::filesystem::relative(it->path(), dir).string();
      names += relative + '\n';
      if (it->is_regular_file()) capture(file_source + relative, read_file(it->path()));
    }
    capture(source + " listing", names);
  }

  void expect_no_secret() const {
    ASSERT_FALSE(captured_.empty());
    if (std::getenv("FLOWTRACK_SECRETS_SHOW"))  // to read what was searched
      for (const auto& [source, text] : captured_) std::cout << "== " << source << "\n" << text << "\n";
    for (const auto& needle : needles())
      for (const auto& [source, text] : captured_)
        EXPECT_EQ(text.find(needle), std::string::npos) << "\"" << needle << "\" found in " << source << ":\n" << text;
  }

  // One client run: three messages tracked, a flush when `flush`, then a close bounded by `close_timeout`.
  void run_client(const std::string& scenario, config cfg, std::chrono::milliseconds close_timeout, bool flush) {
    cfg.write_key = write_key;
    cfg.flush_interval = 1h;
    cfg.retry.base_delay = 5ms;
    cfg.retry.max_delay = 20ms;
    std::string log;
    cfg.logger = [&](log_level level, std::string_view line) {
      log += std::to_string(static_cast<int>(level)) + ' ' + std::string(line) + '\n';
    };
    std::string outcomes;
    cfg.on_delivery = [&](std::string_view id, std::error_code ec) {
      outcomes += std::string(id) + ' ' + describe(ec) + '\n';
    };
    asio::io_context io;
    client c{io, cfg};
    bool finished = false;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      track_message m;  // not designated: g++ 12 warns about the fields left out
      m.user_id = "u";
      m.event = "Secret Scenario";
      for (int i = 0; i < 3; ++i) EXPECT_FALSE(c.track(m));
      if (flush) capture("client/" + scenario + " flush", describe(co_await c.async_flush()));
      capture("client/" + scenario + " close report", describe(co_await c.async_close(close_timeout)));
      finished = true;
    }, [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
    io.run_for(30s);
    EXPECT_TRUE(finished) << scenario;
    capture("client/" + scenario + " log", log);
    capture("client/" + scenario + " deliveries", outcomes);
    capture("client/" + scenario + " stats", describe(c.statistics()));
    EXPECT_FALSE(log.empty()) << scenario << ": the logger captured nothing";
    if (flush) {
      EXPECT_FALSE(outcomes.empty()) << scenario << ": no delivery outcome";
    }
  }

  struct demo_run {
    int exit_code = 0;
    std::string out, err;
  };

  demo_run demo(const std::string& scenario, const std::string& endpoint, const std::filesystem::path& state,
                std::vector<std::string> args, const std::map<std::string, std::string>& extra_env = {}) {
    child_options o;
    o.env = {{"FLOWTRACK_ENDPOINT", endpoint},
             {"FLOWTRACK_WRITE_KEY", write_key},
             {"FLOWTRACK_STATE_DIR", state.string()},
             {"FLOWTRACK_CLOSE_TIMEOUT_MS", "500"},
             {"FLOWTRACK_UPDATE_URL", "off"},
             {"FLOWTRACK_NO_TELEMETRY_NOTICE", "1"},  // the first run sends (and prints its diagnostics)
             {"DEBUG", "1"}};
    o.unset_env = {"DO_NOT_TRACK", "FLOWTRACK_TELEMETRY_DISABLED", "FLOWTRACK_TELEMETRY_DEBUG", "CI"};
    for (const auto& [k, v] : extra_env) o.env[k] = v;
    std::string name = "demo/" + scenario;
    for (const auto& a : args) name += ' ' + a;
    args.insert(args.begin(), sibling_binary("flowtrack-demo"));
    child_process p(args, o);
    demo_run r{p.exit_code(), p.output(), p.errors()};
    capture(name + " stdout", r.out);
    capture(name + " stderr", r.err);
    return r;
  }

  temp_dir tmp_{"flowtrack-secrets"};
  std::vector<std::pair<std::string, std::string>> captured_;
};

TEST_F(Secrets, TheClientNeverLogsOrReportsTheWriteKey) {
  mock_process wrong_key({"--write-key", "some-other-key"});  // 401 for ours
  mock_process server_errors({"--mode", "error500"});
  mock_process black_hole({"--mode", "blackhole"});
  const auto pki = make_test_pki("secrets-server");
  const auto other_ca = make_test_pki("secrets-other");
  hostile_server tls{tls_server(misbehaviour::ok, pki.server_cert, pki.server_key)};

  config base;
  base.retry.max_attempts = 3;

  config unauthorized = base;
  unauthorized.endpoint = wrong_key.url();
  run_client("401", unauthorized, 2s, true);

  config exhausted = base;
  exhausted.endpoint = server_errors.url();
  run_client("500 until retries are exhausted", exhausted, 2s, true);

  config refused = base;
  refused.endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  run_client("connection refused", refused, 2s, true);

  config untrusted = base;
  untrusted.endpoint = tls.https_url();
  untrusted.tls.ca_file = other_ca.ca_cert.string();
  run_client("untrusted TLS certificate", untrusted, 2s, true);

  const auto spool = tmp_.path() / "spool";
  config spooled = base;
  spooled.endpoint = black_hole.url();
  spooled.spool_dir = spool;
  run_client("close deadline spools", spooled, 300ms, false);

  std::filesystem::create_directories(tmp_.path() / "not-a-dir");
  std::ofstream(tmp_.path() / "not-a-dir" / "file") << "x";
  config bad_spool = base;
  bad_spool.endpoint = black_hole.url();
  bad_spool.spool_dir = tmp_.path() / "not-a-dir" / "file" / "spool";
  run_client("unusable spool directory", bad_spool, 300ms, false);

  try {
    config bad = base;
    bad.write_key = write_key;
    bad.endpoint = "ftp://nowhere";
    asio::io_context io;
    client c{io, bad};
    ADD_FAILURE() << "an unusable endpoint was accepted";
  } catch (const std::system_error& e) {
    capture("client/invalid config", std::string(e.what()) + ' ' + describe(e.code()) + ' ' + cli::error_class(e));
  }

  capture_tree("client spool", spool);
  std::filesystem::remove_all(pki.dir);
  std::filesystem::remove_all(other_ca.dir);

  // The scenarios did fail as intended (else the search proves little).
  EXPECT_TRUE(shows("client/401 flush", "flowtrack:http_status"));
  EXPECT_TRUE(shows("client/500 until retries are exhausted flush", "flowtrack:retries_exhausted"));
  EXPECT_TRUE(shows("client/connection refused log", std::error_code(errc::connect_failed).message()));
  EXPECT_TRUE(shows("client/untrusted TLS certificate flush", "flowtrack:tls_handshake_failed"));
  EXPECT_TRUE(shows("client/close deadline spools close report", "spooled=3"));
  EXPECT_TRUE(shows("client/unusable spool directory close report", "flowtrack:spool_io"));
  EXPECT_GT(captured_bytes("client spool file"), 0u);  // a spool file was written and searched
  expect_no_secret();
}

TEST_F(Secrets, TheCliLayerNeverPrintsTheWriteKey) {
  mock_process wrong_key({"--write-key", "some-other-key"});
  const std::vector<std::pair<std::string, std::map<std::string, std::string>>> modes = {
      {"DEBUG", {{"DEBUG", "1"}}},
      {"DEBUG and TELEMETRY_DEBUG", {{"DEBUG", "1"}, {"SECRETS_CLI_TELEMETRY_DEBUG", "1"}}}};
  for (const auto& entry : modes) {
    const std::string& mode = entry.first;  // not a structured binding: the coroutine below captures it
    const auto& env = entry.second;
    std::ostringstream diagnostics;
    cli::telemetry_options o;
    o.app = {"secrets-cli", "1.0.0"};
    o.write_key = write_key;
    o.endpoint = wrong_key.url();
    o.state_dir = tmp_.path() / "cli-state";
    o.env = cli::fixed_environment(env);
    o.diagnostics = &diagnostics;
    o.client.retry.max_attempts = 2;
    o.notice.enabled = false;  // no first-run notice: this run sends
    asio::io_context io;
    auto t = cli::make_telemetry(io.get_executor(), o);
    capture("cli/" + mode + " state", std::string(cli::to_string(t->state())));
    capture("cli/" + mode + " base properties", t->base_properties().dump());
    capture("cli/" + mode + " track", describe(t->track("Secret Event", {{"step", "upload"}})));
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      capture("cli/" + mode + " close report", describe(co_await t->async_close(2s)));
    }, [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
    io.run_for(10s);
    capture("cli/" + mode + " diagnostics", diagnostics.str());
    EXPECT_FALSE(diagnostics.str().empty()) << mode;
  }
  for (auto code : {errc::http_status, errc::retries_exhausted, errc::tls_handshake_failed, errc::connect_failed,
                    errc::spool_io, errc::invalid_config, errc::deadline_reached})
    capture("cli/error_class", describe(code));
  capture_tree("cli state", tmp_.path() / "cli-state");
  EXPECT_GT(captured_bytes("cli/DEBUG diagnostics"), 0u);
  expect_no_secret();
}

TEST_F(Secrets, FlowtrackDemoNeverPrintsTheWriteKey) {
  mock_process wrong_key({"--write-key", "some-other-key"});
  mock_process server_errors({"--mode", "error500"});
  mock_process black_hole({"--mode", "blackhole"});
  const auto pki = make_test_pki("secrets-demo");
  hostile_server tls{tls_server(misbehaviour::ok, pki.server_cert, pki.server_key)};
  const std::vector<std::pair<std::string, std::string>> endpoints = {
      {"401", wrong_key.url()},
      {"500s", server_errors.url()},
      {"connection refused", "http://127.0.0.1:" + std::to_string(closed_port())},
      {"untrusted TLS certificate", tls.https_url()},
      {"close deadline spools", black_hole.url()},
  };
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    const auto& [scenario, url] = endpoints[i];
    const auto state = tmp_.path() / ("demo-" + std::to_string(i));
    demo(scenario, url, state, {"login", "--user", "ada"});
    demo(scenario, url, state, {"deploy", "web", "--fail-at", "upload", "--step-ms", "1"});
    demo(scenario, url, state, {"whoami"}, {{"FLOWTRACK_TELEMETRY_DEBUG", "1"}});
    demo(scenario, url, state, {"telemetry", "status"});
    capture_tree("demo/" + scenario + " state", state);
  }
  // The telemetry directory's spool is a file: the spool cannot be used.
  const auto state = tmp_.path() / "demo-bad-spool";
  std::filesystem::create_directories(state / "telemetry");
  std::ofstream(state / "telemetry" / "spool") << "x";
  demo("unusable spool directory", black_hole.url(), state, {"login", "--user", "ada"});
  capture_tree("demo/unusable spool directory state", state);
  std::filesystem::remove_all(pki.dir);

  EXPECT_TRUE(shows("demo/401 login --user ada stderr", "HTTP 401"));
  EXPECT_TRUE(shows("demo/500s login --user ada stderr", "HTTP 500"));
  EXPECT_TRUE(shows("demo/connection refused login --user ada stderr", std::error_code(errc::connect_failed).message()));
  EXPECT_TRUE(shows("demo/untrusted TLS certificate login --user ada stderr", std::error_code(errc::tls_handshake_failed).message()));
  EXPECT_TRUE(shows("demo/401 whoami stderr", R"("event":"Command Invoked")"));  // the debug-printed events
  EXPECT_TRUE(shows("demo/unusable spool directory login --user ada stderr", "spool directory unusable"));
  EXPECT_GT(captured_bytes("demo/close deadline spools state file telemetry/spool/"), 0u);
  expect_no_secret();
}

}  // namespace
}  // namespace flowtrack::test
