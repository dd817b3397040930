// The client through an HTTP proxy (tests/support/test_proxy.hpp): a CONNECT tunnel to an https
// endpoint (TLS checked against the endpoint's host, with the test CA), absolute-form requests
// to an http one, the proxy variables and NO_PROXY, a 407 and a refused tunnel reported with
// their causes, an unreachable proxy spooled, an endpoint only the proxy can resolve, and the
// proxy's credentials in nothing the client says.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "flowtrack/client.hpp"
#include "support/temp_dir.hpp"
#include "support/test_proxy.hpp"
#include "unit/client/client_test_support.hpp"
#include "unit/client/test_certificates.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

// base64("ada:s3cret-proxy-pass")
const std::string good_authorization = "Basic YWRhOnMzY3JldC1wcm94eS1wYXNz";
const std::string good_userinfo = "ada:s3cret-proxy-pass";

// Sets (or unsets, with nullopt) environment variables for one test, and restores them.
class scoped_environment {
 public:
  explicit scoped_environment(const std::map<std::string, std::optional<std::string>>& vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
      set(name, value);
    }
  }
  ~scoped_environment() {
    for (const auto& [name, value] : saved_) set(name, value);
  }
  scoped_environment(const scoped_environment&) = delete;
  scoped_environment& operator=(const scoped_environment&) = delete;

 private:
  static void set(const std::string& name, const std::optional<std::string>& value) {
    if (value) ::setenv(name.c_str(), value->c_str(), 1);
    else ::unsetenv(name.c_str());
  }
  std::map<std::string, std::optional<std::string>> saved_;
};

// No proxy variable from the machine running the tests.
const std::map<std::string, std::optional<std::string>> no_proxy_variables = {
    {"https_proxy", std::nullopt}, {"HTTPS_PROXY", std::nullopt}, {"http_proxy", std::nullopt},
    {"HTTP_PROXY", std::nullopt},  {"no_proxy", std::nullopt},    {"NO_PROXY", std::nullopt}};

std::map<std::string, std::optional<std::string>> with(const std::map<std::string, std::optional<std::string>>& extra) {
  auto vars = no_proxy_variables;
  for (auto& [k, v] : extra) vars[k] = v;
  return vars;
}

// A port where nothing listens (bound, then closed).
std::uint16_t closed_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

config proxied(const std::string& endpoint, const std::string& proxy) {
  config c = unit_test_config(endpoint, "proxy-test-key");
  c.proxy = proxy;
  return c;
}

struct delivery_result {
  std::error_code flushed;
  diagnostics why;
  close_report report;
};

// Tracks one event, flushes (unless `flush` is false: then close() has it), closes.
delivery_result send_one(config cfg, const char* event = "Through The Proxy", bool flush = true) {
  asio::io_context io;
  client c{io, std::move(cfg)};
  delivery_result r;
  EXPECT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.track({.user_id = "u", .event = event}));
    if (flush) r.flushed = co_await c.async_flush(r.why);
    r.report = co_await c.async_close(10s);
  }));
  return r;
}

// No proxy variable from the machine (a test sets its own inside), virtual time, and on demand
// an https loopback server with a certificate from a test CA of its own.
class ClientProxy : public ::testing::Test {
 protected:
  /// Makes the test PKI (`name` names its files, `san` the names the certificate holds) and
  /// starts the https server presenting it.
  loopback_server& start_tls_server(const std::string& name, const std::string& san = "DNS:localhost,IP:127.0.0.1") {
    pki_.emplace(make_test_pki(name, san));
    return tls_server_.emplace(tls_identity{pki_->server_cert.string(), pki_->server_key.string()});
  }
  /// The test CA's certificate file, for config::tls.ca_file.
  std::string ca_file() const { return pki_->ca_cert.string(); }

  const scoped_environment env_{no_proxy_variables};
  detail::virtual_time clock_;
  std::optional<test_pki> pki_;
  std::optional<loopback_server> tls_server_;
};

TEST_F(ClientProxy, TunnelsToAnHttpsEndpointAndChecksItsCertificate) {
  loopback_server& server = start_tls_server("proxy-tls");
  test_proxy proxy;
  auto cfg = proxied(server.tls_url(), proxy.url());
  cfg.tls.ca_file = ca_file();
  asio::io_context io;
  client c{io, cfg};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.track({.user_id = "u", .event = "One"}));
    EXPECT_FALSE(co_await c.async_flush());
    EXPECT_FALSE(c.track({.user_id = "u", .event = "Two"}));
    EXPECT_FALSE(co_await c.async_flush());
    co_await c.async_close(10s);
  }));
  ASSERT_EQ(received_messages(server).size(), 2u);
  EXPECT_EQ(proxy.tunnels(), 1u);  // one tunnel, kept alive for both batches
  EXPECT_EQ(proxy.targets(), std::vector<std::string>{"localhost:" + std::to_string(server.port())});
  EXPECT_EQ(server.connections(), 1u);
  EXPECT_EQ(server.requests()[0].request.target, "/v1/batch");  // origin form inside the tunnel
}

