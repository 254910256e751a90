import { DEFAULT_BUDGETS } from '@asyncguard/runtime';
import { ChaosProxy } from '@asyncguard/testkit';
import { SAMPLE_DOCUMENTS_DIR, type HealthResponse, type SearchResponse } from '../../examples/kb-shared/src/index.ts';
import { resolveRedis } from '../../examples/knowledge-base/src/redis/resolveRedis.ts';
import { startServiceProcess } from '../lib/startServiceProcess.ts';
import { latencyChart, type Sample } from './latencyChart.ts';
import { call, ms, postJson, say, step, width, type Timed } from './run.ts';

export interface StallSummary {
  redisKind: string;
  worstMs: number;
  boundMs: number;
  answered: number;
  asked: number;
  recoveredAfterMs: number | undefined;
}

const FACTS = [
  { text: 'Redis keeps the whole keyspace in memory and answers simple commands in microseconds.', metadata: { topic: 'redis' } },
  { text: 'A worker thread runs CPU-heavy chunking so the event loop keeps answering requests.', metadata: { topic: 'node' } },
  { text: 'Cosine similarity ranks the chunks whose embedding points the same way as the query.', metadata: { topic: 'search' } },
];

const brief = (body: unknown): string => {
  if (body !== null && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.message === 'string') return `"${b.message.length > 90 ? `${b.message.slice(0, 87)}…` : b.message}"`;
  }
  return '';
};

