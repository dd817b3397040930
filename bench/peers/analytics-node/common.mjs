// Shared by the peer workloads: the benchmark event (the same shape as flowtrack-bench's
// command_completed in bench/bench_common.cpp), option parsing and the sink's admin API.

/** The W1 event: a `Command Completed` track with a user id and 8 properties. */
export function commandCompleted(i) {
  return {
    userId: `user-${i % 1000}`,
    event: 'Command Completed',
    properties: {
      command: 'deploy',
      succeeded: true,
      exit_code: 0,
      duration_ms: 1234,
      flags: '--verbose',
      sequence: i,
      ci: false,
      version: '1.2.3',
    },
  };
}

/** `--name value` pairs of argv into an object ({ name: value }); `--flag` alone gives true. */
export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) throw new Error(`unexpected argument ${argv[i]}`);
    const name = argv[i].slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[name] = true;
    else out[name] = argv[++i];
  }
  return out;
}

/** GET or POST on the sink's admin API (mock-segment); the parsed JSON answer. */
export async function admin(endpoint, path, method = 'GET', body = undefined) {
  // mock-segment refuses a state-changing admin request that is not JSON (a web page's form).
  const headers = method === 'GET' ? {} : { 'Content-Type': 'application/json' };
  const res = await fetch(endpoint + path, { method, body, headers });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
  const text = await res.text();
  return text ? JSON.parse(text) : {};
}
