// One measured run of the async-heavy workload in a fresh process, under one contender:
//   bare              nothing watching
//   runtime           @asyncguard/runtime's monitorEventLoop (watchdog worker + inspector), as a service runs it
//   runtime-nostack   the same with captureStacks: false
//   blocked-at        blocked-at (async_hooks, a stack captured for every async resource)
// Prints one JSON line: { mode, workMs, requests, detections: [...] }.
import { createRequire } from 'node:module';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoop, type EventLoopBlock, type EventLoopMonitor } from '@asyncguard/runtime';

type Mode = 'bare' | 'runtime' | 'runtime-nostack' | 'blocked-at';
const mode = process.argv[2] as Mode;
const THRESHOLD_MS = Number(process.argv[3] ?? 50);
const REQUESTS = Number(process.argv[4] ?? 3000);
const CONCURRENCY = 32;
const BLOCKS = 5;

type BlockedAt = (callback: (ms: number, stack: string[]) => void, options: { threshold: number }) => { stop(): void };
const blockedAt = createRequire(import.meta.url)('blocked-at') as BlockedAt;

const now = (): number => performance.timeOrigin + performance.now();

async function churn(tasks: number, steps: number): Promise<number> {
  let total = 0;
  await Promise.all(
    Array.from({ length: tasks }, async (_, t) => {
      for (let i = 0; i < steps; i++) {
        total += await Promise.resolve(i ^ t);
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
        if (i % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  return total;
}

async function main(): Promise<void> {
  const server = createServer((req, res) => {
    // A little async work per request: a few promise hops and a macrotask.
    void (async () => {
      let body = '';
      for await (const chunk of req) body += String(chunk);
      const parts = await Promise.all([1, 2, 3].map(async (n) => n * body.length));
      await new Promise((resolve) => setImmediate(resolve));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, parts }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const get = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/item', method: 'POST', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end('{"q":"x"}');
    });
  const load = async (count: number): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < count) await get();
      }),
    );
  };

  let detector: EventLoopMonitor | undefined;
  const blocks: EventLoopBlock[] = []; // what the monitor's onBlock was given
  let blockedAtHandle: { stop(): void } | undefined;
  const blockedAtReports: Array<{ at: number; ms: number }> = [];
  if (mode === 'runtime' || mode === 'runtime-nostack') {
    detector = await monitorEventLoop({ thresholdMs: THRESHOLD_MS, captureStacks: mode === 'runtime', onBlock: (block) => blocks.push(block) });
  }
  if (mode === 'blocked-at') blockedAtHandle = blockedAt((ms) => blockedAtReports.push({ at: now(), ms }), { threshold: THRESHOLD_MS });

  await load(300); // warm-up: JIT, sockets
  await churn(20, 100);

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all([load(REQUESTS), churn(200, 400)]);
  const workMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000; // the whole process, watchdog thread included
  await detector?.flush();
  // Stalls during the workload itself (GC, or this process starved of CPU by its neighbours):
  // each one also costs a stack capture.
  const workloadBlocks = (detector === undefined ? blockedAtReports : blocks).length;

  // Detection latency: block the loop on purpose, knowing exactly when the block began.
  const detections: Array<{ latencyMs: number | undefined; capturedMs: number | undefined; durationMs: number; named: boolean }> = [];
  for (let i = 0; i < BLOCKS; i++) {
    await new Promise((resolve) => setTimeout(resolve, 30));
    await detector?.flush();
    const before = (detector === undefined ? blockedAtReports : blocks).length;
    const blockStart = now();
    const end = performance.now() + THRESHOLD_MS + 150;
    while (performance.now() < end);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (detector !== undefined) {
      await detector.flush();
      const block = blocks[before];
      detections.push({
        latencyMs: block === undefined ? undefined : block.startedAt + block.detectedAfterMs - blockStart,
        capturedMs: block?.capturedAfterMs === undefined ? undefined : block.startedAt + block.capturedAfterMs - blockStart,
        durationMs: block?.durationMs ?? 0,
        named: block?.frames.some((frame) => frame.functionName === 'main') ?? false,
      });
    } else if (blockedAtHandle !== undefined) {
      const report = blockedAtReports[before];
      // blocked-at learns of a block only when the blocking callback returns.
      detections.push({ latencyMs: report === undefined ? undefined : report.at - blockStart, capturedMs: undefined, durationMs: report?.ms ?? 0, named: false });
    }
  }

  await detector?.stop();
  blockedAtHandle?.stop();
  agent.destroy();
  await new Promise((resolve) => server.close(resolve));
  process.stdout.write(`${JSON.stringify({ mode, workMs, cpuMs, workloadBlocks, requests: REQUESTS, detections })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
