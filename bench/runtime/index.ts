/**
 * @asyncguard/runtime against p-timeout 6, cockatiel 3.2.1 and opossum 9, side by side in one
 * process: per-call overhead on the success path over a baseline `await fn()`, and heap growth
 * over 1,000,000 calls; plus `offload` round trips against piscina used directly.
 *
 * Every round runs every contender (rotated order, so none always runs first or last after
 * the same neighbour) and subtracts the baseline measured in the same round; the table shows
 * medians over rounds. Heap growth: gc, 1,000,000 sequential calls, gc, difference.
 *
 * Floors (issue #3): withTimeout >= 10x cheaper than p-timeout and cockatiel's timeout; the
 * four-policy composition >= 5x cheaper than cockatiel's wrap of the same four; breaker no
 * dearer than cockatiel's; no heap growth; offload adds < 10% over piscina.
 *
 * Ambient deadlines (issue #20): the added cost per `withTimeout` call with no ambient deadline
 * (floor ≤ 20 ns) and inside one (floor ≤ 150 ns), over `withTimeout` with no deadline running
 * in the process, beside a bare `AsyncLocalStorage.run` — same rounds, interleaved with the
 * baseline. The runtime skips the storage lookup while no deadline is running anywhere in the
 * process (one counter); "no ambient deadline" is measured both that way and while another
 * request's deadline is running (a server under load: the lookup happens and finds none).
 *
 *   pnpm bench runtime [--rounds 5] [--calls 100000] [--heap-calls 1000000] [--offload-rounds 11] [--offload-calls 2000]
 *   pnpm bench runtime --only deadline [--deadline-rounds 7] [--deadline-calls 200000]
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import {
  Bulkhead,
  CircuitBreaker,
  compose,
  OffloadPool,
  retryPolicy,
  remainingBudget,
  timeoutPolicy,
  withDeadline,
  withTimeout,
} from '@asyncguard/runtime';
import * as cockatiel from 'cockatiel';
import pTimeout from 'p-timeout';
import { Piscina } from 'piscina';

interface OpossumBreaker {
  fire(): Promise<unknown>;
  shutdown(): void;
}
type OpossumCtor = new (action: () => Promise<unknown>, options: Record<string, unknown>) => OpossumBreaker;
const Opossum = createRequire(import.meta.url)('opossum') as OpossumCtor;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
const ROUNDS = arg('rounds', 5);
const CHUNKS = 10;
const CALLS = arg('calls', 100_000);
const HEAP_CALLS = arg('heap-calls', 1_000_000);
const OFFLOAD_CALLS = arg('offload-calls', 2000);
// Round trips are ~25 µs and noisy on a shared machine: more, shorter rounds.
const OFFLOAD_ROUNDS = arg('offload-rounds', 11);
const WARMUP = 20_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) process.stderr.write('warning: run with --expose-gc (pnpm bench does) for the heap figures\n');

// ---------------------------------------------------------------------------------------
// Contenders. Each is a function making one guarded call of `work` (an async function that
// resolves at once), so the difference to the baseline is the guard's own cost.
const work = async (): Promise<number> => 1;

const agBreaker = new CircuitBreaker({ consecutiveFailures: 5, halfOpenAfterMs: 10_000 });
const agRetry = retryPolicy({ maxAttempts: 3 });
const agBulkhead = new Bulkhead({ maxConcurrent: 10, maxQueue: 10 });
const agTimeout = timeoutPolicy(2000);
const agAll = compose(timeoutPolicy(2000), new CircuitBreaker({ consecutiveFailures: 5 }), retryPolicy({ maxAttempts: 3 }), new Bulkhead({ maxConcurrent: 10, maxQueue: 10 }));
const agTimeoutBreaker = compose(timeoutPolicy(2000), new CircuitBreaker({ consecutiveFailures: 5 }));

const ckTimeout = cockatiel.timeout(2000, cockatiel.TimeoutStrategy.Cooperative);
const ckBreaker = cockatiel.circuitBreaker(cockatiel.handleAll, { halfOpenAfter: 10_000, breaker: new cockatiel.ConsecutiveBreaker(5) });
const ckRetry = cockatiel.retry(cockatiel.handleAll, { maxAttempts: 3, backoff: new cockatiel.ExponentialBackoff() });
const ckBulkhead = cockatiel.bulkhead(10, 10);
const ckWrap = cockatiel.wrap(
  cockatiel.timeout(2000, cockatiel.TimeoutStrategy.Cooperative),
  cockatiel.circuitBreaker(cockatiel.handleAll, { halfOpenAfter: 10_000, breaker: new cockatiel.ConsecutiveBreaker(5) }),
  cockatiel.retry(cockatiel.handleAll, { maxAttempts: 3, backoff: new cockatiel.ExponentialBackoff() }),
  cockatiel.bulkhead(10, 10),
);

const opossumNoTimeout = new Opossum(work, { timeout: false, errorThresholdPercentage: 50, resetTimeout: 10_000 });
const opossumTimeout = new Opossum(work, { timeout: 2000, errorThresholdPercentage: 50, resetTimeout: 10_000 });

interface Contender {
  name: string;
  group: string;
  call: () => Promise<unknown>;
}

const contenders: Contender[] = [
  { group: 'timeout', name: 'asyncguard withTimeout', call: () => withTimeout(work, 2000) },
  { group: 'timeout', name: 'asyncguard withTimeout(promise)', call: () => withTimeout(work(), 2000) },
  { group: 'timeout', name: 'asyncguard timeoutPolicy', call: () => agTimeout.execute(work) },
  { group: 'timeout', name: 'p-timeout', call: () => pTimeout(work(), { milliseconds: 2000 }) },
  { group: 'timeout', name: 'cockatiel timeout', call: () => ckTimeout.execute(work) },
  { group: 'breaker', name: 'asyncguard CircuitBreaker', call: () => agBreaker.execute(work) },
  { group: 'breaker', name: 'cockatiel circuitBreaker', call: () => ckBreaker.execute(work) },
  { group: 'breaker', name: 'opossum (timeout: false)', call: () => opossumNoTimeout.fire() },
  { group: 'timeout+breaker', name: 'asyncguard compose(timeout, breaker)', call: () => agTimeoutBreaker.execute(work) },
  { group: 'timeout+breaker', name: 'opossum (timeout 2000)', call: () => opossumTimeout.fire() },
  { group: 'retry', name: 'asyncguard retryPolicy', call: () => agRetry.execute(work) },
  { group: 'retry', name: 'cockatiel retry', call: () => ckRetry.execute(work) },
  { group: 'bulkhead', name: 'asyncguard Bulkhead', call: () => agBulkhead.execute(work) },
  { group: 'bulkhead', name: 'cockatiel bulkhead', call: () => ckBulkhead.execute(work) },
  { group: 'all four', name: 'asyncguard compose(4)', call: () => agAll.execute(work) },
  { group: 'all four', name: 'cockatiel wrap(4)', call: () => ckWrap.execute(work) },
];
const baseline: Contender = { group: 'baseline', name: 'await fn()', call: work };

interface Timing {
  /** Wall-clock ns per call. */
  wall: number;
  /** CPU ns per call (user + system, all threads of this process). */
  cpu: number;
}