TEST_F(ClientProxy, TheCertificateIsCheckedAgainstTheEndpointNotTheProxy) {
  loopback_server& server = start_tls_server("proxy-wrong-name", "DNS:somewhere-else.test");
  test_proxy proxy;
  auto cfg = proxied(server.tls_url(), proxy.url());
  cfg.tls.ca_file = ca_file();
  const auto r = send_one(cfg);
  EXPECT_EQ(r.flushed, errc::tls_handshake_failed);
  EXPECT_EQ(proxy.tunnels(), 1u);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(ClientProxy, AnEndpointOnlyTheProxyCanResolve) {
  const std::string host = "api.only-the-proxy.test";
  loopback_server& server = start_tls_server("proxy-only", "DNS:" + host);
  test_proxy proxy{{.hosts = {{host, "127.0.0.1"}}}};
  const std::string endpoint = "https://" + host + ":" + std::to_string(server.port());
  {  // directly, the name does not resolve
    auto cfg = proxied(endpoint, "direct");
    cfg.tls.ca_file = ca_file();
    cfg.retry.max_attempts = 1;
    EXPECT_EQ(send_one(cfg).why.last_error, errc::resolve_failed);
  }
  auto cfg = proxied(endpoint, proxy.url());
  cfg.tls.ca_file = ca_file();
  const auto r = send_one(cfg);
  EXPECT_FALSE(r.flushed) << r.flushed.message();
  EXPECT_EQ(r.report.delivered, 1u);
  EXPECT_EQ(proxy.targets(), std::vector<std::string>{host + ":" + std::to_string(server.port())});
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].request.header("Host"), host + ":" + std::to_string(server.port()));
}

TEST_F(ClientProxy, AbsoluteFormRequestsToAnHttpEndpoint) {
  loopback_server server;
  test_proxy proxy{{.required_authorization = good_authorization}};
  const auto r = send_one(proxied(server.url(), proxy.url(good_userinfo)));
  EXPECT_FALSE(r.flushed) << r.flushed.message();
  EXPECT_EQ(proxy.forwarded(), 1u);
  EXPECT_EQ(proxy.tunnels(), 0u);
  EXPECT_EQ(proxy.targets(), std::vector<std::string>{server.url() + "/v1/batch"});
  ASSERT_EQ(proxy.received().size(), 1u);
  EXPECT_EQ(proxy.received()[0].header("Proxy-Authorization"), good_authorization);
  ASSERT_EQ(server.requests().size(), 1u);
  const auto request = server.requests()[0].request;
  EXPECT_EQ(request.target, "/v1/batch");
  EXPECT_EQ(request.header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_FALSE(request.header("Authorization").empty());  // the write key reaches the server
  EXPECT_EQ(received_messages(server).size(), 1u);
}

TEST_F(ClientProxy, ProxyCredentialsOpenTheTunnel) {
  loopback_server& server = start_tls_server("proxy-auth");
  test_proxy proxy{{.required_authorization = good_authorization}};
  auto cfg = proxied(server.tls_url(), proxy.url(good_userinfo));
  cfg.tls.ca_file = ca_file();
  const auto r = send_one(cfg);
  EXPECT_FALSE(r.flushed) << r.flushed.message();
  EXPECT_EQ(proxy.tunnels(), 1u);
  EXPECT_EQ(received_messages(server).size(), 1u);
  EXPECT_TRUE(server.requests()[0].request.header("Proxy-Authorization").empty());  // the proxy's, not the server's
}

TEST_F(ClientProxy, A407IsReportedWithItsCauseAndStatusAndNotRetried) {
  loopback_server& tls_server = start_tls_server("proxy-407");
  loopback_server plain_server;
  for (const bool tls : {true, false}) {
    test_proxy proxy{{.required_authorization = good_authorization}};
    auto cfg = proxied(tls ? tls_server.tls_url() : plain_server.url(), proxy.url("ada:wrong"));
    cfg.tls.ca_file = ca_file();
    std::vector<std::error_code> outcomes;
    cfg.on_delivery = [&](std::string_view, std::error_code ec) { outcomes.push_back(ec); };
    const auto r = send_one(cfg);
    const char* mode = tls ? "CONNECT" : "absolute form";
    EXPECT_EQ(r.flushed, errc::proxy_auth_required) << mode;
    EXPECT_EQ(r.why, (diagnostics{errc::proxy_auth_required, 407, 1})) << mode << ": " << r.why.last_error.message();
    EXPECT_EQ(proxy.auth_refusals(), 1u) << mode;  // a configuration problem: not retried
    EXPECT_EQ(outcomes, std::vector<std::error_code>{errc::proxy_auth_required}) << mode;
  }
  EXPECT_TRUE(tls_server.requests().empty());
  EXPECT_TRUE(plain_server.requests().empty());
}

TEST_F(ClientProxy, A407WithASpoolIsKeptForTheNextRun) {
  const temp_dir spool{"flowtrack-proxy-407-spool"};
  loopback_server server;
  test_proxy proxy{{.required_authorization = good_authorization}};
  auto cfg = proxied(server.url(), proxy.url("ada:wrong"));
  cfg.spool_dir = spool.path();
  const auto first = send_one(cfg, "Kept");
  EXPECT_EQ(first.report.spooled, 1u);
  EXPECT_EQ(first.report.last_failure_diagnostics, (diagnostics{errc::proxy_auth_required, 407, 1}));
  cfg.proxy = proxy.url(good_userinfo);
  asio::io_context io;
  client c{io, cfg};
  close_report report;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(10s); }));
  EXPECT_EQ(report.delivered, 1u);
  ASSERT_EQ(received_messages(server).size(), 1u);
  EXPECT_EQ(received_messages(server)[0]["event"], "Kept");
}

