// TLS: verification against a CA made at test time, host name checks, and a clear error when
// the server's certificate is not trusted.
#include <gtest/gtest.h>

#include "client_test_support.hpp"
#include "flowtrack/client.hpp"
#include "support/temp_dir.hpp"
#include "test_certificates.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

config tls_config_for(const loopback_server& server, const test_pki& trust) {
  config c;
  c.write_key = "tls-key";
  c.endpoint = server.tls_url();
  c.flush_interval = 1h;
  c.retry.base_delay = 1ms;
  c.retry.max_delay = 2ms;
  c.tls.ca_file = trust.ca_cert.string();
  return c;
}

TEST(ClientTls, DeliversOverVerifiedTls) {
  detail::virtual_time clock;
  const auto pki = make_test_pki("good");
  loopback_server server{tls_identity{pki.server_cert.string(), pki.server_key.string()}};
  asio::io_context io;
  client c{io, tls_config_for(server, pki)};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.track({.user_id = "u", .event = "Over TLS"}));
    EXPECT_FALSE(co_await c.async_flush());
    EXPECT_FALSE(c.track({.user_id = "u", .event = "Same Connection"}));
    EXPECT_FALSE(co_await c.async_flush());
    co_await c.async_close(10s);
  }));
  auto messages = received_messages(server);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0]["event"], "Over TLS");
  EXPECT_EQ(server.connections(), 1u);  // keep-alive over TLS too
  EXPECT_EQ(server.requests()[0].request.header("Host"), "localhost:" + std::to_string(server.port()));
}

TEST(ClientTls, UntrustedCertificateFailsClearlyAndIsNotRetried) {
  detail::virtual_time clock;
  const auto server_pki = make_test_pki("server");
  const auto other_pki = make_test_pki("other");
  loopback_server server{tls_identity{server_pki.server_cert.string(), server_pki.server_key.string()}};
  asio::io_context io;
  std::vector<std::error_code> outcomes;
  auto cfg = tls_config_for(server, other_pki);
  cfg.on_delivery = [&](std::string_view, std::error_code ec) { outcomes.push_back(ec); };
  client c{io, cfg};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.track({.user_id = "u", .event = "Never Sent"}));
    EXPECT_EQ(co_await c.async_flush(), errc::tls_handshake_failed);
    co_await c.async_close(10s);
  }));
  EXPECT_TRUE(server.requests().empty());  // nothing was sent to an unverified peer
  EXPECT_EQ(server.connections(), 1u);     // and it was not retried
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0], errc::tls_handshake_failed);
}

// An untrusted certificate may be a configuration a later run no longer has: with a spool,
// the batch is kept (not sent) and the next run, trusting the server, delivers it.
TEST(ClientTls, UntrustedCertificateWithASpoolKeepsTheBatchForTheNextRun) {
  detail::virtual_time clock;
  const temp_dir spool{"flowtrack-tls-spool"};
  const auto server_pki = make_test_pki("spool-server");
  const auto other_pki = make_test_pki("spool-other");
  loopback_server server{tls_identity{server_pki.server_cert.string(), server_pki.server_key.string()}};
  {
    asio::io_context io;
    auto cfg = tls_config_for(server, other_pki);
    cfg.spool_dir = spool.path();
    client c{io, cfg};
    close_report report;
    diagnostics why;
    ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
      EXPECT_FALSE(c.track({.user_id = "u", .event = "Kept"}));
      EXPECT_EQ(co_await c.async_flush(why), errc::tls_handshake_failed);
      report = co_await c.async_close(10s);
    }));
    EXPECT_EQ(why, (diagnostics{errc::tls_handshake_failed, 0, 1}));
    EXPECT_EQ(report.spooled, 1u);
    EXPECT_EQ(report.failed, 0u);
    EXPECT_EQ(report.last_failure, errc::tls_handshake_failed);
    EXPECT_TRUE(server.requests().empty());
  }
  asio::io_context io;
  auto cfg = tls_config_for(server, server_pki);
  cfg.spool_dir = spool.path();
  client c{io, cfg};
  close_report report;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(10s); }));
  EXPECT_EQ(report.delivered, 1u);
  auto messages = received_messages(server);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]["event"], "Kept");
}

TEST(ClientTls, HostNameMustMatchTheCertificate) {
  detail::virtual_time clock;
  const auto pki = make_test_pki("name", "DNS:localhost");  // no IP address in its names
  loopback_server server{tls_identity{pki.server_cert.string(), pki.server_key.string()}};
  asio::io_context io;
  auto cfg = tls_config_for(server, pki);
  cfg.endpoint = "https://127.0.0.1:" + std::to_string(server.port());  // trusted CA, wrong name
  client c{io, cfg};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.track({.user_id = "u", .event = "E"}));
    EXPECT_EQ(co_await c.async_flush(), errc::tls_handshake_failed);
    co_await c.async_close(10s);
  }));
  EXPECT_TRUE(server.requests().empty());
}

}  // namespace
}  // namespace flowtrack::test