/**
 * Both clocks: on a shared 2-core machine the wall clock also counts time this process sat
 * descheduled, so the overhead table is computed from CPU time and shows wall time beside it.
 */
async function timePerCall(call: () => Promise<unknown>, n: number): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await call();
  const wall = Number(process.hrtime.bigint() - start) / n;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: ((cpu.user + cpu.system) * 1000) / n };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? pad(c, widths[i]!) : lpad(c, widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

// ---------------------------------------------------------------------------------------
async function overheadPhase(): Promise<Map<string, Timing>> {
  const all = [baseline, ...contenders];
  for (const c of all) await timePerCall(c.call, WARMUP);
  const samples = new Map<string, Timing[]>(all.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = contenders.map((_, i) => contenders[(i + round * 3) % contenders.length]!);
    // Baseline and contender alternate in chunks, so slow drifts (other processes, frequency
    // scaling) hit both alike; the overhead is the difference of their totals.
    for (const c of order) {
      let base: Timing = { wall: 0, cpu: 0 };
      let t: Timing = { wall: 0, cpu: 0 };
      for (let chunk = 0; chunk < CHUNKS; chunk++) {
        const b = await timePerCall(baseline.call, CALLS / CHUNKS);
        const x = await timePerCall(c.call, CALLS / CHUNKS);
        base = { wall: base.wall + b.wall / CHUNKS, cpu: base.cpu + b.cpu / CHUNKS };
        t = { wall: t.wall + x.wall / CHUNKS, cpu: t.cpu + x.cpu / CHUNKS };
      }
      samples.get(baseline.name)!.push(base);
      samples.get(c.name)!.push({ wall: t.wall - base.wall, cpu: t.cpu - base.cpu });
    }
    process.stderr.write(`  overhead round ${round + 1}/${ROUNDS} done\n`);
  }
  const result = new Map<string, Timing>();
  for (const [name, xs] of samples) result.set(name, { wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });
  return result;
}

async function heapPhase(): Promise<Map<string, number>> {
  const growth = new Map<string, number>();
  for (const c of [baseline, ...contenders]) {
    gc?.();
    gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < HEAP_CALLS; i++) await c.call();
    // Let timers of the last calls (peers arm one per call) come due or be cleared.
    await new Promise((resolve) => setImmediate(resolve));
    gc?.();
    gc?.();
    growth.set(c.name, process.memoryUsage().heapUsed - before);
    process.stderr.write(`  heap: ${c.name} done\n`);
  }
  return growth;
}

