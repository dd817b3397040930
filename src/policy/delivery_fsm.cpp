#include "policy/delivery_fsm.hpp"

#include "flowtrack/error.hpp"
#include "policy/retry_policy.hpp"

namespace flowtrack::detail {
namespace {

// A refusal that says "not with this configuration" (write key, certificate), not "never".
bool configuration_refusal(int status) { return status == 401 || status == 403; }

// Refusals of the body that a smaller body may not draw.
bool body_refusal(int status) { return status == 413 || status == 400; }

// A proxy's refusal: its status is the cause's.
bool proxy_answer(std::error_code ec) { return ec == errc::proxy_auth_required || ec == errc::proxy_refused; }

// A transport error that says "not with this configuration" (certificate, proxy credentials,
// a proxy that forbids the tunnel, an unusable proxy URL); a proxy answering CONNECT with a
// retryable status (502, 503, 504...) could not reach the server: a network failure.
bool configuration_error(const delivery_outcome& o) {
  if (o.error == errc::proxy_refused) return classify_status(o.http_status) != status_class::retryable;
  return o.error == errc::tls_handshake_failed || o.error == errc::proxy_auth_required ||
         o.error == errc::proxy_invalid;
}

delivery_action finish(delivery_state& st, delivery_action a) {
  st.at = delivery_state::phase::done;
  return a;
}

delivery_action misuse(delivery_state& st) { return finish(st, delivery_action::failed(std::make_error_code(std::errc::invalid_argument))); }

// Closing with a spool and no server reachable: retrying would only spend the caller's close
// deadline; the batch stays unsettled and close() spools it for the next run.
bool give_way_to_the_spool(const delivery_state& st) {
  return st.aborting || (st.closing && st.spool_available && server_unreachable(st.diag.last_error));
}

delivery_action after_attempt(delivery_state& st, const delivery_outcome& o,
                              std::chrono::steady_clock::time_point now) {
  ++st.attempts;
  ++st.diag.attempts;
  st.diag.last_error = o.error;
  if (!o.error) {
    st.diag.http_status = o.http_status;
    switch (classify_status(o.http_status)) {
      case status_class::success:
        st.diag.last_error = {};
        return finish(st, delivery_action::delivered());
      case status_class::permanent:
        st.diag.last_error = errc::http_status;
        if (body_refusal(o.http_status) && st.messages > 1) return finish(st, delivery_action::split());
        if (configuration_refusal(o.http_status) && st.spool_available)
          return finish(st, delivery_action::spool_now(errc::http_status));
        return finish(st, delivery_action::failed(errc::http_status));
      case status_class::retryable:
        st.diag.last_error = errc::http_status;
        break;
    }
  } else {
    if (proxy_answer(o.error)) st.diag.http_status = o.http_status;
    if (configuration_error(o)) {
      if (st.spool_available) return finish(st, delivery_action::spool_now(o.error));
      return finish(st, delivery_action::failed(o.error));
    }
  }
  if (give_way_to_the_spool(st)) return finish(st, delivery_action::leave_for_spool());
  const auto delay = o.retry_after.value_or(backoff_delay(st.retry, st.attempts, o.random_bits));
  const retry_budget budget(st.retry, st.first_attempt);
  if (!budget.may_retry(st.attempts, now, delay)) return finish(st, delivery_action::failed(errc::retries_exhausted));
  st.at = delivery_state::phase::waiting;
  return delivery_action::wait(delay);
}

}  // namespace

bool server_unreachable(std::error_code ec) noexcept {
  // proxy_refused reaches the retry path only with a retryable status: the proxy could not
  // reach the server.
  return ec == errc::connect_failed || ec == errc::resolve_failed || ec == errc::proxy_refused;
}

const char* to_string(delivery_action_type t) noexcept {
  switch (t) {
    case delivery_action_type::send: return "send";
    case delivery_action_type::wait: return "wait";
    case delivery_action_type::split: return "split";
    case delivery_action_type::delivered: return "delivered";
    case delivery_action_type::failed: return "failed";
    case delivery_action_type::spool_now: return "spool_now";
    case delivery_action_type::leave_for_spool: return "leave_for_spool";
  }
  return "unknown";
}

delivery_action resume(delivery_state& st, const delivery_outcome& o, std::chrono::steady_clock::time_point now) {
  using phase = delivery_state::phase;
  switch (o.event) {
    case delivery_event::start:
      if (st.at != phase::idle) return misuse(st);
      st.first_attempt = now;
      if (st.aborting) return finish(st, delivery_action::leave_for_spool());
      st.at = phase::sending;
      return delivery_action::send();
    case delivery_event::attempt_done:
      if (st.at != phase::sending) return misuse(st);
      return after_attempt(st, o, now);
    case delivery_event::wait_over:
      if (st.at != phase::waiting) return misuse(st);
      if (give_way_to_the_spool(st)) return finish(st, delivery_action::leave_for_spool());
      st.at = phase::sending;
      return delivery_action::send();
  }
  return misuse(st);
}

delivery_state half_of(const delivery_state& parent, std::size_t messages) {
  delivery_state half;
  half.retry = parent.retry;
  half.messages = messages;
  half.closing = parent.closing;
  half.aborting = parent.aborting;
  half.spool_available = parent.spool_available;
  half.diag = parent.diag;
  return half;
}

}  // namespace flowtrack::detail
