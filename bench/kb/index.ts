/**
 * The before/after table of the async patterns guide, measured: the legacy knowledge-base
 * (blocking) against the asyncguard one, side by side against a real redis-server this bench
 * starts, with autocannon.
 *
 * Phases, each on a fresh service process behind its own chaos proxy, over a flushed Redis:
 * - mixed:    10 connections cycling stores (POST /facts), reads (GET /facts/:id) and searches;
 * - indexing: the same load while large indexing jobs (POST /documents naming 120 files of
 *             2,500 words) run back to back, plus one connection polling GET /health;
 * - stall:    the same load while the proxy swallows every Redis reply (a stalled Redis).
 * Rounds interleave the services (rotated order); the table shows medians over rounds.
 *
 * Floors (issue #9): under indexing the modern service serves >= 20x the legacy throughput;
 * its /health p99 stays under 50 ms while indexing; under a Redis stall every request answers
 * (degraded or error) within its budget + 100 ms (the smallest budget, Redis 2000 ms, bounds all).
 * Issue #19: under indexing the modern service indexes at >= 50% of the chunks/s of the legacy
 * one (which, blocked, does nothing else) while it keeps serving.
 *
 *   pnpm bench kb [--rounds 3] [--seconds 6] [--phase mixed|indexing|stall] [--kb-threads n]
 *
 * `--kb-threads` sets the knowledge-base's indexing worker threads (INDEXING_THREADS; default: one per core, at most 4).
 */
import { mkdtemp, rm, writeFile, copyFile, readdir } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon, { type Request, type Result } from 'autocannon';
import { Redis } from 'ioredis';
import { ChaosProxy, startRedisServer } from '@asyncguard/testkit';
import { DEFAULT_BUDGETS } from '@asyncguard/runtime';
import { SAMPLE_DOCUMENTS_DIR, syntheticCorpus, TOPICS } from '@asyncguard-examples/kb-shared';
import { startServiceProcess, type ServiceProcess } from '../../scripts/lib/startServiceProcess.ts';
import { fmt, median, table } from './stats.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const ROUNDS = arg('rounds', 3);
const SECONDS = arg('seconds', 6);
const CONNECTIONS = 10;
const BULK_FILES = arg('bulk-files', 120);
const BULK_WORDS = arg('bulk-words', 2500);
const STALL_BOUND_MS = DEFAULT_BUDGETS.redis + 100;
const KB_THREADS = process.argv.includes('--kb-threads') ? arg('kb-threads', 1) : undefined;

const SERVICES = [
  { name: 'legacy-kb', main: join(root, 'examples/legacy-kb/src/main.ts') },
  { name: 'knowledge-base', main: join(root, 'examples/knowledge-base/src/main.ts') },
] as const;
type ServiceName = (typeof SERVICES)[number]['name'];
type Phase = 'mixed' | 'indexing' | 'stall';
const ALL_PHASES: readonly Phase[] = ['mixed', 'indexing', 'stall'];
const only = process.argv.indexOf('--phase');
const PHASES: readonly Phase[] = only >= 0 ? ALL_PHASES.filter((p) => p === process.argv[only + 1]) : ALL_PHASES;

interface Sample {
  reqPerSec: number;
  p50: number;
  p99: number;
  max: number;
  timeouts: number;
  errors: number;
  non2xx: number;
  healthP99?: number;
  healthTimeouts?: number;
  jobs?: number;
  /** Chunks indexed per second: the chunks of the jobs finished during the load over the time they took. */
  chunksPerSec?: number;
}

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Stores, reads and searches in a 3:4:3 cycle; reads pick among facts stored before the load. */
function mixedRequests(factIds: readonly string[]): Request[] {
  const json = { 'content-type': 'application/json' };
  let n = 0;
  const read = (): Request => ({
    method: 'GET',
    setupRequest: (req) => ({ ...req, path: `/facts/${factIds[n++ % factIds.length] ?? 'none'}` }),
  });
  const topics = Object.values(TOPICS);
  const store = (i: number): Request => ({
    method: 'POST',
    path: '/facts',
    headers: json,
    body: JSON.stringify({ text: `load fact ${i}: ${(topics[i % topics.length] ?? []).join(' ')}`, metadata: { bench: true, i } }),
  });
  const search = (i: number): Request => ({ method: 'GET', path: `/search?q=${encodeURIComponent((topics[i % topics.length] ?? []).slice(0, 3).join(' '))}&k=5` });
  return [store(0), read(), search(0), read(), store(1), search(1), read(), search(2), read(), store(2)];
}

