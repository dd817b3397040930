// flowtrack::client against servers that misbehave on purpose (tests/support/hostile_server):
// each case ends with a clear error code, within a time derived from the configured timeouts
// (measured, never slept), with the process's peak memory far below what the server offered.
//
// TLS certificates the client must refuse: an untrusted CA and a certificate that does not name
// the host are covered in tests/unit/client/client_tls_test.cpp; here: a self-signed and an
// expired certificate, a server that only speaks TLS 1.0/1.1, and plain HTTP and TLS swapped.
#include <gtest/gtest.h>

#include <openssl/conf.h>
#include <openssl/ssl.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ssl/stream.hpp>

#include "flowtrack/client.hpp"
#include "support/hostile_server.hpp"
#include "support/temp_dir.hpp"
#include "unit/client/test_certificates.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr long mib = 1024;  // peak RSS is counted in KiB

// The process's peak resident set size from now on: the kernel's high-water mark is reset
// first (/proc/self/clear_refs), so a peak left by an earlier test in the same process does not
// hide this one's. getrusage's ru_maxrss cannot be reset (it keeps the peak of threads that
// exited), so it is only the fallback where /proc cannot be written.
class peak_rss {
 public:
  peak_rss() {
    std::ofstream clear("/proc/self/clear_refs");
    reset_ = static_cast<bool>(clear << "5" << std::flush);
    start_ = kib();
  }
  /// Growth of the peak since construction, in KiB.
  long growth() const { return kib() - start_; }

 private:
  long kib() const {
    if (reset_) {
      std::ifstream status("/proc/self/status");
      for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
    }
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
  }

  bool reset_ = false;
  long start_ = 0;
};

// What one batch sent to a hostile server came to.
struct outcome {
  bool finished = false;
  std::error_code flushed;
  std::chrono::milliseconds elapsed{0};  ///< from the flush to its completion
  std::vector<std::error_code> deliveries;
  std::vector<diagnostics> causes;  ///< per delivery, from on_delivery
  diagnostics flush_cause;          ///< from async_flush(why)
  std::vector<std::string> log;     ///< printed when a case fails, never searched
  stats counters;
  close_report report;
};

// The cause of the one failed batch, the same through every channel.
void expect_cause(const outcome& out, const diagnostics& expected) {
  ASSERT_EQ(out.causes.size(), 1u) << testing::PrintToString(out.log);
  EXPECT_EQ(out.causes[0], expected) << out.causes[0].last_error.message() << ", HTTP " << out.causes[0].http_status
                                     << ", attempts " << out.causes[0].attempts << "\n"
                                     << testing::PrintToString(out.log);
  EXPECT_EQ(out.flush_cause, expected);
  EXPECT_EQ(out.report.last_failure_diagnostics, expected);
}

config hostile_config(std::string endpoint) {
  config c;
  c.write_key = "hostile-key";
  c.endpoint = std::move(endpoint);
  c.flush_interval = 1h;
  c.retry.max_attempts = 1;
  c.retry.base_delay = 1ms;
  c.retry.max_delay = 2ms;
  c.timeouts = {.resolve = 2s, .connect = 2s, .tls_handshake = 2s, .request = 3s};
  return c;
}

// Sends one message, flushes and closes; the io_context runs for a bound derived from the timeouts.
outcome send_one_batch(config cfg) {
  outcome out;
  cfg.logger = [&](log_level, std::string_view line) { out.log.emplace_back(line); };
  cfg.on_delivery = [&](std::string_view, std::error_code ec, const diagnostics& why) {
    out.deliveries.push_back(ec);
    out.causes.push_back(why);
  };
  const auto per_attempt = cfg.timeouts.resolve + cfg.timeouts.connect + cfg.timeouts.tls_handshake + cfg.timeouts.request;
  asio::io_context io;
  client c{io, cfg};
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    track_message m;  // not designated: g++ 12 warns about the fields left out
    m.user_id = "u";
    m.event = "Hostile";
    EXPECT_FALSE(c.track(m));
    const auto start = clock_type::now();
    out.flushed = co_await c.async_flush(out.flush_cause);
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
    out.report = co_await c.async_close(1s);
    out.finished = true;
  }, [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  io.run_for(per_attempt * cfg.retry.max_attempts + 5s);
  out.counters = c.statistics();
  return out;
}