async function offloadPhase(): Promise<Map<string, Timing>> {
  const fixture = new URL('./sum-worker.mjs', import.meta.url);
  const options = { minThreads: 1, maxThreads: 1, idleTimeout: 60_000 };
  const piscina = new Piscina({ filename: fixture.href, ...options });
  const pool = new OffloadPool({ minThreads: 1, maxThreads: 1, idleTimeoutMs: 60_000 });
  const sum = (n: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += i;
    return s;
  };
  const N = 1000;
  const modes: Array<[string, () => Promise<unknown>]> = [
    ['piscina run() directly', () => piscina.run(N)],
    ['offload({ module }, args)', () => pool.run({ module: fixture, export: 'sum' }, [N])],
    ['offload(fn, args)', () => pool.run(sum, [N])],
    ['offload(fn, args, { timeout })', () => pool.run(sum, [N], { timeout: 2000 })],
    ['piscina run() + AbortController timeout', () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 2000);
      return piscina.run(N, { signal: controller.signal }).finally(() => clearTimeout(timer));
    }],
  ];
  for (const [, run] of modes) await timePerCall(run, 500);
  const samples = new Map<string, Timing[]>(modes.map(([name]) => [name, []]));
  for (let round = 0; round < OFFLOAD_ROUNDS; round++) {
    // The modes alternate in small chunks within a round, so drift hits them alike.
    const sums = new Map<string, Timing>(modes.map(([name]) => [name, { wall: 0, cpu: 0 }]));
    for (let chunk = 0; chunk < CHUNKS; chunk++) {
      for (let i = 0; i < modes.length; i++) {
        const [name, run] = modes[(i + round + chunk) % modes.length]!;
        const t = await timePerCall(run, OFFLOAD_CALLS / CHUNKS);
        const sum = sums.get(name)!;
        sums.set(name, { wall: sum.wall + t.wall / CHUNKS, cpu: sum.cpu + t.cpu / CHUNKS });
      }
    }
    for (const [name, t] of sums) samples.get(name)!.push(t);
    process.stderr.write(`  offload round ${round + 1}/${OFFLOAD_ROUNDS} done\n`);
  }
  await Promise.all([piscina.destroy(), pool.destroy()]);
  const result = new Map<string, Timing>();
  for (const [name, xs] of samples) result.set(name, { wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });
  return result;
}

// ---------------------------------------------------------------------------------------
// Ambient deadlines.
const DEADLINE_ROUNDS = arg('deadline-rounds', 7);
const DEADLINE_CALLS = arg('deadline-calls', 200_000);

const timedCall = (): Promise<number> => withTimeout(work, 2000);
const benchStorage = new AsyncLocalStorage<{ request: number }>();
const store = { request: 1 };