async function http(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) });
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const res = await http(`${url}/health`, { timeoutMs: 2000 });
      if (res.ok && ((await res.json()) as { index: { state: string } }).index.state === 'ready') return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not become ready within 60 s`);
}

async function seedFacts(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await http(`${url}/facts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: `seed fact ${i} about redis replicas and vectors`, metadata: { i } }) });
    if (res.status !== 201) throw new Error(`seeding facts: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  return ids;
}

function load(url: string, factIds: readonly string[], timeoutSeconds: number): Promise<Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: SECONDS, timeout: timeoutSeconds, requests: mixedRequests(factIds) });
}

function sampleOf(r: Result): Sample {
  // With no answer at all autocannon reports 0 ms latencies: show them as n/a instead.
  const none = r['2xx'] + r.non2xx === 0;
  return {
    reqPerSec: (r['2xx'] + r.non2xx) / SECONDS,
    p50: none ? Number.NaN : r.latency.p50,
    p99: none ? Number.NaN : r.latency.p99,
    max: none ? Number.NaN : r.latency.max,
    timeouts: r.timeouts,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

async function runPhase(service: (typeof SERVICES)[number], phase: Phase, redisPort: number, flush: Redis, docsDir: string, bulkFiles: string[]): Promise<Sample> {
  await flush.flushall();
  const proxy = new ChaosProxy({ upstream: { port: redisPort } });
  await proxy.start();
  let svc: ServiceProcess | undefined;
  try {
    const threads = service.name === 'knowledge-base' && KB_THREADS !== undefined ? { INDEXING_THREADS: String(KB_THREADS) } : {};
    svc = await startServiceProcess(service.name, service.main, { REDIS_URL: proxy.url, DOCUMENTS_DIR: docsDir, ...threads }, root);
    await waitReady(svc.url);
    const ids = await seedFacts(svc.url, 50);
    if (phase === 'mixed') return sampleOf(await load(svc.url, ids, 10));
    if (phase === 'stall') {
      proxy.addToxic({ type: 'timeout', timeout: 0, stream: 'downstream', name: 'stall' });
      return sampleOf(await load(svc.url, ids, 5));
    }
    // indexing: large jobs back to back while the load and a /health poller run.
    let running = true;
    /** Jobs finished while the load ran: when, and their chunks. */
    const finished: { at: number; chunks: number }[] = [];
    const url = svc.url;
    const chunksNow = async (): Promise<number | undefined> => {
      try {
        const res = await http(`${url}/health`, { timeoutMs: 2000 });
        return ((await res.json()) as { index: { chunks: number } }).index.chunks;
      } catch {
        return undefined; // blocked: the legacy service cannot answer while it indexes
      }
    };
    const chunksBefore = await chunksNow();
    const loopStart = performance.now();
    const jobLoop = (async () => {
      while (running) {
        try {
          const res = await http(`${url}/documents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ files: bulkFiles }), timeoutMs: 120_000 });
          const body = (await res.json()) as { chunks?: number };
          if (res.ok && running) finished.push({ at: performance.now(), chunks: body.chunks ?? 0 });
        } catch {
          if (running) await sleep(50);
        }
      }
    })();
    await sleep(200); // the first job is under way
    const [mixed, health] = await Promise.all([
      load(url, ids, 10),
      autocannon({ url: `${url}/health`, connections: 1, duration: SECONDS, timeout: 10 }),
    ]);
    running = false;
    const loadEnd = performance.now();
    // Don't wait for a job in flight: the process is stopped next.
    void jobLoop;
    // Jobs run back to back from the start of the loop: the rate is the chunks of the jobs that
    // finished during the load over the time they took (a job cut off by the end of the window
    // is not counted, for either service). With no job finished, the progress /health showed.
    const last = finished.at(-1);
    let chunksPerSec: number;
    if (last !== undefined) {
      chunksPerSec = (finished.reduce((n, f) => n + f.chunks, 0) / (last.at - loopStart)) * 1000;
    } else {
      const chunksAfter = await chunksNow();
      chunksPerSec = chunksBefore !== undefined && chunksAfter !== undefined ? ((chunksAfter - chunksBefore) / (loadEnd - loopStart)) * 1000 : 0;
    }
    return {
      ...sampleOf(mixed),
      healthP99: health['2xx'] + health.non2xx === 0 ? Number.NaN : health.latency.p99,
      healthTimeouts: health.timeouts,
      jobs: finished.length,
      chunksPerSec,
    };
  } finally {
    await svc?.stop();
    await proxy.stop();
  }
}