// One failed batch: reported once, through every channel, with the same code.
void expect_failed_once(const outcome& out, std::error_code code) {
  ASSERT_TRUE(out.finished);
  EXPECT_EQ(out.flushed, code);
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(out.deliveries[0], code);
  EXPECT_EQ(out.counters.failed, 1u);
  EXPECT_EQ(out.counters.delivered, 0u);
  EXPECT_EQ(out.report.failed, 1u);
  EXPECT_EQ(out.report.last_failure, code);
  EXPECT_FALSE(out.report.deadline_reached);
}

// ---- Plain TCP: limits and the whole-request timeout ----

// A response that never ends (a 1 GiB Content-Length, an endless chunked body, endless header
// lines) is cut by the response limits, not by the timer, and the client does not buffer it.
struct oversized_response {
  misbehaviour behaviour;
  const char* name;
};

void PrintTo(const oversized_response& r, std::ostream* os) { *os << r.name; }

class OversizedResponse : public testing::TestWithParam<oversized_response> {};

TEST_P(OversizedResponse, StopsAtTheResponseLimit) {
  hostile_server server{plain_server(GetParam().behaviour)};
  const auto cfg = hostile_config(server.http_url());
  const peak_rss rss;
  const auto out = send_one_batch(cfg);
  const long rss_growth = rss.growth();

  expect_failed_once(out, errc::retries_exhausted);  // max_attempts = 1
  expect_cause(out, {.last_error = errc::bad_response, .http_status = 0, .attempts = 1});
  EXPECT_LT(out.elapsed, cfg.timeouts.request);  // the limit ended it, not the timer
  EXPECT_LT(rss_growth, 64 * mib) << "peak RSS grew by " << rss_growth << " KiB";

  ASSERT_TRUE(server.wait_until_finished(1, 10s));
  const auto conn = server.connections().at(0);
  EXPECT_TRUE(conn.request_received);
  EXPECT_TRUE(conn.peer_gone);  // the client closed the connection under the server's writes
  EXPECT_LT(conn.bytes_sent, 64u << 20);
  RecordProperty("elapsed_ms", static_cast<int>(out.elapsed.count()));
  RecordProperty("rss_growth_kib", static_cast<int>(rss_growth));
}

INSTANTIATE_TEST_SUITE_P(
    HostileServer, OversizedResponse,
    testing::Values(oversized_response{misbehaviour::huge_content_length, "GigabyteContentLength"},
                    oversized_response{misbehaviour::endless_chunked_body, "EndlessChunkedBody"},
                    oversized_response{misbehaviour::endless_headers, "EndlessHeaders"}),
    [](const testing::TestParamInfo<oversized_response>& info) { return std::string(info.param.name); });

TEST(HostileServer, SlowlorisTrickleIsCutByTheWholeRequestTimeout) {
  hostile_server server{plain_server(misbehaviour::trickle, 50ms)};
  auto cfg = hostile_config(server.http_url());
  cfg.timeouts.request = 1s;
  const auto margin = 500ms;  // connect on loopback, scheduling on a loaded machine, sanitizers
  const auto out = send_one_batch(cfg);

  expect_failed_once(out, errc::retries_exhausted);
  expect_cause(out, {.last_error = errc::request_timeout, .http_status = 0, .attempts = 1});
  EXPECT_GE(out.elapsed, cfg.timeouts.request);
  EXPECT_LT(out.elapsed, cfg.timeouts.request + margin);
  ASSERT_TRUE(server.wait_until_finished(1, 10s));
  const auto conn = server.connections().at(0);
  // Bytes kept arriving every 50 ms, so no per-read timeout would ever have fired.
  EXPECT_GE(conn.bytes_sent, 10u);
  EXPECT_TRUE(conn.peer_gone);
  RecordProperty("elapsed_ms", static_cast<int>(out.elapsed.count()));
}