interface DeadlineMode {
  name: string;
  time(n: number): Promise<Timing>;
}
const deadlineModes: DeadlineMode[] = [
  { name: 'bare AsyncLocalStorage.run(store, fn)', time: (n) => timePerCall(() => benchStorage.run(store, work), n) },
  // No deadline running in the process: the path withTimeout had before deadlines existed.
  { name: 'withTimeout, no deadline running', time: (n) => timePerCall(timedCall, n) },
  // Another request's deadline is running, this call is outside it: the storage is looked up.
  {
    name: 'withTimeout, no ambient deadline (others running)',
    time: async (n) => {
      let release: () => void = () => undefined;
      const other = withDeadline(60_000, () => new Promise<void>((resolve) => (release = resolve)));
      try {
        return await timePerCall(timedCall, n);
      } finally {
        release();
        await other;
      }
    },
  },
  // 60 s left: the call's own 2 s budget comes first (one lookup and a comparison more).
  { name: 'withTimeout inside withDeadline (own budget first)', time: (n) => withDeadline(60_000, () => timePerCall(timedCall, n)) },
  // 1.5 s left: the call waits on the deadline instead of its 2 s budget.
  { name: 'withTimeout inside withDeadline (clamped)', time: (n) => withDeadline(1500, () => timePerCall(timedCall, n)) },
];

async function deadlinePhase(): Promise<{ result: Map<string, Timing>; baseline: Timing; lookup: Array<[string, number]> }> {
  for (const m of deadlineModes) await m.time(WARMUP);
  const samples = new Map<string, Timing[]>(deadlineModes.map((m) => [m.name, []]));
  const baselines: Timing[] = [];
  for (let round = 0; round < DEADLINE_ROUNDS; round++) {
    for (let i = 0; i < deadlineModes.length; i++) {
      const m = deadlineModes[(i + round) % deadlineModes.length]!;
      let base: Timing = { wall: 0, cpu: 0 };
      let t: Timing = { wall: 0, cpu: 0 };
      for (let chunk = 0; chunk < CHUNKS; chunk++) {
        const b = await timePerCall(baseline.call, DEADLINE_CALLS / CHUNKS);
        const x = await m.time(DEADLINE_CALLS / CHUNKS);
        base = { wall: base.wall + b.wall / CHUNKS, cpu: base.cpu + b.cpu / CHUNKS };
        t = { wall: t.wall + x.wall / CHUNKS, cpu: t.cpu + x.cpu / CHUNKS };
      }
      baselines.push(base);
      samples.get(m.name)!.push({ wall: t.wall - base.wall, cpu: t.cpu - base.cpu });
    }
    process.stderr.write(`  deadline round ${round + 1}/${DEADLINE_ROUNDS} done\n`);
  }
  const result = new Map<string, Timing>();
  for (const [name, xs] of samples) result.set(name, { wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });
  return { result, baseline: { wall: median(baselines.map((x) => x.wall)), cpu: median(baselines.map((x) => x.cpu)) }, lookup: await lookupCost(DEADLINE_ROUNDS) };
}

/**
 * The lookup alone, synchronously (no promise noise): ns per `remainingBudget()` call, which does
 * what every clamping call does first — the running-deadlines check, the storage lookup, a
 * subtraction. Medians of `rounds` runs of 2,000,000 calls.
 */
async function lookupCost(rounds: number): Promise<Array<[string, number]>> {
  const N = 2_000_000;
  const measureLoop = (read: () => number | undefined): number => {
    let sink = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink += read() ?? 1;
    const ns = Number(process.hrtime.bigint() - t0) / N;
    if (sink === -1) console.log(sink);
    return ns;
  };
  const loop = (): number => measureLoop(remainingBudget);
  const modes: Array<[string, () => Promise<number>]> = [
    ['no deadline running', async () => loop()],
    [
      'no ambient deadline (others running)',
      async () => {
        let release: () => void = () => undefined;
        const other = withDeadline(60_000, () => new Promise<void>((resolve) => (release = resolve)));
        const ns = loop();
        release();
        await other;
        return ns;
      },
    ],
    ['inside withDeadline (reads performance.now() too)', () => withDeadline(60_000, loop)],
    ['reference: performance.now() alone', async () => measureLoop(() => performance.now())],
  ];
  for (const [, run] of modes) await run();
  const samples = new Map<string, number[]>(modes.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) for (const [name, run] of modes) samples.get(name)!.push(await run());
  return modes.map(([name]) => [name, median(samples.get(name)!)]);
}

