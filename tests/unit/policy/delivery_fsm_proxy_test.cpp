// Table tests of the delivery machine's answers to a proxy's refusals: which are configuration
// problems (spooled or failed, never retried), which are network failures (retried; at close
// with a spool, left for it), and that the proxy's status is kept in the diagnostics.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "flowtrack/error.hpp"
#include "policy/delivery_fsm.hpp"

namespace flowtrack::detail {
namespace {

using namespace std::chrono_literals;

struct row {
  std::string name;
  errc error;
  int proxy_status;
  bool spool;
  bool closing;
  delivery_action expected;
  diagnostics final_diag;
};

TEST(DeliveryFsmProxy, RefusalsAndUnreachableProxies) {
  const auto spool_now = [](errc e) { return delivery_action::spool_now(e); };
  const auto failed = [](errc e) { return delivery_action::failed(e); };
  const auto wait100 = delivery_action::wait(100ms);
  const std::vector<row> rows = {
      {"407 without a spool fails with its cause and status", errc::proxy_auth_required, 407, false, false,
       failed(errc::proxy_auth_required), {errc::proxy_auth_required, 407, 1}},
      {"407 with a spool is spooled", errc::proxy_auth_required, 407, true, false,
       spool_now(errc::proxy_auth_required), {errc::proxy_auth_required, 407, 1}},
      {"CONNECT forbidden (403) fails", errc::proxy_refused, 403, false, false, failed(errc::proxy_refused),
       {errc::proxy_refused, 403, 1}},
      {"CONNECT forbidden (403) with a spool is spooled", errc::proxy_refused, 403, true, false,
       spool_now(errc::proxy_refused), {errc::proxy_refused, 403, 1}},
      {"CONNECT 502 (the proxy cannot reach the server) is retried", errc::proxy_refused, 502, false, false,
       wait100, {errc::proxy_refused, 502, 1}},
      {"CONNECT 503 at close with a spool is left for it", errc::proxy_refused, 503, true, true,
       delivery_action::leave_for_spool(), {errc::proxy_refused, 503, 1}},
      {"an unreachable proxy is retried", errc::connect_failed, 0, false, false, wait100,
       {errc::connect_failed, 0, 1}},
      {"an unreachable proxy at close with a spool is left for it", errc::connect_failed, 0, true, true,
       delivery_action::leave_for_spool(), {errc::connect_failed, 0, 1}},
      {"an unusable proxy URL from the environment fails", errc::proxy_invalid, 0, false, false,
       failed(errc::proxy_invalid), {errc::proxy_invalid, 0, 1}},
      {"an unusable proxy URL with a spool is spooled", errc::proxy_invalid, 0, true, false,
       spool_now(errc::proxy_invalid), {errc::proxy_invalid, 0, 1}},
  };
  const std::chrono::steady_clock::time_point t0{};
  for (const auto& r : rows) {
    delivery_state st;
    st.retry = {.max_attempts = 4, .base_delay = 100ms, .max_delay = 1s, .jitter = 0.0, .total_budget = 10s};
    st.spool_available = r.spool;
    st.closing = r.closing;
    EXPECT_EQ(resume(st, {}, t0).type, delivery_action_type::send) << r.name;
    const delivery_outcome outcome{.event = delivery_event::attempt_done, .error = r.error, .http_status = r.proxy_status};
    const delivery_action got = resume(st, outcome, t0 + 1ms);
    EXPECT_TRUE(got == r.expected) << r.name << ": got " << to_string(got.type) << " " << got.cause.message();
    EXPECT_EQ(st.diag, r.final_diag) << r.name << ": status " << st.diag.http_status << ", error "
                                     << st.diag.last_error.message();
  }
}

// A proxy's status stays the diagnostics' last status after a later transport error, as a
// server's does (diagnostics::http_status: the last response received).
TEST(DeliveryFsmProxy, TheProxyStatusIsTheLastResponseReceived) {
  delivery_state st;
  st.retry = {.max_attempts = 4, .base_delay = 100ms, .max_delay = 1s, .jitter = 0.0, .total_budget = 10s};
  const std::chrono::steady_clock::time_point t0{};
  resume(st, {}, t0);
  resume(st, {.event = delivery_event::attempt_done, .error = errc::proxy_refused, .http_status = 504}, t0 + 1ms);
  resume(st, {.event = delivery_event::wait_over}, t0 + 101ms);
  resume(st, {.event = delivery_event::attempt_done, .error = errc::connect_timeout}, t0 + 102ms);
  EXPECT_EQ(st.diag, (diagnostics{errc::connect_timeout, 504, 2}));
}

}  // namespace
}  // namespace flowtrack::detail