// A client must accept 1xx responses before the final one even when it did not ask for them
// (RFC 9110, 15.2): they are not the answer to the request.
TEST(HostileServer, InterimResponsesBeforeTheFinalOneAreSkipped) {
  hostile_server server{plain_server(misbehaviour::interim_then_ok)};
  const auto out = send_one_batch(hostile_config(server.http_url()));
  ASSERT_TRUE(out.finished);
  EXPECT_FALSE(out.flushed) << out.flushed.message() << ' ' << testing::PrintToString(out.log);
  EXPECT_EQ(out.counters.delivered, 1u);
}

TEST(HostileServer, EndlessInterimResponsesAreCutByTheWholeRequestTimeout) {
  hostile_server server{plain_server(misbehaviour::endless_interim, 20ms)};
  auto cfg = hostile_config(server.http_url());
  cfg.timeouts.request = 1s;
  const auto out = send_one_batch(cfg);
  expect_failed_once(out, errc::retries_exhausted);
  expect_cause(out, {.last_error = errc::request_timeout, .http_status = 0, .attempts = 1});
  EXPECT_GE(out.elapsed, cfg.timeouts.request);
  EXPECT_LT(out.elapsed, cfg.timeouts.request + 500ms);
  ASSERT_TRUE(server.wait_until_finished(1, 10s));
  EXPECT_GE(server.connections().at(0).bytes_sent, 10 * std::string_view("HTTP/1.1 100 Continue\r\n\r\n").size());
}

// ---- TLS ----

struct pki_guard {
  test_pki pki;
  ~pki_guard() {
    std::error_code ignored;
    std::filesystem::remove_all(pki.dir, ignored);
  }
};

config tls_client_config(const hostile_server& server, const test_pki& trust) {
  auto cfg = hostile_config(server.https_url());
  cfg.tls.ca_file = trust.ca_cert.string();
  cfg.retry.max_attempts = 3;  // a refused handshake must not use them
  return cfg;
}

void expect_refused_handshake(const outcome& out, const hostile_server& server, const config& cfg) {
  expect_failed_once(out, errc::tls_handshake_failed);
  expect_cause(out, {.last_error = errc::tls_handshake_failed, .http_status = 0, .attempts = 1});
  EXPECT_EQ(out.counters.retries, 0u);
  EXPECT_EQ(out.counters.requests, 0u);  // no request was written to the peer
  EXPECT_LT(out.elapsed, cfg.timeouts.tls_handshake);
  ASSERT_TRUE(server.wait_until_finished(1, 10s));
  const auto conns = server.connections();
  EXPECT_EQ(conns.size(), 1u);  // not retried
  EXPECT_FALSE(conns.at(0).request_received);
}

TEST(HostileServer, SelfSignedCertificateIsRefusedAndNotRetried) {
  pki_guard g{make_test_pki("self-signed", "DNS:localhost,IP:127.0.0.1", leaf_kind::self_signed)};
  hostile_server server{tls_server(misbehaviour::ok, g.pki.server_cert, g.pki.server_key)};
  const auto cfg = tls_client_config(server, g.pki);
  const auto out = send_one_batch(cfg);
  expect_refused_handshake(out, server, cfg);
}

TEST(HostileServer, ExpiredCertificateIsRefusedAndNotRetried) {
  pki_guard g{make_test_pki("expired", "DNS:localhost,IP:127.0.0.1", leaf_kind::expired)};
  hostile_server server{tls_server(misbehaviour::ok, g.pki.server_cert, g.pki.server_key)};
  const auto cfg = tls_client_config(server, g.pki);
  const auto out = send_one_batch(cfg);
  expect_refused_handshake(out, server, cfg);
}

