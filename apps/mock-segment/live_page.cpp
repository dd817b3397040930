#include "live_page.hpp"

namespace mock_segment {

const std::string_view live_page_html = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mock-segment: live events</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.2em; }
  #status { color: #666; margin-bottom: .8em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border-bottom: 1px solid #ddd; padding: .3em .6em; text-align: left; white-space: nowrap; }
  th { background: #f4f4f4; position: sticky; top: 0; }
  td.fail { color: #b00; }
</style>
</head>
<body>
<h1>mock-segment: events received</h1>
<div id="status">loading…</div>
<table>
  <thead><tr>
    <th>#</th><th>type</th><th>event</th><th>userId / anonymousId</th><th>sequence</th><th>command</th>
    <th>succeeded</th><th>exit_code</th><th>duration_ms</th><th>error_class</th><th>receivedAt</th>
  </tr></thead>
  <tbody id="events"></tbody>
</table>
<script>
"use strict";
const columns = [
  (e, i) => i + 1,
  e => e.type,
  e => e.event,
  e => e.userId || e.anonymousId,
  e => prop(e, "sequence"),
  e => prop(e, "command"),
  e => prop(e, "succeeded"),
  e => prop(e, "exit_code"),
  e => prop(e, "duration_ms"),
  e => prop(e, "error_class"),
  e => e.receivedAt,
];
function prop(e, name) {
  return e.properties && e.properties[name] !== undefined ? e.properties[name] : "";
}
async function refresh() {
  try {
    const response = await fetch("/admin/events", {cache: "no-store"});
    const data = await response.json();
    const body = document.getElementById("events");
    const rows = data.events.map((e, i) => {
      const tr = document.createElement("tr");
      for (const column of columns) {
        const td = document.createElement("td");
        const value = column(e, i);
        td.textContent = value === undefined || value === null ? "" : String(value);
        if (value === false) td.className = "fail";
        tr.appendChild(td);
      }
      return tr;
    });
    body.replaceChildren(...rows);
    document.getElementById("status").textContent =
      data.events.length + " event(s), updated " + new Date().toLocaleTimeString();
  } catch (err) {
    document.getElementById("status").textContent = "cannot reach mock-segment: " + err;
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
)html";

}  // namespace mock_segment