TEST_F(ClientProxy, ARefusedTunnelIsReportedWithTheProxyStatus) {
  loopback_server& server = start_tls_server("proxy-403");
  test_proxy proxy{{.connect_status = 403}};
  auto cfg = proxied(server.tls_url(), proxy.url());
  cfg.tls.ca_file = ca_file();
  const auto r = send_one(cfg);
  EXPECT_EQ(r.flushed, errc::proxy_refused);
  EXPECT_EQ(r.why, (diagnostics{errc::proxy_refused, 403, 1}));
  EXPECT_EQ(server.connections(), 0u);
}

// A proxy that takes the CONNECT and never answers: the connect timeout bounds the exchange
// (it is part of opening the connection; like every per-phase I/O timeout it runs on the real
// clock, hence a short one), and the cause says so.
TEST_F(ClientProxy, AProxyThatNeverAnswersTheConnectTimesOutWithThatCause) {
  loopback_server& server = start_tls_server("proxy-silent");
  test_proxy proxy{{.answer_connect = false}};
  auto cfg = proxied(server.tls_url(), proxy.url());
  cfg.tls.ca_file = ca_file();
  cfg.timeouts.connect = 200ms;
  cfg.retry.max_attempts = 1;
  const auto r = send_one(cfg);
  EXPECT_EQ(r.why.last_error, errc::connect_timeout);
  EXPECT_EQ(r.why.attempts, 1);
  EXPECT_EQ(r.report.delivered, 0u);
  EXPECT_EQ(r.report.pending, 0u);  // resolved (failed with its cause), not left waiting
  EXPECT_EQ(proxy.tunnels(), 0u);
  EXPECT_EQ(server.connections(), 0u);
}

TEST_F(ClientProxy, AnUnreachableProxyIsSpooledThenDeliveredByTheNextClient) {
  const temp_dir spool{"flowtrack-proxy-spool"};
  loopback_server server;
  {
    auto cfg = proxied(server.url(), "http://" + good_userinfo + "@127.0.0.1:" + std::to_string(closed_port()));
    cfg.spool_dir = spool.path();
    const auto r = send_one(cfg, "Waited For The Proxy", false);  // offline: close spools at once
    EXPECT_EQ(r.report.spooled, 1u);
    EXPECT_EQ(r.report.failed, 0u);
    EXPECT_EQ(r.report.last_failure_diagnostics.last_error, errc::connect_failed);
    EXPECT_TRUE(server.requests().empty());
  }
  test_proxy proxy;
  auto cfg = proxied(server.url(), proxy.url());
  cfg.spool_dir = spool.path();
  asio::io_context io;
  client c{io, cfg};
  close_report report;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(10s); }));
  EXPECT_EQ(report.delivered, 1u);
  EXPECT_EQ(proxy.forwarded(), 1u);
  ASSERT_EQ(received_messages(server).size(), 1u);
  EXPECT_EQ(received_messages(server)[0]["event"], "Waited For The Proxy");
}

