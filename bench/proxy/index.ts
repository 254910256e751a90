/**
 * ChaosProxy overhead: GET through the proxy with no toxics (plain TCP mode, and RESP mode with
 * no rules) versus straight to a redis-server this bench starts itself, with ioredis, at
 * concurrency 1 (latency per round trip) and 50 (throughput: 50 GETs kept in flight on one
 * connection).
 *
 * Each round runs every contender once per concurrency in a rotated order, so drift on the shared
 * machine hits all alike; the table reports medians over rounds.
 *
 * Floors (from the issue): at most 100 µs of added median latency per round trip at c=1, and at
 * least 70% of direct throughput at c=50 (plain TCP mode).
 *
 * The proxy runs in this process, as it does in tests. At c=50 it may beat direct: what one read
 * from ioredis returned is forwarded to Redis as one write, so Redis serves fewer, larger reads.
 *
 *   pnpm bench proxy [--rounds 9] [--ops1 3000] [--ops50 30000]
 */
import { ChaosProxy, startRedisServer } from '@asyncguard/testkit';
import { Redis } from 'ioredis';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const ROUNDS = arg('rounds', 9);
const OPS_C1 = arg('ops1', 3000);
const OPS_C50 = arg('ops50', 30_000);
const KEYS = 1000;

interface Contender {
  name: string;
  redis: Redis;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Median round-trip time of sequential GETs, in µs. */
async function latencyC1(redis: Redis, ops: number): Promise<number> {
  const samples = new Float64Array(ops);
  for (let i = 0; i < ops; i++) {
    const start = process.hrtime.bigint();
    await redis.get(`key:${i % KEYS}`);
    samples[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  return median(Array.from(samples));
}

/** GETs per second with `concurrency` requests kept in flight. */
async function throughput(redis: Redis, ops: number, concurrency: number): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ops) {
        const i = next++;
        await redis.get(`key:${i % KEYS}`);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return ops / seconds;
}

async function connect(port: number): Promise<Redis> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  return redis;
}

async function main(): Promise<void> {
  const server = await startRedisServer();
  const tcp = new ChaosProxy({ upstream: { port: server.port }, protocol: 'tcp', seed: 1 });
  const resp = new ChaosProxy({ upstream: { port: server.port }, protocol: 'resp', seed: 1 });
  await tcp.start();
  await resp.start();
  const contenders: Contender[] = [
    { name: 'direct', redis: await connect(server.port) },
    { name: 'ChaosProxy tcp', redis: await connect(tcp.port) },
    { name: 'ChaosProxy resp', redis: await connect(resp.port) },
  ];
  try {
    const filler = contenders[0]?.redis as Redis;
    const pipeline = filler.pipeline();
    for (let i = 0; i < KEYS; i++) pipeline.set(`key:${i}`, 'v'.repeat(64));
    await pipeline.exec();

    // Warm-up: JIT, socket buffers.
    for (const c of contenders) {
      await latencyC1(c.redis, 500);
      await throughput(c.redis, 5000, 50);
    }

    const lat = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    const tput = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length] as Contender);
      for (const c of order) lat.get(c.name)?.push(await latencyC1(c.redis, OPS_C1));
      for (const c of order) tput.get(c.name)?.push(await throughput(c.redis, OPS_C50, 50));
      process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
    }

    const directLat = median(lat.get('direct') ?? []);
    const directTput = median(tput.get('direct') ?? []);
    const rows = contenders.map((c) => {
      const l = median(lat.get(c.name) ?? []);
      const t = median(tput.get(c.name) ?? []);
      return {
        contender: c.name,
        'c=1 median RTT (µs)': l.toFixed(1),
        'added vs direct (µs)': c.name === 'direct' ? '—' : (l - directLat).toFixed(1),
        'c=50 GET/s': Math.round(t).toLocaleString('en-US'),
        'kept vs direct': `${((t / directTput) * 100).toFixed(1)}%`,
      };
    });
    console.log(`\nChaosProxy overhead, ${ROUNDS} rounds (medians), c=1: ${OPS_C1} GETs/round, c=50: ${OPS_C50} GETs/round, Node ${process.version}`);
    console.table(rows);
    const tcpAdded = median(lat.get('ChaosProxy tcp') ?? []) - directLat;
    const tcpKept = median(tput.get('ChaosProxy tcp') ?? []) / directTput;
    console.log(`floor added latency ≤ 100 µs (tcp): ${tcpAdded.toFixed(1)} µs → ${tcpAdded <= 100 ? 'MET' : 'MISSED'}`);
    console.log(`floor throughput kept ≥ 70% at c=50 (tcp): ${(tcpKept * 100).toFixed(1)}% → ${tcpKept >= 0.7 ? 'MET' : 'MISSED'}`);
    console.log(`per-round c=1 medians (µs): ${[...lat].map(([n, v]) => `${n}: ${v.map((x) => x.toFixed(0)).join(' ')}`).join(' | ')}`);
    console.log(`per-round c=50 GET/s: ${[...tput].map(([n, v]) => `${n}: ${v.map((x) => Math.round(x / 1000)).join('k ')}k`).join(' | ')}`);
  } finally {
    for (const c of contenders) c.redis.disconnect();
    await tcp.stop();
    await resp.stop();
    await server.stop();
  }
}

await main();
