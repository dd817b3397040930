#include "live_page.hpp"

namespace mock_segment {

// One self-contained page: no CDN, no build step. Its only data source is GET /admin/summary,
// polled every second (with if_revision, so an unchanged server answers in a few bytes). Values
// are inserted as text nodes, never as HTML. The view, the filters and "open=all" live in the
// URL's hash (#view=funnels&command=deploy&window=900), so a view can be linked or loaded directly.
const std::string_view live_page_html = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mock-segment: live</title>
<style>
  :root { --fg: #1d2330; --muted: #687082; --line: #e3e6ec; --bg: #f6f7f9; --ok: #1a7f37; --ok-bg: #e6f4ea;
          --bad: #c62828; --bad-bg: #fdecea; --warn: #9a6700; --warn-bg: #fff4d6; --accent: #3557c6; --bar: #7d95e0; }
  * { box-sizing: border-box; }
  body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: var(--fg); background: var(--bg); }
  header { background: #fff; border-bottom: 1px solid var(--line); padding: 12px 24px 0; position: sticky; top: 0; z-index: 2; }
  h1 { font-size: 17px; margin: 0 16px 0 0; display: inline-block; }
  #status { color: var(--muted); display: inline-block; }
  #problem-badge { margin-left: 12px; }
  .bar-line { display: flex; align-items: flex-end; gap: 16px; margin-top: 10px; flex-wrap: wrap; }
  nav { display: flex; gap: 2px; }
  nav a { padding: 7px 14px; color: var(--muted); text-decoration: none; border-bottom: 3px solid transparent; font-weight: 500; }
  nav a.active { color: var(--accent); border-bottom-color: var(--accent); }
  nav a .count { font-weight: 400; color: var(--muted); margin-left: 4px; }
  .filters { margin-left: auto; display: flex; gap: 12px; padding-bottom: 8px; align-items: center; color: var(--muted); }
  select, button { font: inherit; padding: 3px 6px; border: 1px solid #c9ced8; border-radius: 4px; background: #fff; color: var(--fg); }
  button { cursor: pointer; }
  main { padding: 16px 24px 40px; }
  section[hidden] { display: none; }
  .note { color: var(--muted); margin: 0 0 10px; }
  .empty { color: var(--muted); padding: 24px; text-align: center; background: #fff; border: 1px dashed var(--line); border-radius: 6px; }
  .pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
  .pill.ok { color: var(--ok); background: var(--ok-bg); }
  .pill.bad { color: var(--bad); background: var(--bad-bg); }
  .pill.warn { color: var(--warn); background: var(--warn-bg); }
  .pill.muted { color: var(--muted); background: #eceef2; }
  .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
  .muted { color: var(--muted); }
  .toolbar { display: flex; gap: 8px; align-items: center; margin-bottom: 10px; }
  .toolbar .note { margin: 0 auto 0 0; }

  /* Invocations */
  details.inv { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin-bottom: 6px; }
  details.inv > summary { list-style: none; cursor: pointer; display: grid; align-items: center; gap: 12px; padding: 7px 12px;
                          grid-template-columns: 16px 100px 110px minmax(200px, 1.6fr) 80px 80px minmax(150px, 1fr) 90px; }
  details.inv > summary::-webkit-details-marker { display: none; }
  details.inv > summary::before { content: "▸"; color: var(--muted); }
  details.inv[open] > summary::before { content: "▾"; }
  details.inv[open] > summary { border-bottom: 1px solid var(--line); }
  .cmd { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .num { text-align: right; font-variant-numeric: tabular-nums; }
  .flags { display: flex; gap: 6px; flex-wrap: wrap; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; white-space: nowrap;
           overflow: hidden; text-overflow: ellipsis; }
  th { background: #fafbfc; font-weight: 600; color: #4a5160; font-size: 12.5px; }
  table.steps { table-layout: fixed; }
  table.steps td, table.steps th { font-size: 13px; }
  tr.missing td { color: var(--bad); background: var(--bad-bg); font-weight: 600; }
  td.fail { color: var(--bad); }
  td.ok { color: var(--ok); }
  td.back { color: var(--warn); font-weight: 600; }
  td.warn { color: var(--warn); }
  th.num { text-align: right; }

  /* Funnels */
  .flow { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px 14px; margin-bottom: 14px; }
  .flow h2 { font-size: 15px; margin: 0 0 2px; }
  .flow .note { margin-bottom: 10px; }
  .step-row { display: grid; grid-template-columns: 150px minmax(300px, 1fr) 380px; gap: 14px; align-items: center; margin: 5px 0; }
  .step-name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .step-name .order { color: var(--muted); font-weight: 400; margin-right: 6px; }
  .track { position: relative; height: 24px; background: #eef0f4; border-radius: 4px; overflow: hidden; }
  .track .fill { position: absolute; inset: 0 auto 0 0; background: var(--bar); }
  .step-row.done .track .fill { background: #57b36b; }
  .track .label { position: relative; padding: 0 8px; line-height: 24px; font-weight: 600; font-size: 12.5px; }
  .step-notes { display: flex; gap: 6px; flex-wrap: wrap; }

  /* Commands */
  table.commands td, table.commands th { padding: 8px 10px; }
  .rate { display: flex; align-items: center; gap: 8px; }
  .rate .track { width: 90px; height: 8px; }
  .rate .track .fill { background: #57b36b; }

  /* Raw events */
  table.raw { table-layout: fixed; font-size: 13px; }
  table.raw th, table.raw td { padding: 5px 6px; }
  table.raw td.fail, table.raw td.bad { color: var(--bad); }
</style>
</head>
<body>
<header>
  <div><h1>mock-segment</h1><span id="status">loading…</span><span id="problem-badge"></span></div>
  <div class="bar-line">
    <nav id="tabs">
      <a href="#" data-view="invocations">Invocations<span class="count" id="count-invocations"></span></a>
      <a href="#" data-view="funnels">Funnels<span class="count" id="count-funnels"></span></a>
      <a href="#" data-view="commands">Commands<span class="count" id="count-commands"></span></a>
      <a href="#" data-view="events">Events<span class="count" id="count-events"></span></a>
      <a href="#" data-view="rejected">Rejected<span class="count" id="count-rejected"></span></a>
    </nav>
    <div class="filters">
      <label>command <select id="filter-command"><option value="">all commands</option></select></label>
      <label>time <select id="filter-window">
        <option value="">all time</option>
        <option value="300">last 5 minutes</option>
        <option value="900">last 15 minutes</option>
        <option value="3600">last hour</option>
        <option value="86400">last 24 hours</option>
      </select></label>
    </div>
  </div>
</header>
<main>
  <section id="view-invocations"></section>
  <section id="view-funnels" hidden></section>
  <section id="view-commands" hidden></section>
  <section id="view-events" hidden></section>
  <section id="view-rejected" hidden></section>
</main>
<script>
"use strict";
const views = ["invocations", "funnels", "commands", "events", "rejected"];
const state = {view: "invocations", command: "", window: "", openAll: null, open: new Map(), data: null, busy: false};

// ---- helpers: every value goes in as text -----------------------------------------------------
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false || child === "") continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const pill = (kind, ...text) => el("span", {class: "pill " + kind}, ...text);
function plural(n, one, many) { return n + " " + (n === 1 ? one : (many || one + "s")); }
function clock(iso) {
  const m = /T(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(iso || "");
  return m ? m[1] : (iso || "");
}
function ms(v) {
  if (v === undefined || v === null) return "";
  return v >= 10000 ? (v / 1000).toFixed(1) + " s" : v + " ms";
}
function percent(part, whole) { return whole > 0 ? Math.round(100 * part / whole) : 0; }
function short(id, n) { return id && id.length > n ? id.slice(0, n) + "…" : (id || ""); }
function fill(fraction) {
  const f = el("div", {class: "fill"});
  f.style.width = Math.max(0, Math.min(100, 100 * fraction)) + "%";
  return f;
}
function outcomePill(row) {
  switch (row.outcome) {
    case "succeeded": return pill("ok", "✓ succeeded");
    case "failed": return pill("bad", "✗ failed", row.error_class ? " · " + row.error_class : "");
    case "cancelled": return pill("warn", "⊘ cancelled", row.error_class && row.error_class !== "cancelled" ? " · " + row.error_class : "");
    default: return pill("muted", row.id ? "no Command Completed" : "single event");
  }
}
function eventOutcome(e) {
  if (e.succeeded === true) return ["succeeded", "ok"];
  if (e.succeeded === false && (e.user_cancelled || e.error_class === "cancelled")) return ["cancelled", "warn"];
  if (e.succeeded === false) return ["failed", "fail"];
  if (e.outcome) return [e.outcome, e.outcome === "completed" ? "ok" : e.outcome === "cancelled" ? "warn" : "fail"];
  return ["", ""];
}

// ---- Invocations ------------------------------------------------------------------------------
function rowKey(row) { return row.id ? "id:" + row.id : "event:" + row.events[0].index; }
function isOpen(row) {
  const key = rowKey(row);
  if (state.open.has(key)) return state.open.get(key);
  if (state.openAll !== null) return state.openAll;
  return row.missing_count > 0;
}
function missingRows(from, to) {  // sequence numbers from..to (inclusive) did not arrive
  const rows = [];
  const cell = (text) => el("td", {colspan: 8}, text);
  if (to - from < 3) {
    for (let n = from; n <= to; ++n) rows.push(el("tr", {class: "missing"}, el("td", {class: "num"}, n), cell("missing — this event never arrived")));
  } else {
    rows.push(el("tr", {class: "missing"}, el("td", {class: "num"}, from + "–" + to),
                 cell("missing — " + (to - from + 1) + " events never arrived")));
  }
  return rows;
}
function invocationDetails(row) {
  const head = el("tr", {}, ["seq", "event", "flow · step", "direction", "outcome", "exit_code", "duration_ms",
                             "error_class", "time (UTC)"].map(h => el("th", {}, h)));
  const cols = el("colgroup", {}, [52, 170, 236, 90, 100, 92, 112, null, 120].map(w => {
    const c = el("col"); if (w) c.style.width = w + "px"; return c; }));
  const body = el("tbody");
  let expected = 1;
  for (const e of row.events) {
    if (row.id && e.sequence > expected) body.append(...missingRows(expected, e.sequence - 1));
    if (row.id && e.sequence >= expected) expected = e.sequence + 1;
    const [outcome, cls] = eventOutcome(e);
    const step = [e.flow, e.step].filter(Boolean).join(" · ");
    body.append(el("tr", {},
      el("td", {class: "num"}, e.sequence === undefined ? "—" : e.sequence),
      el("td", {title: e.event || e.type}, e.event || e.type),
      el("td", {title: step}, step, e.previous_step ? el("span", {class: "muted"}, " (from " + e.previous_step + ")") : ""),
      el("td", {class: e.direction === "back" ? "back" : ""}, e.direction === "back" ? "↩ back" : e.direction),
      el("td", {class: cls}, outcome),
      el("td", {class: "num"}, e.exit_code),
      el("td", {class: "num"}, e.duration_ms),
      el("td", {title: e.error_class}, e.error_class),
      el("td", {class: "mono", title: e.time}, clock(e.time))));
  }
  return el("table", {class: "steps"}, cols, el("thead", {}, head), body);
}
function invocationRow(row) {
  const first = row.events[0] || {};
  const flags = [];
  if (row.missing_count > 0) {
    const list = row.missing.slice(0, 5).join(", ") + (row.missing_count > 5 ? ", …" : "");
    flags.push(pill("bad", "missing " + row.missing_count + " (seq " + list + ")"));
  }
  if (row.duplicates > 0) flags.push(pill("muted", plural(row.duplicates, "replay") + " left out"));
  if (!row.id) flags.push(pill("muted", "own row: " + row.ungrouped_reason));
  const details = el("details", {class: "inv"},
    el("summary", {},
      el("span", {class: "mono", title: row.first_time}, clock(row.first_time)),
      el("span", {class: "cmd", title: row.command}, row.command || (row.id ? "(no command)" : first.event || first.type)),
      el("span", {}, outcomePill(row)),
      el("span", {class: "num"}, ms(row.duration_ms)),
      el("span", {class: "num muted"}, plural(row.events.length, "event")),
      el("span", {class: "flags"}, flags),
      el("span", {class: "mono muted", title: row.id || first.user}, row.id ? short(row.id, 8) : short(first.user, 8))),
    invocationDetails(row));
  if (isOpen(row)) details.open = true;
  details.addEventListener("toggle", () => state.open.set(rowKey(row), details.open));
  return details;
}
function renderInvocations(d) {
  const t = d.totals;
  const note = t.invocations_matched > t.invocations_shown
      ? "the latest " + t.invocations_shown + " of " + t.invocations_matched + " invocations, oldest first"
      : plural(t.invocations_matched, "invocation") + ", oldest first";
  const bar = el("div", {class: "toolbar"},
    el("p", {class: "note"}, note, t.ungrouped_matched ? " · " + t.ungrouped_matched + " without invocation_id/sequence, each on its own row" : "",
       " · events in sequence order; a gap is flagged “missing”"),
    el("button", {onclick: () => setOpen(true)}, "expand all"),
    el("button", {onclick: () => setOpen(false)}, "collapse all"));
  if (!d.invocations.length) return [bar, empty(d)];
  return [bar, d.invocations.map(invocationRow)];
}
function setOpen(all) {
  state.openAll = all;
  state.open.clear();
  render();
}

// ---- Funnels ----------------------------------------------------------------------------------
function funnel(f) {
  const n = f.sessions;
  const outcome = [plural(n, "session") + " started", f.completed + " completed"];
  if (f.failed) outcome.push(f.failed + " failed");
  if (f.cancelled) outcome.push(f.cancelled + " cancelled");
  if (f.unfinished) outcome.push(f.unfinished + " unfinished");
  outcome.push(plural(f.back_moves, "back move"));
  const rows = f.steps.map((s, i) => {
    const notes = [];
    if (s.drop_off) {
      const why = [];
      if (s.drop_off_failed) why.push(s.drop_off_failed + " failed");
      if (s.drop_off_cancelled) why.push(s.drop_off_cancelled + " cancelled");
      if (s.drop_off_unfinished) why.push(s.drop_off_unfinished + " unfinished");
      notes.push(pill("bad", "drop-off " + s.drop_off + " (" + why.join(", ") + ")"));
    }
    if (s.back_from) notes.push(pill("warn", "back moves " + s.back_from + " from here"));
    if (s.back_to) notes.push(pill("muted", "returned here " + s.back_to + "×"));
    if (s.repeats) notes.push(pill("muted", "repeated " + s.repeats + "×"));
    return el("div", {class: "step-row"},
      el("div", {class: "step-name", title: s.step}, el("span", {class: "order"}, s.order !== undefined ? s.order : i + 1), s.step),
      el("div", {class: "track"}, fill(n ? s.reached / n : 0),
         el("span", {class: "label"}, s.reached + " reached · " + percent(s.reached, n) + "%")),
      el("div", {class: "step-notes"}, notes));
  });
  rows.push(el("div", {class: "step-row done"},
    el("div", {class: "step-name"}, "completed"),
    el("div", {class: "track"}, fill(n ? f.completed / n : 0),
       el("span", {class: "label"}, f.completed + " completed · " + percent(f.completed, n) + "%")),
    el("div", {class: "step-notes"}, f.dropped_before_first_step
        ? pill("bad", "drop-off " + f.dropped_before_first_step + " before the first step") : "")));
  return el("div", {class: "flow"},
    el("h2", {}, f.flow || "(unnamed flow)"),
    el("p", {class: "note"}, outcome.join(" · "),
       f.ungrouped_events ? " · " + plural(f.ungrouped_events, "event") + " without invocation_id/sequence not counted" : ""),
    rows);
}
function renderFunnels(d) {
  const note = el("p", {class: "note"},
    "one bar per step in the catalog's order (step_order): sessions that reached it; drop-off counts the sessions " +
    "that did not complete, at the furthest step they reached");
  if (!d.flows.length) return [note, empty(d, "no Flow Started / Flow Step / Flow Completed events")];
  return [note, d.flows.map(funnel)];
}

// ---- Commands ---------------------------------------------------------------------------------
function renderCommands(d) {
  const note = el("p", {class: "note"},
    "success rate = succeeded / finished runs; p50 and p95 of duration_ms over finished runs (nearest rank)");
  if (!d.commands.length) return [note, empty(d, "no Command Invoked / Command Completed events")];
  const numeric = new Set(["runs", "succeeded", "failed", "cancelled", "no outcome", "p50", "p95"]);
  const head = el("tr", {}, ["command", "runs", "succeeded", "failed", "cancelled", "no outcome", "success rate",
                             "p50", "p95", "top error classes"].map(h => el("th", {class: numeric.has(h) ? "num" : null}, h)));
  const rows = d.commands.map(c => el("tr", {},
    el("td", {class: "cmd"}, c.command),
    el("td", {class: "num"}, c.runs),
    el("td", {class: "num ok"}, c.succeeded),
    el("td", {class: "num" + (c.failed ? " fail" : "")}, c.failed),
    el("td", {class: "num"}, c.cancelled),
    el("td", {class: "num muted"}, c.unknown),
    el("td", {}, c.success_rate === undefined ? el("span", {class: "muted"}, "—")
        : el("span", {class: "rate"}, el("span", {class: "track"}, fill(c.success_rate)), Math.round(100 * c.success_rate) + "%")),
    el("td", {class: "num"}, c.p50_ms === undefined ? "—" : ms(c.p50_ms)),
    el("td", {class: "num"}, c.p95_ms === undefined ? "—" : ms(c.p95_ms)),
    el("td", {}, c.error_classes.length ? el("span", {class: "flags"}, c.error_classes.map(e => pill("bad", e.error_class + " ×" + e.count)))
        : el("span", {class: "muted"}, "none"))));
  return [note, el("table", {class: "commands"}, el("thead", {}, head), el("tbody", {}, rows))];
}

// ---- Raw events -------------------------------------------------------------------------------
const rawColumns = [  // [heading, width px (null: the rest), value, class, title]: fits 1280 px
  ["#", 44, e => e.index, "num"],
  ["time (UTC)", 104, e => clock(e.time), "mono", e => e.time],
  ["event", 160, e => e.event || e.type],
  ["command", 92, e => e.command],
  ["seq", 48, e => e.sequence, "num"],
  ["flow · step", 136, e => [e.flow, e.step].filter(Boolean).join(" · ")],
  ["direction", 84, e => e.direction, e => e.direction === "back" ? "back" : ""],
  ["outcome", 90, e => eventOutcome(e)[0], e => eventOutcome(e)[1]],
  ["exit", 44, e => e.exit_code, "num"],
  ["duration_ms", 108, e => e.duration_ms, "num"],
  ["error_class", null, e => e.error_class],
  ["user", 82, e => short(e.user, 8), "mono", e => e.user],
  ["invocation", 94, e => short(e.invocation_id, 8), "mono", e => e.invocation_id],
];
function renderEvents(d) {
  const t = d.totals;
  const note = el("p", {class: "note"}, t.events_matched > t.events_shown
      ? "the latest " + t.events_shown + " of " + t.events_matched + " events, in arrival order"
      : plural(t.events_matched, "event") + " in arrival order");
  if (!d.events.length) return [note, empty(d)];
  const cols = el("colgroup", {}, rawColumns.map(([, w]) => { const c = el("col"); if (w) c.style.width = w + "px"; return c; }));
  const head = el("tr", {}, rawColumns.map(([h, , , cls]) => el("th", {class: cls === "num" ? "num" : null}, h)));
  const rows = d.events.map(e => el("tr", {}, rawColumns.map(([, , value, cls, extra]) => {
    const v = value(e);
    const className = typeof cls === "function" ? cls(e) : cls;
    const title = typeof extra === "function" ? extra(e) : (v === undefined ? "" : String(v));
    return el("td", {class: className, title: title || null}, v === undefined || v === null ? "" : String(v));
  })));
  return [note, el("table", {class: "raw", id: "events"}, cols, el("thead", {}, head), el("tbody", {}, rows))];
}

// ---- Rejected requests and messages, faults ---------------------------------------------------
function renderRejected(d) {
  const p = d.problems, out = [];
  const queued = d.faults.faults;
  out.push(el("p", {class: "note"}, "mode: ", d.faults.mode, " · ",
    queued.length ? plural(queued.length, "fault") + " queued: " + queued.map(f => JSON.stringify(f)).join(", ") : "no fault queued"));
  out.push(el("h3", {}, "requests refused, faulted or with rejected messages (" + p.requests_total + ")"));
  if (p.requests.length) {
    const head = el("tr", {}, ["request", "time (UTC)", "path", "status", "reason", "fault", "accepted", "rejected"].map(h => el("th", {}, h)));
    out.push(el("table", {}, el("thead", {}, head), el("tbody", {}, p.requests.map(r => el("tr", {},
      el("td", {class: "num"}, r.id), el("td", {class: "mono"}, clock(r.receivedAt)), el("td", {}, r.path),
      el("td", {class: "num" + (r.status !== 200 ? " fail" : "")}, r.status === 0 ? "no answer" : r.status),
      el("td", {}, r.reason), el("td", {class: "mono"}, r.fault ? JSON.stringify(r.fault) : ""),
      el("td", {class: "num"}, r.accepted), el("td", {class: "num" + (r.rejected ? " fail" : "")}, r.rejected))))));
  } else {
    out.push(el("div", {class: "empty"}, "every ingest request got 200 with all its messages accepted"));
  }
  out.push(el("h3", {}, "messages rejected (" + p.messages_total + ")"));
  if (p.messages.length) {
    const head = el("tr", {}, ["request", "type", "event", "reason"].map(h => el("th", {}, h)));
    out.push(el("table", {}, el("thead", {}, head), el("tbody", {}, p.messages.map(m => el("tr", {},
      el("td", {class: "num"}, m.requestId), el("td", {}, m.type), el("td", {}, m.event), el("td", {class: "fail"}, m.reason))))));
  } else {
    out.push(el("div", {class: "empty"}, "no message rejected"));
  }
  return out;
}

// ---- page -------------------------------------------------------------------------------------
function empty(d, what) {
  if (d.server.lean) return el("div", {class: "empty"}, "lean mode (--lean): events are counted, not kept; nothing to show");
  const filtered = state.command || state.window;
  return el("div", {class: "empty"}, filtered ? "nothing matches the filter" : (what || "no events yet"),
            " — send some to ", location.origin, "/v1/batch");
}
const renderers = {invocations: renderInvocations, funnels: renderFunnels, commands: renderCommands,
                   events: renderEvents, rejected: renderRejected};
function render() {
  const d = state.data;
  if (!d) return;
  for (const v of views) document.getElementById("view-" + v).replaceChildren(...[renderers[v](d)].flat(Infinity));
  const t = d.totals, p = d.problems;
  const counts = {invocations: t.invocations_matched, funnels: d.flows.length, commands: d.commands.length,
                  events: t.events_matched, rejected: p.requests_total + p.messages_total};
  for (const v of views) document.getElementById("count-" + v).textContent = counts[v];
  const select = document.getElementById("filter-command");
  const names = d.commands_seen.includes(state.command) || !state.command ? d.commands_seen : [...d.commands_seen, state.command];
  if (select.dataset.names !== JSON.stringify(names)) {  // rebuilt only when it changes: an open list stays open
    select.replaceChildren(el("option", {value: ""}, "all commands"), ...names.map(c => el("option", {value: c}, c)));
    select.dataset.names = JSON.stringify(names);
  }
  select.value = state.command;
  document.getElementById("problem-badge").replaceChildren(counts.rejected
      ? el("a", {href: "#view=rejected"}, pill("bad", plural(p.requests_total, "refused request") + ", " +
                                                   plural(p.messages_total, "rejected message")))
      : "");
}
function showView() {
  for (const v of views) document.getElementById("view-" + v).hidden = v !== state.view;
  for (const a of document.querySelectorAll("#tabs a")) a.classList.toggle("active", a.dataset.view === state.view);
}
function hashState() {
  const h = new URLSearchParams(location.hash.slice(1));
  const view = h.get("view");
  const next = {view: views.includes(view) ? view : "invocations", command: h.get("command") || "", window: h.get("window") || ""};
  if (h.get("open") === "all") state.openAll = true;
  return next;
}
function writeHash() {
  const h = new URLSearchParams();
  h.set("view", state.view);
  if (state.command) h.set("command", state.command);
  if (state.window) h.set("window", state.window);
  history.replaceState(null, "", "#" + h.toString());
}
function applyHash() {
  const next = hashState();
  const refetch = next.command !== state.command || next.window !== state.window;
  Object.assign(state, next);
  document.getElementById("filter-window").value = state.window;
  showView();
  if (refetch) { state.data = null; refresh(); } else render();
}
async function refresh() {
  if (state.busy) return;
  state.busy = true;
  try {
    const q = new URLSearchParams({limit: "100", events: "200"});
    if (state.command) q.set("command", state.command);
    if (state.window) q.set("window", state.window);
    else if (state.data) q.set("if_revision", String(state.data.revision));
    const response = await fetch("/admin/summary?" + q.toString(), {cache: "no-store"});
    if (!response.ok) throw new Error("HTTP " + response.status + ": " + (await response.text()).trim());
    const d = await response.json();
    if (!d.unchanged) { state.data = d; render(); }
    const s = state.data;
    document.getElementById("status").textContent =
        plural(s.totals.events, "event") + " kept" + (s.server.evicted ? " (" + s.server.evicted + " evicted)" : "") +
        " · updated " + clock(new Date().toISOString()).slice(0, 8) + " UTC" + (d.unchanged ? "" : " · summary in " + d.compute_ms.toFixed(1) + " ms");
  } catch (err) {
    document.getElementById("status").textContent = "cannot reach mock-segment: " + err.message;
  } finally {
    state.busy = false;
  }
}
for (const a of document.querySelectorAll("#tabs a")) {
  a.addEventListener("click", ev => { ev.preventDefault(); state.view = a.dataset.view; writeHash(); showView(); });
}
document.getElementById("filter-command").addEventListener("change", ev => {
  state.command = ev.target.value; writeHash(); state.data = null; refresh(); });
document.getElementById("filter-window").addEventListener("change", ev => {
  state.window = ev.target.value; writeHash(); state.data = null; refresh(); });
window.addEventListener("hashchange", applyHash);
Object.assign(state, hashState());
document.getElementById("filter-window").value = state.window;
showView();
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
)html";

}  // namespace mock_segment