// With a spool, a refused certificate is kept for a later run (which may trust the server):
// spooled, not failed, and the cause is reported all the same.
TEST(HostileServer, ExpiredCertificateWithASpoolIsKeptNotFailed) {
  pki_guard g{make_test_pki("expired-spool", "DNS:localhost,IP:127.0.0.1", leaf_kind::expired)};
  hostile_server server{tls_server(misbehaviour::ok, g.pki.server_cert, g.pki.server_key)};
  const temp_dir spool{"flowtrack-hostile-spool"};
  auto cfg = tls_client_config(server, g.pki);
  cfg.spool_dir = spool.path();
  const auto out = send_one_batch(cfg);
  ASSERT_TRUE(out.finished);
  const diagnostics refused{.last_error = errc::tls_handshake_failed, .http_status = 0, .attempts = 1};
  EXPECT_EQ(out.flushed, errc::tls_handshake_failed);
  EXPECT_EQ(out.flush_cause, refused);
  EXPECT_TRUE(out.deliveries.empty());  // on_delivery is not called for what is spooled
  EXPECT_EQ(out.report.last_failure, errc::tls_handshake_failed);
  EXPECT_EQ(out.report.last_failure_diagnostics, refused);
  EXPECT_EQ(out.report.spooled, 1u);
  EXPECT_EQ(out.report.failed, 0u);
  EXPECT_EQ(out.counters.retries, 0u);
  EXPECT_EQ(out.counters.requests, 0u);  // nothing was written to the peer
}

TEST(HostileServer, ValidCertificateControlDelivers) {
  pki_guard g{make_test_pki("control")};
  hostile_server server{tls_server(misbehaviour::ok, g.pki.server_cert, g.pki.server_key)};
  const auto out = send_one_batch(tls_client_config(server, g.pki));
  ASSERT_TRUE(out.finished);
  EXPECT_FALSE(out.flushed);
  EXPECT_EQ(out.counters.delivered, 1u);
}

// While it lives, the process's default TLS policy is relaxed as an old or permissive system
// would have it (TLS 1.0 allowed, security level 0); the default configuration comes back after.
// Under it, only the client's own minimum of TLS 1.2 can refuse a downgrade: OpenSSL 3's
// defaults alone would refuse TLS 1.1 too, and hide a client that lost its minimum.
class legacy_system_tls_policy {
 public:
  legacy_system_tls_policy() {
    std::filesystem::create_directories(dir_.path());
    const auto file = dir_.path() / "openssl.cnf";
    std::ofstream(file) << "flowtrack_legacy = legacy_init\n[legacy_init]\nssl_conf = legacy_ssl\n"
                           "[legacy_ssl]\nsystem_default = legacy_default\n"
                           "[legacy_default]\nMinProtocol = TLSv1\nCipherString = DEFAULT@SECLEVEL=0\n";
    loaded_ = CONF_modules_load_file(file.c_str(), "flowtrack_legacy", 0) == 1;
  }
  ~legacy_system_tls_policy() {
    CONF_modules_unload(1);
    CONF_modules_load_file(nullptr, nullptr, CONF_MFLAGS_IGNORE_MISSING_FILE);
  }
  legacy_system_tls_policy(const legacy_system_tls_policy&) = delete;
  legacy_system_tls_policy& operator=(const legacy_system_tls_policy&) = delete;
  bool loaded() const noexcept { return loaded_; }

 private:
  temp_dir dir_{"flowtrack-legacy-tls"};
  bool loaded_ = false;
};

// A handshake with a client that allows TLS 1.0 and 1.1: the negotiated version, or "" on failure.
std::string legacy_handshake(std::uint16_t port) {
  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
  SSL_CTX_set_cipher_list(ctx.native_handle(), "DEFAULT@SECLEVEL=0");
  ctx.set_verify_mode(asio::ssl::verify_none);
  asio::ssl::stream<asio::ip::tcp::socket> stream(io, ctx);
  std::error_code ec;
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (!ec) stream.handshake(asio::ssl::stream_base::client, ec);
  return ec ? std::string() : std::string(SSL_get_version(stream.native_handle()));
}