function printDeadlineTable(phase: { result: Map<string, Timing>; baseline: Timing; lookup: Array<[string, number]> }, baselineBeforeStorage: Timing | undefined): void {
  const { result, baseline: base } = phase;
  const ns = (x: number): string => `${x.toFixed(1)} ns`;
  const never = result.get('withTimeout, no deadline running')!;
  console.log(
    `\nAmbient deadlines: per-call overhead over \`await fn()\` (baseline ${ns(base.cpu)} CPU), medians of ${DEADLINE_ROUNDS} rounds x ${DEADLINE_CALLS} calls; "added" = over withTimeout with no deadline running`,
  );
  printTable(
    ['mode', 'overhead (CPU)', 'added (CPU)', 'overhead (wall)', 'added (wall)'],
    deadlineModes.map((m) => {
      const t = result.get(m.name)!;
      const isTimeout = m.name.startsWith('withTimeout');
      const same = m.name === 'withTimeout, no deadline running';
      return [m.name, ns(t.cpu), isTimeout && !same ? ns(t.cpu - never.cpu) : '', ns(t.wall), isTimeout && !same ? ns(t.wall - never.wall) : ''];
    }),
  );
  console.log(`\nThe lookup alone, synchronous (remainingBudget(); withTimeout reuses the performance.now() it reads anyway; wall ns per call, medians of ${DEADLINE_ROUNDS} x 2,000,000 calls):`);
  printTable(['where', 'ns per lookup'], phase.lookup.map(([name, ns]) => [name, `${ns.toFixed(1)} ns`]));
  if (baselineBeforeStorage !== undefined) {
    console.log(
      `(\`await fn()\` itself: ${ns(baselineBeforeStorage.cpu)} CPU before any AsyncLocalStorage.run in the process, ${ns(base.cpu)} after — on Node ${process.version} the first run() turns on promise hooks for every promise)`,
    );
  }
  const added = (name: string): number => result.get(name)!.cpu - never.cpu;
  const inside = Math.max(added('withTimeout inside withDeadline (own budget first)'), added('withTimeout inside withDeadline (clamped)'));
  console.log('\nFloors (on CPU time)');
  printTable(
    ['floor', 'met', 'measured'],
    [
      [
        'no ambient deadline: <= 20 ns added per withTimeout',
        added('withTimeout, no ambient deadline (others running)') <= 20 ? 'yes' : 'NO',
        `${ns(added('withTimeout, no ambient deadline (others running)'))} (with others running; 0 by construction with none)`,
      ],
      ['inside a deadline: <= 150 ns added per withTimeout', inside <= 150 ? 'yes' : 'NO', `${ns(inside)} (worse of the two)`],
    ],
  );
}