TEST_F(ClientProxy, TheEnvironmentNamesTheProxyAndNoProxyBypassesIt) {
  loopback_server server;
  test_proxy proxy;
  {
    const scoped_environment env{with({{"HTTP_PROXY", proxy.url()}})};
    EXPECT_FALSE(send_one(unit_test_config(server.url())).flushed);
    EXPECT_EQ(proxy.forwarded(), 1u);
  }
  {
    const scoped_environment env{with({{"http_proxy", proxy.url()}, {"NO_PROXY", "example.com, 127.0.0.0/8"}})};
    EXPECT_FALSE(send_one(unit_test_config(server.url())).flushed);
    EXPECT_EQ(proxy.forwarded(), 1u);  // not through the proxy
  }
  {
    const scoped_environment env{with({{"http_proxy", proxy.url()}})};
    auto cfg = unit_test_config(server.url());
    cfg.proxy = "direct";  // the program turns proxying off
    EXPECT_FALSE(send_one(cfg).flushed);
    EXPECT_EQ(proxy.forwarded(), 1u);
  }
  {
    const scoped_environment env{with({{"HTTPS_PROXY", proxy.url()}})};  // an http endpoint: not this one
    EXPECT_FALSE(send_one(unit_test_config(server.url())).flushed);
    EXPECT_EQ(proxy.forwarded(), 1u);
  }
  EXPECT_EQ(received_messages(server).size(), 4u);
}

TEST_F(ClientProxy, AnUnusableProxyFromTheEnvironmentFailsEachAttempt) {
  loopback_server server;
  const scoped_environment env{with({{"HTTP_PROXY", "socks5://" + good_userinfo + "@127.0.0.1:1080"}})};
  const auto r = send_one(unit_test_config(server.url()));
  EXPECT_EQ(r.flushed, errc::proxy_invalid);
  EXPECT_EQ(r.why.last_error, errc::proxy_invalid);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(ClientProxy, ABadConfiguredProxyIsRefusedAtConstructionWithoutShowingIt) {
  auto cfg = unit_test_config("http://127.0.0.1:9");
  cfg.proxy = "https://" + good_userinfo + "@proxy:443";
  try {
    validate_config(cfg);
    ADD_FAILURE() << "accepted";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), errc::invalid_config);
    EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
  }
}

// Everything the client says (log lines at every level, delivery callbacks, reports,
// diagnostics) in runs that succeed, are refused (407) and cannot reach the proxy.
TEST_F(ClientProxy, TheCredentialsAppearInNothingTheClientSays) {
  loopback_server& tls_server = start_tls_server("proxy-secrets");
  loopback_server plain_server;
  test_proxy strict{{.required_authorization = good_authorization}};
  std::vector<std::string> said;
  auto record = [&](config cfg) {
    cfg.tls.ca_file = ca_file();
    cfg.logger = [&](log_level, std::string_view line) { said.emplace_back(line); };
    cfg.on_delivery = [&](std::string_view, std::error_code ec, const diagnostics& why) {
      said.push_back(ec.message());
      said.push_back(why.last_error.message());
    };
    const auto r = send_one(std::move(cfg));
    said.push_back(r.flushed.message());
    said.push_back(r.why.last_error.message());
    said.push_back(r.report.last_failure.message());
    said.push_back(r.report.last_failure_diagnostics.last_error.message());
  };
  const std::string wrong = "ada:s3cret-wrong-pass";
  const std::string unreachable = "http://" + good_userinfo + "@127.0.0.1:" + std::to_string(closed_port());
  record(proxied(tls_server.tls_url(), strict.url(good_userinfo)));
  record(proxied(plain_server.url(), strict.url(good_userinfo)));
  record(proxied(tls_server.tls_url(), strict.url(wrong)));
  record(proxied(plain_server.url(), strict.url(wrong)));
  auto offline = proxied(plain_server.url(), unreachable);
  offline.retry.max_attempts = 2;
  record(offline);
  {
    const scoped_environment env{with({{"HTTPS_PROXY", strict.url(wrong)}})};
    record(unit_test_config(tls_server.tls_url()));
  }
  ASSERT_EQ(strict.tunnels(), 1u);  // the runs happened as meant
  ASSERT_GE(strict.auth_refusals(), 3u);
  ASSERT_FALSE(said.empty());
  bool route_logged = false;
  for (const auto& line : said) {
    for (const std::string secret : {"s3cret", "YWRhOnMzY3JldC", "ada:"})
      EXPECT_EQ(line.find(secret), std::string::npos) << "'" << secret << "' in: " << line;
    if (line.find("via http://127.0.0.1:" + std::to_string(strict.port())) != std::string::npos) route_logged = true;
  }
  EXPECT_TRUE(route_logged);  // the proxy itself is named, without its credentials
}

}  // namespace
}  // namespace flowtrack::test
