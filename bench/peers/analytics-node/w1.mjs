// W1 throughput with @segment/analytics-node: track N events (bench/bench_common.cpp's
// command_completed shape) from one thread as fast as it can, closeAndFlush, then read the
// delivered count back from the sink. Prints one JSON object with the fields of
// `flowtrack-bench w1`.
//
//   node w1.mjs --endpoint http://127.0.0.1:PORT [--events 200000] [--write-key bench]
//
// Settings: the largest batch that works, flushAt 1000 events (about 478 KB of this event; the
// library's default is 15), against the sink's /v1/batch. Not 2500 (flowtrack's batch size, the
// API's count limit): the library's own 480 KB batch guard undercounts (it measures an event as
// the number of pieces of encodeURI(JSON) split on /%..|i/), so 2500 events make ~1.2 MB bodies
// that the API refuses with 413 and every event is lost. flushInterval, maxRetries,
// httpRequestTimeout: the library's defaults. closeAndFlush gets no timeout (it waits for every
// batch, like flowtrack-bench's 120 s close).
import { Analytics } from '@segment/analytics-node';

import { admin, commandCompleted, parseArgs } from './common.mjs';

const args = parseArgs(process.argv.slice(2));
const endpoint = args.endpoint;
if (!endpoint) {
  console.error('w1.mjs: --endpoint URL is required');
  process.exit(2);
}
const n = Number(args.events ?? 200000);
const writeKey = String(args['write-key'] ?? 'bench');
const settings = { writeKey, host: endpoint, path: '/v1/batch', flushAt: 1000 };

await admin(endpoint, '/admin/reset', 'POST');
const analytics = new Analytics(settings);
let failed = 0;
analytics.on('error', () => ++failed);

const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) analytics.track(commandCompleted(i));
await analytics.closeAndFlush();
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
const used = process.cpuUsage(cpu0);
const cpu = (used.user + used.system) / 1e6;

// The sink's count includes duplicates: when a response is not read within httpRequestTimeout
// (10 s; the event loop is busy with the backlog), the library aborts and resends a batch the
// sink already accepted (at N = 200000 on a loaded 2-core machine: 189 of 200 batches resent,
// all 200 OK). Unique deliveries: at most what the library acknowledged (N - failures).
const stats = await admin(endpoint, '/admin/stats');
const atSink = stats.events_accepted ?? 0;
const delivered = Math.min(atSink, n - failed);
console.log(
  JSON.stringify({
    workload: 'w1',
    client: 'analytics-node',
    events: n,
    threads: 1,
    gzip: false,
    wall_s: wall,
    cpu_s: cpu,
    peak_rss_mib: process.resourceUsage().maxRSS / 1024,
    delivered_at_sink: atSink,
    delivered_unique: delivered,
    duplicates_at_sink: atSink - delivered,
    events_per_s: delivered / wall,
    cpu_s_per_100k: (cpu / n) * 100000,
    failed_reported: failed,
    settings: { flushAt: settings.flushAt },
  }),
);