TEST(HostileServer, TlsDowngradeToVersion1_1IsRefused) {
  pki_guard g{make_test_pki("downgrade")};
  auto options = tls_server(misbehaviour::ok, g.pki.server_cert, g.pki.server_key);
  options.tls->min_version = TLS1_VERSION;
  options.tls->max_version = TLS1_1_VERSION;
  options.tls->cipher_list = "DEFAULT@SECLEVEL=0";  // OpenSSL 3 offers TLS 1.0/1.1 only at security level 0
  hostile_server server{options};
  // Control: the server does speak TLS 1.1 to a client that accepts it.
  ASSERT_EQ(legacy_handshake(server.port()), "TLSv1.1");
  ASSERT_TRUE(server.wait_until_finished(1, 10s));

  const legacy_system_tls_policy policy;
  ASSERT_TRUE(policy.loaded());
  const auto cfg = tls_client_config(server, g.pki);
  const auto out = send_one_batch(cfg);
  expect_failed_once(out, errc::tls_handshake_failed);
  expect_cause(out, {.last_error = errc::tls_handshake_failed, .http_status = 0, .attempts = 1});
  EXPECT_EQ(out.counters.retries, 0u);
  EXPECT_EQ(out.counters.requests, 0u);
  EXPECT_LT(out.elapsed, cfg.timeouts.tls_handshake);
  ASSERT_TRUE(server.wait_until_finished(2, 10s));
  const auto conns = server.connections();
  ASSERT_EQ(conns.size(), 2u);  // the control, then one attempt: not retried
  EXPECT_FALSE(conns[1].handshake_done);
  EXPECT_FALSE(conns[1].handshake_error.empty());
  EXPECT_FALSE(conns[1].request_received);
}

TEST(HostileServer, PlainHttpServerOnAnHttpsEndpointFailsTheHandshake) {
  pki_guard g{make_test_pki("plain")};
  hostile_server server{plain_server(misbehaviour::plain_http_400)};
  auto cfg = hostile_config("https://localhost:" + std::to_string(server.port()));
  cfg.tls.ca_file = g.pki.ca_cert.string();
  cfg.retry.max_attempts = 3;
  const auto out = send_one_batch(cfg);

  expect_failed_once(out, errc::tls_handshake_failed);
  expect_cause(out, {.last_error = errc::tls_handshake_failed, .http_status = 0, .attempts = 1});
  EXPECT_EQ(out.counters.retries, 0u);
  EXPECT_LT(out.elapsed, cfg.timeouts.tls_handshake);
  ASSERT_TRUE(server.wait_until_finished(1, 10s));
  const auto conns = server.connections();
  ASSERT_EQ(conns.size(), 1u);
  ASSERT_GE(conns[0].first_bytes.size(), 3u);
  EXPECT_EQ(conns[0].first_bytes[0], '\x16');  // a TLS handshake record: the client spoke TLS
  EXPECT_GT(conns[0].bytes_sent, 0u);          // and got the plain-text 400 back
}

TEST(HostileServer, HttpsServerOnAnHttpEndpointFailsWithoutAResponse) {
  pki_guard g{make_test_pki("swapped")};
  hostile_server server{tls_server(misbehaviour::ok, g.pki.server_cert, g.pki.server_key)};
  const auto cfg = hostile_config(server.http_url());
  const auto out = send_one_batch(cfg);

  expect_failed_once(out, errc::retries_exhausted);
  ASSERT_EQ(out.causes.size(), 1u);
  EXPECT_TRUE(out.causes[0].last_error == errc::connection_closed || out.causes[0].last_error == errc::bad_response)
      << out.causes[0].last_error.message();
  EXPECT_EQ(out.causes[0].attempts, 1);
  EXPECT_EQ(out.causes[0].http_status, 0);
  EXPECT_EQ(out.flush_cause, out.causes[0]);  // the same cause through every channel
  EXPECT_EQ(out.report.last_failure_diagnostics, out.causes[0]);
  EXPECT_LT(out.elapsed, cfg.timeouts.request);  // the server's refusal ended it, not the timer
  ASSERT_TRUE(server.wait_until_finished(1, 10s));
  const auto conn = server.connections().at(0);
  EXPECT_FALSE(conn.handshake_done);
  EXPECT_FALSE(conn.handshake_error.empty());
  EXPECT_FALSE(conn.request_received);
}

}  // namespace
}  // namespace flowtrack::test