async function main(): Promise<void> {
  say(`kb bench: ${ROUNDS} rounds x ${PHASES.length} phases x ${SERVICES.length} services, ${SECONDS} s of load each, ${CONNECTIONS} connections; knowledge-base indexing threads: ${KB_THREADS ?? 'default'}`);
  const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
  say(`load average at start: ${load()} (${availableParallelism()} cores)`);
  const redis = await startRedisServer();
  const flush = new Redis(redis.url, { lazyConnect: true });
  const docsDir = await mkdtemp(join(tmpdir(), 'kb-bench-docs-'));
  try {
    for (const name of await readdir(SAMPLE_DOCUMENTS_DIR)) await copyFile(join(SAMPLE_DOCUMENTS_DIR, name), join(docsDir, name));
    const corpus = syntheticCorpus({ documents: BULK_FILES, wordsPerDocument: BULK_WORDS, seed: 42 });
    const bulkFiles: string[] = [];
    for (const [i, doc] of corpus.entries()) {
      const name = `bulk-${String(i).padStart(4, '0')}.md`; // not .txt: not part of the seed set
      await writeFile(join(docsDir, name), doc.text);
      bulkFiles.push(name);
    }
    say(`redis-server ${redis.url}; indexing job = ${BULK_FILES} files x ${BULK_WORDS} words`);

    const samples = new Map<string, Sample[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const phase of PHASES) {
        const order = round % 2 === 0 ? SERVICES : [...SERVICES].reverse();
        for (const service of order) {
          const s = await runPhase(service, phase, redis.port, flush, docsDir, bulkFiles);
          const key = `${phase}/${service.name}`;
          samples.set(key, [...(samples.get(key) ?? []), s]);
          say(
            `  round ${round + 1} ${phase.padEnd(8)} ${service.name.padEnd(14)} ${fmt(s.reqPerSec)} req/s  p50 ${fmt(s.p50)} ms  p99 ${fmt(s.p99)} ms  max ${fmt(s.max)} ms` +
              `  timeouts ${s.timeouts}  non-2xx ${s.non2xx}` +
              `  load ${loadavg()[0]?.toFixed(1) ?? '?'}` +
              (s.healthP99 === undefined ? '' : `  /health p99 ${fmt(s.healthP99)} ms (timeouts ${s.healthTimeouts ?? 0})  jobs done ${s.jobs ?? 0}  chunks indexed/s ${fmt(s.chunksPerSec ?? Number.NaN)}`),
          );
        }
      }
    }
    say(`load average at end: ${load()}`);
    report(samples);
  } finally {
    flush.disconnect();
    await redis.stop();
    await rm(docsDir, { recursive: true, force: true });
  }
}

