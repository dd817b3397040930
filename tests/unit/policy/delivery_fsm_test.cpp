// Table tests of the per-batch delivery machine: each row steps one machine through a
// sequence of events and compares every action it returns (and its diagnostics at the end).
#include "policy/delivery_fsm.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "flowtrack/error.hpp"

namespace flowtrack::detail {

std::ostream& operator<<(std::ostream& os, const delivery_action& a) {
  os << to_string(a.type);
  if (a.type == delivery_action_type::wait) os << "(" << a.delay.count() << "ms)";
  if (a.cause) os << "(" << a.cause.message() << ")";
  return os;
}

namespace {

using namespace std::chrono_literals;
using time_point = std::chrono::steady_clock::time_point;

const retry_config no_jitter{.max_attempts = 4, .base_delay = 100ms, .max_delay = 1s, .jitter = 0.0,
                             .max_retry_after = 30s, .total_budget = 10s};

// The client's facts before a step.
struct facts {
  bool closing = false;
  bool aborting = false;
  bool spool = false;
};

struct step {
  delivery_outcome outcome;
  std::chrono::milliseconds at;  // virtual time of the step, from 0
  delivery_action expected;
  facts client{};
};

delivery_outcome start() { return {}; }
delivery_outcome status(int s) { return {.event = delivery_event::attempt_done, .http_status = s}; }
delivery_outcome status_retry_after(int s, std::chrono::milliseconds ra) {
  return {.event = delivery_event::attempt_done, .http_status = s, .retry_after = ra};
}
delivery_outcome error(errc e) { return {.event = delivery_event::attempt_done, .error = e}; }
delivery_outcome wait_over() { return {.event = delivery_event::wait_over}; }

struct row {
  std::string name;
  std::size_t messages;
  std::vector<step> steps;
  diagnostics final_diag;
};

const auto send = delivery_action::send();
const auto delivered = delivery_action::delivered();
const auto split = delivery_action::split();
const auto leave = delivery_action::leave_for_spool();
delivery_action wait(std::chrono::milliseconds d) { return delivery_action::wait(d); }
delivery_action failed(errc e) { return delivery_action::failed(e); }
delivery_action spool_now(errc e) { return delivery_action::spool_now(e); }

const std::error_code http_error = errc::http_status;

TEST(DeliveryFsm, Transitions) {
  const std::vector<row> rows = {
      {"delivered at once", 3, {{start(), 0ms, send}, {status(200), 5ms, delivered}}, {{}, 200, 1}},
      {"any 2xx is delivered", 1, {{start(), 0ms, send}, {status(204), 5ms, delivered}}, {{}, 204, 1}},
      {"5xx, backoff doubling, then delivered",
       2,
       {{start(), 0ms, send},
        {status(503), 1ms, wait(100ms)},
        {wait_over(), 101ms, send},
        {status(500), 102ms, wait(200ms)},
        {wait_over(), 302ms, send},
        {status(200), 303ms, delivered}},
       {{}, 200, 3}},
      {"Retry-After replaces the backoff",
       1,
       {{start(), 0ms, send}, {status_retry_after(429, 7s), 1ms, wait(7s)}, {wait_over(), 7001ms, send}},
       {http_error, 429, 1}},
      {"transport errors are retried, the cause kept",
       1,
       {{start(), 0ms, send},
        {error(errc::connect_failed), 1ms, wait(100ms)},
        {wait_over(), 101ms, send},
        {error(errc::request_timeout), 102ms, wait(200ms)}},
       {errc::request_timeout, 0, 2}},
      {"attempts run out",
       1,
       {{start(), 0ms, send},
        {status(503), 1ms, wait(100ms)},
        {wait_over(), 101ms, send},
        {status(503), 102ms, wait(200ms)},
        {wait_over(), 302ms, send},
        {status(503), 303ms, wait(400ms)},
        {wait_over(), 703ms, send},
        {error(errc::connection_closed), 704ms, failed(errc::retries_exhausted)}},
       {errc::connection_closed, 503, 4}},
      {"the time budget runs out before the attempts",
       1,
       {{start(), 0ms, send}, {status_retry_after(503, 20s), 1ms, failed(errc::retries_exhausted)}},
       {http_error, 503, 1}},
      {"413 of many is split", 8, {{start(), 0ms, send}, {status(413), 1ms, split}}, {http_error, 413, 1}},
      {"413 of one fails with the status",
       1,
       {{start(), 0ms, send}, {status(413), 1ms, failed(errc::http_status)}},
       {http_error, 413, 1}},
      {"400 of many is split", 2, {{start(), 0ms, send}, {status(400), 1ms, split}}, {http_error, 400, 1}},
      {"400 of one fails", 1, {{start(), 0ms, send}, {status(400), 1ms, failed(errc::http_status)}}, {http_error, 400, 1}},
      {"401 without a spool fails",
       5,
       {{start(), 0ms, send}, {status(401), 1ms, failed(errc::http_status)}},
       {http_error, 401, 1}},
      {"401 with a spool is spooled",
       5,
       {{start(), 0ms, send, {.spool = true}}, {status(401), 1ms, spool_now(errc::http_status), {.spool = true}}},
       {http_error, 401, 1}},
      {"403 with a spool is spooled",
       1,
       {{start(), 0ms, send, {.spool = true}}, {status(403), 1ms, spool_now(errc::http_status), {.spool = true}}},
       {http_error, 403, 1}},
      {"other permanent statuses fail even with a spool",
       2,
       {{start(), 0ms, send, {.spool = true}}, {status(501), 1ms, failed(errc::http_status), {.spool = true}}},
       {http_error, 501, 1}},
      {"TLS refused without a spool fails",
       1,
       {{start(), 0ms, send}, {error(errc::tls_handshake_failed), 1ms, failed(errc::tls_handshake_failed)}},
       {errc::tls_handshake_failed, 0, 1}},
      {"TLS refused with a spool is spooled",
       1,
       {{start(), 0ms, send, {.spool = true}},
        {error(errc::tls_handshake_failed), 1ms, spool_now(errc::tls_handshake_failed), {.spool = true}}},
       {errc::tls_handshake_failed, 0, 1}},
      {"closing, unreachable, spool: left for the spool",
       1,
       {{start(), 0ms, send, {.closing = true, .spool = true}},
        {error(errc::connect_failed), 1ms, leave, {.closing = true, .spool = true}}},
       {errc::connect_failed, 0, 1}},
      {"closing, unreachable, no spool: retried",
       1,
       {{start(), 0ms, send, {.closing = true}}, {error(errc::resolve_failed), 1ms, wait(100ms), {.closing = true}}},
       {errc::resolve_failed, 0, 1}},
      {"closing, reachable but failing: retried",
       1,
       {{start(), 0ms, send, {.closing = true, .spool = true}},
        {status(503), 1ms, wait(100ms), {.closing = true, .spool = true}}},
       {http_error, 503, 1}},
      {"close begins during the backoff of an unreachable server",
       1,
       {{start(), 0ms, send, {.spool = true}},
        {error(errc::connect_failed), 1ms, wait(100ms), {.spool = true}},
        {wait_over(), 50ms, leave, {.closing = true, .spool = true}}},
       {errc::connect_failed, 0, 1}},
      {"aborted during the backoff",
       1,
       {{start(), 0ms, send}, {status(500), 1ms, wait(100ms)}, {wait_over(), 20ms, leave, {.aborting = true}}},
       {http_error, 500, 1}},
      {"aborted attempt",
       1,
       {{start(), 0ms, send}, {error(errc::request_timeout), 1ms, leave, {.aborting = true}}},
       {errc::request_timeout, 0, 1}},
      {"a 2xx that arrives while aborting is still delivered",
       1,
       {{start(), 0ms, send}, {status(200), 1ms, delivered, {.aborting = true}}},
       {{}, 200, 1}},
      {"started while aborting: nothing is sent", 4, {{start(), 0ms, leave, {.aborting = true}}}, {}},
      {"misuse: wait_over while sending",
       1,
       {{start(), 0ms, send}, {wait_over(), 1ms, delivery_action::failed(std::make_error_code(std::errc::invalid_argument))}},
       {}},
      {"misuse: resumed after the end",
       1,
       {{start(), 0ms, send},
        {status(200), 1ms, delivered},
        {status(200), 2ms, delivery_action::failed(std::make_error_code(std::errc::invalid_argument))}},
       {{}, 200, 1}},
  };
  const time_point t0{};
  for (const auto& r : rows) {
    delivery_state st;
    st.retry = no_jitter;
    st.messages = r.messages;
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
      const auto& s = r.steps[i];
      st.closing = s.client.closing;
      st.aborting = s.client.aborting;
      st.spool_available = s.client.spool;
      EXPECT_EQ(resume(st, s.outcome, t0 + s.at), s.expected) << r.name << ", step " << i;
    }
    EXPECT_EQ(st.diag, r.final_diag) << r.name << ": attempts " << st.diag.attempts << ", status "
                                     << st.diag.http_status << ", error " << st.diag.last_error.message();
  }
}

TEST(DeliveryFsm, JitterComesFromTheOutcome) {
  delivery_state st;
  st.retry = no_jitter;
  st.retry.jitter = 1.0;
  ASSERT_EQ(resume(st, start(), {}), send);
  delivery_outcome o = status(503);
  o.random_bits = std::uint64_t{1} << 63;  // u = 0.5: half of the 100 ms
  EXPECT_EQ(resume(st, o, {}), wait(50ms));
}

TEST(DeliveryFsm, HalvesStartWithTheParentsDiagnosticsAndTheirOwnBudget) {
  delivery_state parent;
  parent.retry = no_jitter;
  parent.retry.max_attempts = 2;
  parent.messages = 4;
  const time_point t0{};
  ASSERT_EQ(resume(parent, start(), t0), send);
  ASSERT_EQ(resume(parent, status(413), t0 + 1ms), split);
  auto half = half_of(parent, 2);
  EXPECT_EQ(half.messages, 2u);
  EXPECT_EQ(half.diag.attempts, 1);
  ASSERT_EQ(resume(half, start(), t0 + 2ms), send);
  // Its own attempts count against max_attempts: one retry is still allowed.
  EXPECT_EQ(resume(half, status(503), t0 + 3ms), wait(100ms));
  EXPECT_EQ(resume(half, wait_over(), t0 + 103ms), send);
  EXPECT_EQ(resume(half, status(413), t0 + 104ms), split);
  EXPECT_EQ(half.diag.attempts, 3);
  auto quarter = half_of(half, 1);
  ASSERT_EQ(resume(quarter, start(), t0 + 105ms), send);
  EXPECT_EQ(resume(quarter, status(413), t0 + 106ms), failed(errc::http_status));
  EXPECT_EQ(quarter.diag, (diagnostics{http_error, 413, 4}));
}

}  // namespace
}  // namespace flowtrack::detail
