// W2 with @segment/analytics-node: a minimal CLI command ("whoami") that sends
// `Command Invoked` and `Command Completed`, prints its answer, then closeAndFlush with the same
// deadline as flowtrack-demo and exits. Configured by flowtrack-demo's variables, so
// `flowtrack-bench w2 -- node w2.mjs` runs it exactly as it runs the demo:
//   FLOWTRACK_ENDPOINT, FLOWTRACK_WRITE_KEY   where events go (no key: no client)
//   FLOWTRACK_TELEMETRY_DISABLED=1, DO_NOT_TRACK=1   the client is never created
//   FLOWTRACK_CLOSE_TIMEOUT_MS                the close deadline (3000, flowtrack-demo's default)
// The library's defaults otherwise (flushAt 15, flushInterval 10 s, maxRetries 10, httpRequestTimeout 10 s). It has no
// spool: what misses the deadline is lost. process.exit() after the close: without it Node
// keeps running until the aborted batch's retries give up.
import { randomUUID } from 'node:crypto';
import os from 'node:os';

import { Analytics } from '@segment/analytics-node';

const env = process.env;
const on = (v) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
const disabled = on(env.DO_NOT_TRACK) || on(env.FLOWTRACK_TELEMETRY_DISABLED) || !env.FLOWTRACK_WRITE_KEY;
const deadline = Number(env.FLOWTRACK_CLOSE_TIMEOUT_MS ?? 3000);

const analytics = disabled
  ? null
  : new Analytics({ writeKey: env.FLOWTRACK_WRITE_KEY, host: env.FLOWTRACK_ENDPOINT ?? 'https://api.segment.io' });
const anonymousId = randomUUID();
const base = { app: 'w2-peer', invocation_id: randomUUID(), os: os.platform(), arch: os.arch() };
let sequence = 0;
const track = (event, properties) =>
  analytics?.track({ anonymousId, event, properties: { ...properties, ...base, sequence: ++sequence } });

track('Command Invoked', { command: 'whoami', flags: [] });
const start = performance.now();
console.log('bench');
const exitCode = 0;
track('Command Completed', {
  command: 'whoami',
  succeeded: true,
  exit_code: exitCode,
  duration_ms: Math.round(performance.now() - start),
});
if (analytics) await analytics.closeAndFlush({ timeout: deadline });
process.exit(exitCode);