function report(samples: Map<string, Sample[]>): void {
  const med = (phase: Phase, service: ServiceName, pick: (s: Sample) => number | undefined): number =>
    median((samples.get(`${phase}/${service}`) ?? []).map((s) => pick(s) ?? Number.NaN));
  const rows: string[][] = [];
  for (const phase of PHASES) {
    for (const { name } of SERVICES) {
      rows.push([
        phase,
        name,
        fmt(med(phase, name, (s) => s.reqPerSec)),
        fmt(med(phase, name, (s) => s.p50)),
        fmt(med(phase, name, (s) => s.p99)),
        fmt(med(phase, name, (s) => s.max)),
        fmt(med(phase, name, (s) => s.timeouts), 0),
        phase === 'indexing' ? fmt(med(phase, name, (s) => s.healthP99)) : '',
        phase === 'indexing' ? fmt(med(phase, name, (s) => s.chunksPerSec)) : '',
      ]);
    }
    const ratio = med(phase, 'knowledge-base', (s) => s.reqPerSec) / med(phase, 'legacy-kb', (s) => s.reqPerSec);
    const chunkShare = med(phase, 'knowledge-base', (s) => s.chunksPerSec) / med(phase, 'legacy-kb', (s) => s.chunksPerSec);
    rows.push([phase, 'ratio modern/legacy', ratioText(ratio), '', '', '', '', '', phase === 'indexing' ? `${fmt(chunkShare * 100)}%` : '']);
  }
  say('');
  say('medians over rounds (req/s counts every answered request; latencies in ms)');
  say(table(['phase', 'service', 'req/s', 'p50', 'p99', 'max', 'timeouts', '/health p99', 'chunks indexed/s'], rows));

  const indexingRatio = med('indexing', 'knowledge-base', (s) => s.reqPerSec) / med('indexing', 'legacy-kb', (s) => s.reqPerSec);
  const healthP99 = med('indexing', 'knowledge-base', (s) => s.healthP99);
  const stall = samples.get('stall/knowledge-base') ?? [];
  const stallMax = Math.max(...stall.map((s) => s.max));
  // autocannon's timeout (5 s here) marks a request with no answer; the ≤ 10 requests still in
  // flight when a run stops are neither answered nor timed out, and are not counted.
  const stallTimeouts = stall.reduce((n, s) => n + s.timeouts + s.errors, 0);
  const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');
  say('');
  say('floors');
  if (PHASES.includes('indexing')) say(`  throughput under indexing, modern/legacy >= 20x: ${ratioText(indexingRatio)} — ${verdict(indexingRatio >= 20)}`);
  if (PHASES.includes('indexing')) say(`  modern /health p99 while indexing < 50 ms: ${fmt(healthP99)} ms — ${verdict(healthP99 < 50)}`);
  const chunkShare = med('indexing', 'knowledge-base', (s) => s.chunksPerSec) / med('indexing', 'legacy-kb', (s) => s.chunksPerSec);
  if (PHASES.includes('indexing')) say(`  modern chunks indexed/s while serving >= 50% of legacy's (which serves nothing): ${fmt(chunkShare * 100)}% — ${verdict(chunkShare >= 0.5)}`);
  if (PHASES.includes('stall')) say(`  modern under a Redis stall, every request answered within ${STALL_BOUND_MS} ms: max ${fmt(stallMax)} ms, ${stallTimeouts} unanswered — ${verdict(stallMax <= STALL_BOUND_MS && stallTimeouts === 0)}`);
}

/** `12.3x`, or `inf (legacy answered nothing)` when the legacy median is 0. */
function ratioText(ratio: number): string {
  if (ratio === Number.POSITIVE_INFINITY) return 'inf (legacy answered nothing)';
  return `${fmt(ratio)}x`;
}

await main();