// ---------------------------------------------------------------------------------------
const started = Date.now();
if (process.argv.includes('--only') && process.argv[process.argv.indexOf('--only') + 1] === 'deadline') {
  console.log(`@asyncguard/runtime bench (deadlines only) — node ${process.version}, ${availableParallelism()} CPUs`);
  const before = await timePerCall(baseline.call, DEADLINE_CALLS);
  printDeadlineTable(await deadlinePhase(), before);
  console.log(`
(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  process.exit(0);
}
console.log(`@asyncguard/runtime bench — node ${process.version}, ${availableParallelism()} CPUs, ${ROUNDS} rounds x ${CALLS} calls, heap over ${HEAP_CALLS} calls`);
const overhead = await overheadPhase();
const heap = await heapPhase();
const off = await offloadPhase();
// Last: the first withDeadline turns AsyncLocalStorage (and with it promise hooks) on for good.
const deadlines = await deadlinePhase();

opossumNoTimeout.shutdown();
opossumTimeout.shutdown();

const ns = (x: number): string => `${x.toFixed(0)} ns`;
const ratio = (peer: number, ours: number): string => (ours <= 0 ? 'n/a' : `${(peer / ours).toFixed(1)}x`);
const heapCell = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB (${(bytes / HEAP_CALLS).toFixed(2)} B/call)`;
const base = overhead.get(baseline.name)!;

console.log(
  `\nPer-call overhead over \`await fn()\` (baseline ${ns(base.cpu)} CPU, ${ns(base.wall)} wall per call), medians of ${ROUNDS} rounds x ${CALLS} calls; heap growth over ${HEAP_CALLS} calls after gc`,
);
const ours: Record<string, string> = {
  timeout: 'asyncguard withTimeout',
  breaker: 'asyncguard CircuitBreaker',
  'timeout+breaker': 'asyncguard compose(timeout, breaker)',
  retry: 'asyncguard retryPolicy',
  bulkhead: 'asyncguard Bulkhead',
  'all four': 'asyncguard compose(4)',
};
printTable(
  ['group', 'contender', 'overhead (CPU)', 'vs asyncguard', 'overhead (wall)', 'vs asyncguard (wall)', 'heap growth'],
  contenders.map((c) => {
    const mine = overhead.get(ours[c.group]!)!;
    const o = overhead.get(c.name)!;
    const peer = !c.name.startsWith('asyncguard');
    return [c.group, c.name, ns(o.cpu), peer ? ratio(o.cpu, mine.cpu) : '', ns(o.wall), peer ? ratio(o.wall, mine.wall) : '', heapCell(heap.get(c.name)!)];
  }),
);
console.log(`(baseline heap growth: ${heapCell(heap.get(baseline.name)!)}; "vs asyncguard" = peer overhead / asyncguard overhead, higher is better for asyncguard)`);

const pis = off.get('piscina run() directly')!;
const pct = (t: number, p: number): string => `${(((t - p) / p) * 100).toFixed(1)}%`;
console.log(`\nOffload round trip (sum of 1000 ints, 1 worker, sequential), medians of ${OFFLOAD_ROUNDS} rounds x ${OFFLOAD_CALLS} calls; CPU counts the worker thread too`);
printTable(
  ['mode', 'CPU per call', 'vs piscina', 'wall per call', 'vs piscina (wall)'],
  [...off].map(([name, t]) => {
    const direct = name === 'piscina run() directly';
    return [name, `${(t.cpu / 1000).toFixed(1)} µs`, direct ? '' : pct(t.cpu, pis.cpu), `${(t.wall / 1000).toFixed(1)} µs`, direct ? '' : pct(t.wall, pis.wall)];
  }),
);

const o = (name: string): number => overhead.get(name)!.cpu;
const offCpu = (name: string): number => (off.get(name)!.cpu - pis.cpu) / pis.cpu;
const agNames = contenders.filter((c) => c.name.startsWith('asyncguard')).map((c) => c.name);
const floors: Array<[string, boolean, string]> = [
  ['withTimeout >= 10x cheaper than p-timeout', o('p-timeout') / o('asyncguard withTimeout') >= 10, ratio(o('p-timeout'), o('asyncguard withTimeout'))],
  ['withTimeout >= 10x cheaper than cockatiel timeout', o('cockatiel timeout') / o('asyncguard withTimeout') >= 10, ratio(o('cockatiel timeout'), o('asyncguard withTimeout'))],
  ['compose(4) >= 5x cheaper than cockatiel wrap(4)', o('cockatiel wrap(4)') / o('asyncguard compose(4)') >= 5, ratio(o('cockatiel wrap(4)'), o('asyncguard compose(4)'))],
  ['breaker no dearer than cockatiel breaker', o('asyncguard CircuitBreaker') <= o('cockatiel circuitBreaker'), ratio(o('cockatiel circuitBreaker'), o('asyncguard CircuitBreaker'))],
  ['no heap growth (< 1 MiB over the calls) for asyncguard', agNames.every((n) => heap.get(n)! < 1024 * 1024), `max ${heapCell(Math.max(...agNames.map((n) => heap.get(n)!)))}`],
  [
    'offload adds < 10% over piscina (CPU)',
    offCpu('offload({ module }, args)') < 0.1 && offCpu('offload(fn, args)') < 0.1,
    `module ${pct(off.get('offload({ module }, args)')!.cpu, pis.cpu)}, fn ${pct(off.get('offload(fn, args)')!.cpu, pis.cpu)}, fn+timeout ${pct(off.get('offload(fn, args, { timeout })')!.cpu, pis.cpu)}`,
  ],
];
console.log('\nFloors (on CPU time)');
printTable(
  ['floor', 'met', 'measured'],
  floors.map(([name, met, measured]) => [name, met ? 'yes' : 'NO', measured]),
);
printDeadlineTable(deadlines, overhead.get(baseline.name));
console.log(`\n(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
