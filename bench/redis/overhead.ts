/**
 * The manager's overhead over raw ioredis, GET and SET measured separately at c=1, 10 and 100.
 *
 * Each cell (command × concurrency) runs `rounds` paired rounds: within a round the manager and
 * raw ioredis run back to back, in an order that alternates from round to round, so load on the
 * shared machine hits both alike. Reported per cell: the median ops/s of each, the ratio of the
 * medians and the median of the per-round ratios, and client CPU per op (`process.cpuUsage()`,
 * user + system, of this process only — redis-server is another process), a figure much less
 * sensitive to the machine's load than wall-clock throughput. The load average is printed with it.
 *
 * Floors (issue 19): manager ≥ 95% of raw at c=1, ≥ 100% at c=10 and c=100, GET and SET.
 */
import { loadavg } from 'node:os';
import { createRedisManager, type RedisManager } from '@asyncguard/runtime';
import { startRedisServer } from '@asyncguard/testkit';
import { Redis } from 'ioredis';

type Op = 'GET' | 'SET';

interface Client {
  name: 'manager' | 'raw';
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
}

interface Run {
  opsPerSec: number;
  cpuUsPerOp: number;
}

const VALUE = 'v'.repeat(64);
const FLOOR: Record<number, number> = { 1: 0.95, 10: 1, 100: 1 };

async function run(client: Client, op: Op, concurrency: number, ops: number): Promise<Run> {
  let next = 0;
  const worker =
    op === 'GET'
      ? async (): Promise<void> => {
          for (let i = next++; i < ops; i = next++) await client.get(`bench:${i % 1000}`);
        }
      : async (): Promise<void> => {
          for (let i = next++; i < ops; i = next++) await client.set(`bench:${i % 1000}`, VALUE);
        };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { opsPerSec: (ops / elapsed) * 1000, cpuUsPerOp: (cpu.user + cpu.system) / ops };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export async function overheadFigure(rounds: number, opsPerCell: number): Promise<void> {
  const server = await startRedisServer();
  const raw = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
  await raw.connect();
  const manager: RedisManager = createRedisManager({ name: 'bench-overhead', host: '127.0.0.1', port: server.port, budgets: { redis: 2000 }, healthIntervalMs: 5000 });
  await manager.redis.ping();
  const clients: Client[] = [
    { name: 'manager', get: (k) => manager.redis.get(k), set: (k, v) => manager.redis.set(k, v) },
    { name: 'raw', get: (k) => raw.get(k), set: (k, v) => raw.set(k, v) },
  ];
  // See throughput(): an armed timer changes how the idle loop waits; keep one for both.
  const level = setInterval(() => undefined, 60_000);
  const loads: number[] = [];
  const cells: { op: Op; c: number; manager: Run[]; raw: Run[] }[] = [];
  try {
    for (const client of clients) for (const op of ['GET', 'SET'] as const) await run(client, op, 10, 5000);
    for (const op of ['GET', 'SET'] as const) {
      for (const c of [1, 10, 100]) {
        const ops = opsPerCell;
        const cell = { op, c, manager: [] as Run[], raw: [] as Run[] };
        for (let round = 0; round < rounds; round++) {
          loads.push(loadavg()[0] as number);
          const order = round % 2 === 0 ? clients : [...clients].reverse();
          for (const client of order) cell[client.name].push(await run(client, op, c, ops));
        }
        cells.push(cell);
        process.stderr.write(`overhead ${op} c=${c} done\n`);
      }
    }
  } finally {
    clearInterval(level);
    raw.disconnect();
    await manager.close();
    await server.stop();
  }
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const lines = [
    '',
    `manager vs raw ioredis, one connection each, GET and SET (64-byte values) separately; ${rounds} paired rounds per cell (manager and raw back to back, order alternating), median of rounds; load average (1 min) during the runs: median ${median(loads).toFixed(1)}, min ${Math.min(...loads).toFixed(1)}, max ${Math.max(...loads).toFixed(1)}; Node ${process.version}`,
    '',
    '| op | c | manager ops/s | raw ops/s | ratio of medians | median of round ratios | manager CPU µs/op | raw CPU µs/op | CPU ratio | floor |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const verdicts: string[] = [];
  for (const { op, c, manager: m, raw: r } of cells) {
    const mOps = median(m.map((x) => x.opsPerSec));
    const rOps = median(r.map((x) => x.opsPerSec));
    const roundRatio = median(m.map((x, i) => x.opsPerSec / (r[i] as Run).opsPerSec));
    const mCpu = median(m.map((x) => x.cpuUsPerOp));
    const rCpu = median(r.map((x) => x.cpuUsPerOp));
    const floor = FLOOR[c] as number;
    const met = mOps / rOps >= floor;
    verdicts.push(met ? 'MET' : 'MISSED');
    lines.push(
      `| ${op} | ${c} | ${fmt(mOps)} | ${fmt(rOps)} | ${((mOps / rOps) * 100).toFixed(1)}% | ${(roundRatio * 100).toFixed(1)}% | ${mCpu.toFixed(2)} | ${rCpu.toFixed(2)} | ${((mCpu / rCpu) * 100).toFixed(0)}% | ≥ ${floor * 100}%: ${met ? 'MET' : 'MISSED'} |`,
    );
  }
  lines.push('', `floors (manager ≥ 95% of raw at c=1, ≥ 100% at c=10 and c=100, by the ratio of medians): ${verdicts.filter((v) => v === 'MET').length}/${verdicts.length} MET`);
  process.stdout.write(lines.join('\n') + '\n');
}