/** Steps 3 and 4: the modern service on its embedded Redis, then the same service during a Redis stall. */
export async function serviceUnderStall(root: string, kbMain: string, total: number): Promise<StallSummary> {
  step(3, total, 'Start knowledge-base and use it', 'Redis as the service finds it without REDIS_URL: a private redis-server if one is on PATH, else in-memory');
  const redis = await resolveRedis({ warn: (line) => say(`  ${line}`) });
  const upstream = new URL(redis.url);
  const proxy = new ChaosProxy({ upstream: { host: upstream.hostname, port: Number(upstream.port) } });
  await proxy.start();
  say(`  Redis: ${redis.kind} at ${redis.url}; the service reaches it through a chaos proxy at ${proxy.url} (for step 4)`);
  const service = await startServiceProcess('knowledge-base', kbMain, { REDIS_URL: proxy.url, DOCUMENTS_DIR: SAMPLE_DOCUMENTS_DIR }, root, 60_000);
  try {
    say(`  service listening on ${service.url}; waiting for its index (seed documents + stored facts)…`);
    const started = performance.now();
    for (;;) {
      const h = await call<HealthResponse>(`${service.url}/health`);
      if (h.body.index.state === 'ready') break;
      if (performance.now() - started > 30_000) throw new Error(`the index did not become ready: ${JSON.stringify(h.body)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    say(`  index ready after ${ms(performance.now() - started)}`);

    const ids: string[] = [];
    for (const fact of FACTS) {
      const res = await postJson<{ id: string }>(`${service.url}/facts`, fact);
      ids.push(res.body.id);
      say(`  POST /facts "${fact.text.slice(0, 48)}…" → ${res.status} in ${ms(res.ms)}, id ${res.body.id.slice(0, 8)}…`);
    }
    const read = await call<{ text: string }>(`${service.url}/facts/${ids[0] ?? ''}`);
    say(`  GET /facts/${(ids[0] ?? '').slice(0, 8)}… → ${read.status} in ${ms(read.ms)}: "${read.body.text.slice(0, 60)}…"`);
    for (const q of ['worker thread event loop', 'keyspace memory']) {
      const res = await call<SearchResponse>(`${service.url}/search?q=${encodeURIComponent(q)}&k=3`);
      const top = res.body.results[0];
      say(`  GET /search?q=${q} → ${res.status} in ${ms(res.ms)}, top hit (${top?.source ?? '-'}, score ${top?.score.toFixed(2) ?? '-'}): "${top?.text.slice(0, 60) ?? ''}…"`);
    }

    step(4, total, 'Stall Redis', 'the chaos proxy swallows every reply; every request must still answer within its budget');
    const bound = DEFAULT_BUDGETS.redis + 100;
    say(`  Redis budget ${DEFAULT_BUDGETS.redis} ms (DEFAULT_BUDGETS.redis): writes and reads should fail with 503 by ~${DEFAULT_BUDGETS.redis} ms; search and /health need no Redis`);
    // A probe reads one fact every PROBE_MS from a second before the stall until a second after the
    // recovery, without waiting for the previous read: its latencies are the chart under the table.
    const probe = startProbe(`${service.url}/facts/${ids[0] ?? ''}`);
    await new Promise((r) => setTimeout(r, 1000));
    const stalledAt = probe.now();
    proxy.addToxic({ type: 'timeout', timeout: 0, name: 'stall' });
    const results = await Promise.all([
      postJson(`${service.url}/facts`, { text: 'written during the stall' }).then((r) => ['POST /facts', r] as const),
      call(`${service.url}/facts/${ids[1] ?? ''}`).then((r) => ['GET /facts/:id', r] as const),
      call<SearchResponse>(`${service.url}/search?q=keyspace`).then((r) => ['GET /search', r] as const),
      call<HealthResponse>(`${service.url}/health`).then((r) => ['GET /health', r] as const),
    ]);
    let worst = 0;
    for (const [what, r] of results) {
      worst = Math.max(worst, r.ms);
      const extra =
        what === 'GET /search'
          ? `${(r.body as SearchResponse).results.length} results from the in-memory index, degraded: ${String((r.body as SearchResponse).degraded)}`
          : what === 'GET /health'
            ? `redis ${(r.body as HealthResponse).redis.status} (${(r.body as HealthResponse).redis.detail ?? ''}), index ${(r.body as HealthResponse).index.state}`
            : brief(r.body);
      say(`  ${what.padEnd(15)} → ${r.status} after ${ms(r.ms).padStart(7)}  ${r.ms <= bound ? 'within' : 'OVER'} ${bound} ms  ${extra}`);
    }

    const later = await call<HealthResponse>(`${service.url}/health`);
    say(`  GET /health again → ${later.status} after ${ms(later.ms)}: redis ${later.body.redis.status} (${later.body.redis.detail ?? ''})`);
    say('  releasing the stall; the manager replaces the stalled connection…');
    proxy.removeToxic('stall');
    const releasedAt = probe.now();
    const released = performance.now();
    let recoveredAfterMs: number | undefined;
    while (performance.now() - released < 20_000) {
      const r = await postJson(`${service.url}/facts`, { text: 'written after the stall' });
      if (r.status === 201) {
        recoveredAfterMs = performance.now() - released;
        break;
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    say(recoveredAfterMs === undefined ? '  writes did not recover within 20 s' : `  writes succeed again ${ms(recoveredAfterMs)} after the stall ended`);
    const recoveredAt = probe.now();
    await new Promise((r) => setTimeout(r, 1000));
    const samples = await probe.stop();
    const slowest = Math.max(...samples.map((x) => x.ms));
    say();
    say(`  GET /facts/:id over time: one read sent every ${PROBE_MS} ms, ${samples.length} reads, the slowest ${ms(slowest)}`);
    const events = [
      { at: stalledAt, label: 'Redis stalls' },
      { at: releasedAt, label: 'stall released' },
      ...(recoveredAfterMs === undefined ? [] : [{ at: recoveredAt, label: 'writes succeed again' }]),
    ];
    for (const line of latencyChart(samples, events, width() - 16)) say(`  ${line}`);
    say(`  No read outlasts its ${DEFAULT_BUDGETS.redis} ms budget (plus the HTTP round trip): the first reads of the stall wait it out, 503 (x);`);
    say('  once the manager has cut the stalled connection and its circuit breaker has opened (5 failures in a row),');
    say('  reads fail at once. The manager keeps PINGing Redis outside the breaker (every healthIntervalMs, 5 s);');
    say('  the first PING Redis answers moves the breaker to half-open, so calls reach Redis again within one');
    say('  health interval of the stall ending, without waiting out the breaker\'s own reset timeout.');
    return { redisKind: redis.kind, worstMs: worst, boundMs: bound, answered: results.length, asked: results.length, recoveredAfterMs };
  } finally {
    await service.stop();
    await proxy.stop();
    await redis.stop();
  }
}

const PROBE_MS = 100;

/** Sends GET `url` every PROBE_MS without waiting for the previous answer; stop() waits for all of them. */
function startProbe(url: string): { now(): number; stop(): Promise<Sample[]> } {
  const began = performance.now();
  const pending: Array<Promise<Sample>> = [];
  const send = (): void => {
    const at = performance.now() - began;
    pending.push(call(url).then((r: Timed<unknown>) => ({ at, ms: r.ms, status: r.status }), () => ({ at, ms: performance.now() - began - at, status: 0 })));
  };
  send();
  const timer = setInterval(send, PROBE_MS);
  return {
    now: () => performance.now() - began,
    async stop() {
      clearInterval(timer);
      return Promise.all(pending);
    },
  };
}
